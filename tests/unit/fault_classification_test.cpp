// Every fault the built-in server can inject ends as one counted failure of
// the right kind; the requests around it succeed and nothing is lost.
#include <gtest/gtest.h>

#include "llmbench/load/engine.hpp"
#include "llmbench/mock/server.hpp"
#include "load_plan.hpp"

namespace llmbench {
namespace {

struct Case {
  const char* fault;
  ErrorKind kind;
};

class FaultClassification : public ::testing::TestWithParam<Case> {};

TEST_P(FaultClassification, FailsWithTheRightKindWhileOthersSucceed) {
  const Case c = GetParam();
  mock::MockConfig mc;
  mc.decode_tps = 1000;
  mc.slots = 4;
  mc.fault = c.fault;
  mc.fault_every = 2;
  mc.dribble_gap_us = 10;
  mock::MockServer server(mc);
  RunPlan plan;
  plan.target.host = "127.0.0.1";
  plan.target.port = server.start().value();
  plan.threads = 1;
  // Short timeouts make the faults that end in a timeout quick. Every other
  // fault gets room: a healthy request of a sanitizer build on a loaded
  // machine once sat 0.5 s between reads and counted as a timeout. Building
  // and writing a several-MiB event holds the server's one thread for a while
  // (longer in debug and sanitizer builds), which must not time out the
  // other streams either.
  const bool times_out = c.kind == ErrorKind::timeout;
  plan.timeout_s = times_out ? 2 : 30;
  plan.idle_timeout_s = times_out ? 0.5 : 10;
  plan.max_event_bytes = 64 * 1024;
  test::add_chat_prompt(plan, "p", "hello", 8);
  Engine engine(plan);
  const Status prepared = engine.prepare();
  ASSERT_TRUE(prepared) << prepared.error();
  const StageResult r = engine.run_stage(0, test::closed_stage(2, 6), {});
  const stats::MetricSet& m = r.overall;
  EXPECT_EQ(m.requests, 6u);
  EXPECT_EQ(r.scheduled, r.phases.warmup + r.phases.measured + r.phases.cooldown);
  EXPECT_EQ(m.succeeded + m.failed + m.cancelled, m.requests);
  if (c.kind == ErrorKind::none) {
    EXPECT_EQ(m.succeeded, 6u) << c.fault;
    return;
  }
  // Every second completion request carries the fault.
  EXPECT_EQ(m.errors[static_cast<std::size_t>(c.kind)], 3u) << c.fault << " gave: connect " << m.errors[1]
                                                             << " timeout " << m.errors[2] << " 4xx " << m.errors[3]
                                                             << " 429 " << m.errors[4] << " 5xx " << m.errors[5]
                                                             << " protocol " << m.errors[6] << " reset " << m.errors[7]
                                                             << " incomplete " << m.errors[8] << " error_event "
                                                             << m.errors[9];
  EXPECT_EQ(m.succeeded, 3u) << c.fault;
}

INSTANTIATE_TEST_SUITE_P(
    EveryMode, FaultClassification,
    ::testing::Values(Case{"http_500", ErrorKind::http_5xx}, Case{"http_503", ErrorKind::http_5xx},
                      Case{"http_429", ErrorKind::http_429}, Case{"reset_midstream", ErrorKind::reset},
                      Case{"close_no_done", ErrorKind::incomplete}, Case{"bad_chunk_size", ErrorKind::protocol},
                      Case{"bad_json_event", ErrorKind::protocol}, Case{"huge_event", ErrorKind::protocol},
                      Case{"stall_after_headers", ErrorKind::timeout}, Case{"stall_midstream", ErrorKind::timeout},
                      Case{"no_response", ErrorKind::timeout}, Case{"garbage", ErrorKind::protocol},
                      Case{"dribble", ErrorKind::none}, Case{"html_200", ErrorKind::protocol},
                      Case{"error_event", ErrorKind::error_event}, Case{"empty_reply", ErrorKind::empty}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.fault); });

}  // namespace
}  // namespace llmbench
