// The aggregator's exact measured window when a stage is cut short (SIGINT or
// a stop rule): the requests in flight finish in a grace period after the
// cut, and none of the window's rates may count them. Records are pushed
// straight into a worker's rings (no request is sent); the aggregator runs on
// its own thread, as in a run.
#include <gtest/gtest.h>

#include <atomic>

#include "llmbench/load/aggregator.hpp"
#include "load_plan.hpp"

namespace llmbench {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

// A streamed request that succeeded: sent at `start_s`, its first token
// 100 ms later, ended at `end_s`.
RequestRecord ok_record(double start_s, double end_s, std::uint32_t prompt_tokens) {
  RequestRecord r;
  r.phase = Phase::measured;
  r.intended_ns = r.start_ns = r.sent_ns = static_cast<std::int64_t>(start_s * kSecond);
  r.first_byte_ns = r.headers_ns = r.first_token_ns = r.first_output_ns = r.sent_ns + kSecond / 10;
  r.end_ns = r.last_token_ns = static_cast<std::int64_t>(end_s * kSecond);
  r.completion_tokens = 10;
  r.content_events = r.output_events = 10;
  r.prompt_tokens = prompt_tokens;
  r.http_status = 200;
  return r;
}

// A 10 s window from 0, cut at 4 s: one request ends at 2 s (inside), one
// at 5 s (in the grace period after the cut). Both are measured and both
// meet the SLO, yet only the first is work done inside the 4 s window.
TEST(AggregatorWindow, RequestsThatEndAfterACutCountInNoneOfTheWindowsRates) {
  RunPlan plan;
  plan.target.host = "127.0.0.1";
  plan.target.port = 9;  // never connected to: no request is sent
  plan.timestamps = http::ReadTimestamps::user;
  plan.slo.e2e_ms = 60'000;
  test::add_chat_prompt(plan, "p0", "prompt", 10);
  StageResult result;
  result.plan.mode = LoadMode::closed;
  result.plan.duration_s = 10;
  std::atomic<std::int64_t> interrupted_at{4 * kSecond};
  StageClock clock;
  clock.windows.measured_end_ns = 10 * kSecond;
  clock.interrupted_at_ns = &interrupted_at;
  const RunContext ctx{&plan, {}, nullptr};
  Worker worker(ctx, 0, 64);
  ASSERT_TRUE(worker.records().try_push(ok_record(1.0, 2.0, 100)));
  ASSERT_TRUE(worker.records().try_push(ok_record(3.0, 5.0, 1000)));
  {
    Aggregator agg(plan, result, false, {}, clock);
    agg.attach(worker);
    agg.start();
    agg.finish();
  }
  const stats::MetricSet& m = result.overall;
  ASSERT_TRUE(m.exact_window);
  ASSERT_DOUBLE_EQ(m.window_s(), 4.0) << "the window was not cut";
  // Both measured requests are accounted for, and both met the SLO...
  EXPECT_EQ(m.succeeded, 2u);
  EXPECT_EQ(m.good, 2u);
  EXPECT_EQ(m.input_tokens, 1100u);
  // ... but every rate over the window counts the first alone.
  EXPECT_DOUBLE_EQ(m.request_throughput(), 1.0 / 4.0);
  EXPECT_DOUBLE_EQ(m.goodput_per_second(), 1.0 / 4.0) << "a request that ended after the cut counted as goodput";
  EXPECT_DOUBLE_EQ(m.input_tokens_per_second(), 100.0 / 4.0)
      << "the prompt tokens of a request that ended after the cut counted";
  EXPECT_DOUBLE_EQ(result.prompts.at(0).measured.goodput_per_second(), 1.0 / 4.0);
  EXPECT_DOUBLE_EQ(result.prompts.at(0).measured.input_tokens_per_second(), 100.0 / 4.0);
}

}  // namespace
}  // namespace llmbench
