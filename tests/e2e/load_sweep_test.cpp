// The acceptance test of load mode: a concurrency sweep against a server
// with four slots finds where it saturates.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

// Every stage summary (and the run's summary) carries these.
void expect_summary_layout(simdjson::dom::element root, const std::string& s) {
  SCOPED_TRACE(s);
  for (const char* f : {"requests_total", "requests_succeeded", "requests_failed"}) {
    EXPECT_GE(integer(root, s + "/" + f), 0) << f;
  }
  simdjson::dom::object errors;
  EXPECT_EQ(at(root, s + "/errors").get(errors), simdjson::SUCCESS);
  for (const char* kind : {"connect", "timeout", "http_4xx", "http_429", "http_5xx", "protocol", "reset",
                           "incomplete", "error_event", "empty"}) {
    EXPECT_GE(integer(root, s + "/errors/" + kind), 0) << kind;
  }
  EXPECT_GE(integer(root, s + "/truncated"), 0);
  EXPECT_GE(integer(root, s + "/stopped_before_max_tokens"), 0);
  EXPECT_GE(num(root, s + "/request_throughput"), 0.0);
  EXPECT_GE(num(root, s + "/output_tokens_per_second"), 0.0);
  for (const char* metric : {"ttft_ms", "itl_ms", "tpot_ms", "e2e_ms"}) {
    const std::string m = s + "/" + metric;
    EXPECT_GE(integer(root, m + "/count"), 0) << m;
    double prev = -1;
    for (const char* q : {"min", "p50", "p90", "p95", "p99", "p999", "max"}) {
      const double v = num(root, m + "/" + q);
      EXPECT_GE(v, prev) << m << "/" << q << " below the quantile before it";
      prev = v;
    }
    EXPECT_GE(num(root, m + "/mean"), num(root, m + "/min")) << m;
    EXPECT_LE(num(root, m + "/mean"), num(root, m + "/max")) << m;
    EXPECT_GE(num(root, m + "/std"), 0.0) << m;
  }
}

TEST(LoadSweep, ConcurrencySweepFindsTheFourSlotKnee) {
  TempDir dir;
  const std::string out = dir.file("sweep.json");
  // 32 tokens at 50 tok/s per slot: each request takes ~0.65 s, a slot gives
  // 50 tok/s, four slots 200 tok/s, and an eighth client only queues.
  const RunResult r = run_llmbench({"--mock", "--mock-slots", "4", "--mock-decode-tps", "50", "--max-tokens", "32",
                                    "--sweep", "concurrency=1,2,4,8", "--duration", "3", "--threads", "2", "--output",
                                    out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  ASSERT_EQ(array_size(root, "/stages"), 4u);
  const int conc[] = {1, 2, 4, 8};
  double tput[4], ttft_p50[4];
  for (int i = 0; i < 4; ++i) {
    const std::string st = "/stages/" + std::to_string(i);
    EXPECT_EQ(str(root, st + "/label"), "concurrency=" + std::to_string(conc[i]));
    EXPECT_EQ(str(root, st + "/mode"), "closed");
    EXPECT_EQ(integer(root, st + "/concurrency"), conc[i]);
    expect_summary_layout(root, st + "/summary");
    EXPECT_GT(integer(root, st + "/summary/requests_succeeded"), 0);
    EXPECT_EQ(integer(root, st + "/summary/requests_failed"), 0);
    tput[i] = num(root, st + "/summary/output_tokens_per_second");
    ttft_p50[i] = num(root, st + "/summary/ttft_ms/p50");
  }
  expect_summary_layout(root, "/summary");

  EXPECT_NEAR(tput[0], 50.0, 10.0);
  EXPECT_GT(tput[1], 1.7 * tput[0]) << tput[1] << " vs " << tput[0];
  EXPECT_GT(tput[2], 3.4 * tput[0]) << tput[2] << " vs " << tput[0];
  EXPECT_NEAR(tput[2], 200.0, 30.0);
  // Beyond four slots: no more throughput, only queueing in front of them.
  EXPECT_NEAR(tput[3], tput[2], 0.10 * tput[2]);
  EXPECT_GT(ttft_p50[3], 3 * ttft_p50[2]) << ttft_p50[3] << " vs " << ttft_p50[2];
  EXPECT_EQ(str(root, "/load/knee"), "concurrency=4");
  EXPECT_EQ(str(root, "/load/mode"), "closed");
  EXPECT_TRUE(contains(r.out, "Knee: concurrency=4")) << r.out;
}

}  // namespace
}  // namespace llmbench::e2e
