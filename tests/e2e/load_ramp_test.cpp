// Ramps against the built-in server: the time series shows the offered load
// rising from A to B, the results say it was a ramp, and a malformed --ramp
// is a usage error that sends nothing.
#include <gtest/gtest.h>

#include <algorithm>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

struct Bucket {
  double t_s = 0, offered = 0;
  std::int64_t started = 0;
};

std::vector<Bucket> series(simdjson::dom::element root) {
  std::vector<Bucket> out;
  simdjson::dom::array a;
  if (at(root, "/stages/0/timeseries").get(a)) return out;
  for (simdjson::dom::element b : a) out.push_back(Bucket{num(b, "/t_s"), num(b, "/offered_load"), integer(b, "/requests_started")});
  return out;
}

// The buckets whose whole width lies in the measured window.
std::vector<Bucket> inside_window(const std::vector<Bucket>& all, simdjson::dom::element root, double width_s) {
  const double start = num(root, "/stages/0/window/start_s"), end = num(root, "/stages/0/window/end_s");
  std::vector<Bucket> out;
  for (const Bucket& b : all) {
    if (b.t_s >= start - 1e-6 && b.t_s + width_s <= end + 1e-6) out.push_back(b);
  }
  return out;
}

TEST(LoadRamp, ARateRampOffersARisingLoadAndWritesItsResults) {
  TempDir dir;
  const std::string out = dir.file("ramp.json"), html = dir.file("ramp.html");
  const RunResult r = run_llmbench({"--mock", "--mock-slots", "64", "--mock-decode-tps", "2000", "--max-tokens", "4",
                                    "--ramp", "rate=2..60", "--duration", "2", "--timeseries-interval", "0.25",
                                    "--output", out, "--html", html});
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.out, "Stage ramp rate=2..60 (open loop ramp, 2 to 60 req/s, linear")) << r.out;
  EXPECT_TRUE(contains(r.out, "Ramp, offered load and latency")) << r.out;
  EXPECT_TRUE(file_exists(html));
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  EXPECT_EQ(str(root, "/stages/0/ramp/load"), "rate");
  EXPECT_DOUBLE_EQ(num(root, "/stages/0/ramp/from"), 2);
  EXPECT_DOUBLE_EQ(num(root, "/stages/0/ramp/to"), 60);
  EXPECT_EQ(str(root, "/stages/0/ramp/shape"), "linear");
  const auto in = inside_window(series(root), root, 0.25);
  ASSERT_GE(in.size(), 6u);
  // The plan's offered load: each bucket's mean rate, rising by 7.25 req/s a bucket.
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_NEAR(in[i].offered, 2 + 58 * (static_cast<double>(i) + 0.5) / 8, 0.5) << "bucket " << i;
    if (i > 0) {
      EXPECT_GT(in[i].offered, in[i - 1].offered);
    }
  }
  // And the requests sent follow it: (2 + 31) / 2 = 16.5 expected in the
  // first second, (31 + 60) / 2 = 45.5 in the second (Poisson: the
  // difference's sd is 7.9). The seeded schedule has 22 and 46; lag on a
  // busy machine moves only the few arrivals within ms of the boundary.
  std::int64_t first = 0, second = 0;
  for (std::size_t i = 0; i < in.size(); ++i) (i < in.size() / 2 ? first : second) += in[i].started;
  EXPECT_GT(second, first + 12) << first << " then " << second;
  EXPECT_GT(integer(root, "/stages/0/summary/requests_succeeded"), 30);
  EXPECT_FALSE(is_null(root, "/stages/0/timeseries/0/ttft_p99_ms"));
  EXPECT_FALSE(is_null(root, "/stages/0/timeseries/0/e2e_p50_ms"));
}

TEST(LoadRamp, AConcurrencyRampAddsClientsOverTheDuration) {
  TempDir dir;
  const std::string out = dir.file("ramp.json");
  const RunResult r = run_llmbench({"--mock", "--mock-slots", "16", "--mock-decode-tps", "500", "--max-tokens", "8",
                                    "--ramp", "concurrency=1..8", "--ramp-shape", "exponential", "--duration", "2",
                                    "--timeseries-interval", "0.5", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.out, "(closed loop ramp, 1 to 8 clients, exponential")) << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  EXPECT_EQ(str(root, "/stages/0/ramp/load"), "concurrency");
  EXPECT_EQ(integer(root, "/stages/0/concurrency"), 8);
  const auto in = inside_window(series(root), root, 0.5);
  ASSERT_EQ(in.size(), 4u);
  // 2^(1.5 t) clients: client k joins at (2/3) log2 k s (2 at 0.667, 3 at
  // 1.057, 4 at 1.333, 5 at 1.548, 6 at 1.723, 7 at 1.872, 8 at 2), so the
  // buckets' mean client counts are 1, 1.667, 3.219 and 5.713.
  const double want[] = {1, 1.667, 3.219, 5.713};
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(in[i].offered, want[i], 0.01) << "bucket " << i;
  for (std::size_t i = 1; i < in.size(); ++i) EXPECT_GT(in[i].offered, in[i - 1].offered) << "bucket " << i;
  EXPECT_GT(in.back().started, in.front().started);
}

TEST(LoadRamp, MalformedRampsAreUsageErrorsThatSendNothing) {
  ClosedPort port;
  port.listen();
  const std::string p = std::to_string(port.port());
  const auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"--host", "127.0.0.1", "--port", p};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_llmbench(args);
  };
  const struct {
    std::vector<std::string> args;
    std::string says;
  } cases[] = {
      {{"--ramp", "rate=50", "--duration", "1"}, "--ramp 'rate=50': expected a range rate=A..B"},
      {{"--ramp", "foo=1..2", "--duration", "1"}, "--ramp 'foo=1..2': 'foo' cannot be ramped"},
      {{"--ramp", "rate=5..x", "--duration", "1"}, "--ramp 'rate=5..x': 'x' is not a number"},
      {{"--ramp", "rate=1..5"}, "--ramp needs --duration"},
      {{"--ramp", "rate=1..5", "--duration", "1", "--rate", "3"}, "--ramp and --rate"},
      {{"--ramp", "rate=1..5", "--duration", "1", "--concurrency", "3"}, "--ramp and --concurrency"},
      {{"--ramp", "rate=1..5", "--duration", "1", "--sweep", "rate=1,2"}, "--ramp and --sweep"},
      {{"--ramp", "rate=0..5", "--duration", "1", "--ramp-shape", "exponential"}, "both ends must be above 0"},
  };
  for (const auto& c : cases) {
    const RunResult r = run(c.args);
    EXPECT_EQ(r.code(), 2) << c.says << ": " << r.why();
    EXPECT_TRUE(contains(r.err, c.says)) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  EXPECT_FALSE(port.pending_connection()) << "llmbench connected although --ramp was bad";
}

// A step profile needs no new flag: a config file's "stages", each with its
// own load and bounds, run in order.
TEST(LoadRamp, AConfigFilesStagesRunAsAStepProfile) {
  TempDir dir;
  const std::string config = dir.file("steps.json"), out = dir.file("steps.json.out");
  write_file(config, R"({"max_tokens": 4, "stages": [{"concurrency": 2, "duration": 0.5},
      {"rate": 8, "duration": 0.5}, {"ramp": "rate=4..16", "duration": 0.5}]})");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--config", config, "--output", out, "-q"});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  ASSERT_EQ(array_size(j.root(), "/stages"), 3u);
  EXPECT_EQ(str(j.root(), "/stages/0/label"), "concurrency=2");
  EXPECT_EQ(str(j.root(), "/stages/1/label"), "rate=8");
  EXPECT_EQ(str(j.root(), "/stages/2/ramp/load"), "rate");
  EXPECT_DOUBLE_EQ(num(j.root(), "/stages/1/duration_s"), 0.5);
  // A bad entry: one line naming the stage's index and key, exit 2.
  write_file(config, R"({"stages": [{"concurrency": 2, "duration": 1}, {"rate": "fast", "duration": 1}]})");
  const RunResult bad = run_llmbench({"--mock", "--config", config});
  EXPECT_EQ(bad.code(), 2) << bad.why();
  EXPECT_TRUE(contains(bad.err, "stages[1].rate: expected a number")) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
}

}  // namespace
}  // namespace llmbench::e2e
