// What a user meets against a real llama-server (issue 12), each as the user
// sees it: a server that dies mid-run, a run with too many errors, a prompt
// that fails every run, a body that was not streamed.
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "e2e_support.hpp"
#include "llmbench/http/fetch.hpp"

namespace llmbench::e2e {
namespace {

// A built-in server in a process of its own, so that it can be killed.
struct ServerProcess {
  ServerProcess() {
    SpawnOptions opts;
    opts.stdout_fd = out.write_fd();
    child = std::make_unique<Child>(std::vector<std::string>{binary(), "mock-server", "--port", "0", "--decode-tps", "100"},
                                    opts);
    out.close_write();
    std::string banner;
    if (!out.read_until(banner, "\n", Clock::now() + kHardBound)) throw std::runtime_error("no banner: " + banner);
    std::smatch m;
    if (!std::regex_search(banner, m, std::regex(R"(:(\d+)\s*$)"))) throw std::runtime_error("banner: " + banner);
    port = m[1].str();
  }
  // Polls GET /slots until a slot is busy: requests are in flight.
  bool wait_until_busy() const {
    http::Target t;
    t.host = "127.0.0.1";
    t.port = static_cast<std::uint16_t>(std::stoi(port));
    for (const auto deadline = Clock::now() + kHardBound; Clock::now() < deadline;) {
      const http::FetchResult r = http::fetch(t, "GET", "/slots", "", http::FetchOptions{});
      if (r.ok && r.body.find("\"is_processing\":true") != std::string::npos) return true;
      // An external process's state: nothing to wait on but its answers.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  Pipe out;
  std::unique_ptr<Child> child;
  std::string port;
};

TEST(RealServer, AServerThatDiesStopsTheStageWithExitThreeAndFewConnectAttempts) {
  ServerProcess server;
  TempDir dir;
  const std::string out = dir.file("r.json");
  CaptureFile err;
  SpawnOptions opts;
  opts.stderr_fd = err.fd();
  Child bench({binary(), "--url", "http://127.0.0.1:" + server.port, "--concurrency", "4", "--duration", "30",
               "--abort-after", "2", "--no-progress", "--output", out},
              opts);
  ASSERT_TRUE(server.wait_until_busy());
  server.child->signal(SIGKILL);
  const ExitStatus st = bench.wait_until(Clock::now() + kHardBound);
  ASSERT_TRUE(st.exited) << describe(st);
  EXPECT_EQ(st.code, 3) << err.contents();
  EXPECT_TRUE(contains(err.contents(), "unreachable since t=")) << err.contents();
  Json j;
  ASSERT_TRUE(j.load(out)) << "results are written";
  EXPECT_EQ(str(j.root(), "/stages/0/stopped_early/reason"), "unreachable");
  const std::int64_t connects = integer(j.root(), "/stages/0/summary/errors/connect");
  EXPECT_GT(connects, 0);
  // Four clients backing off from 10 ms to 1 s for 2 s: a few dozen attempts,
  // not the tens of thousands a second of a client that never waits.
  EXPECT_LT(connects, 100);
  // The measured window ends where the stage stopped, not 30 s after it
  // began: the rates are those of the time the stage ran.
  const double window = num(j.root(), "/stages/0/summary/measured_window_s");
  EXPECT_GT(window, 0.0);
  EXPECT_LE(window, num(j.root(), "/stages/0/elapsed_s") + 0.01) << "the window ran on past the stop";
  EXPECT_LT(window, 20.0);
}

TEST(RealServer, TooManyErrorsStopTheStageWithExitSeven) {
  TempDir dir;
  const std::string out = dir.file("r.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--mock-fault", "http_500",
                                    "--mock-fault-every", "2", "--concurrency", "2", "--duration", "30",
                                    "--max-tokens", "4", "--max-error-rate", "0.2", "--no-progress", "--output", out});
  EXPECT_EQ(r.code(), 7) << r.why();
  EXPECT_TRUE(contains(r.err, "more than --max-error-rate 0.2")) << r.err;
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(str(j.root(), "/stages/0/stopped_early/reason"), "error_rate");
  EXPECT_LT(num(j.root(), "/stages/0/elapsed_s"), 20.0);
}

TEST(RealServer, OverallSaysWhenItCoversFewerPrompts) {
  TempDir dir;
  const std::string out = dir.file("r.json");
  // Every second completion fails: with one run each and no warm-up, the
  // second prompt fails all its runs.
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--mock-fault", "http_500",
                                    "--mock-fault-every", "2", "--prompts", "cache_loops,memory_bandwidth", "--runs",
                                    "1", "--warmup", "0", "--max-tokens", "4", "--output", out});
  EXPECT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.out, "WARNING: Overall averages 1 of 2 prompts (memory_bandwidth failed every run)")) << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_FALSE(boolean(j.root(), "/summary/prompts_complete"));
  EXPECT_EQ(str(j.root(), "/summary/failed_prompts/0"), "memory_bandwidth");
}

TEST(RealServer, ARunLineOfABodyNotStreamedSaysTtftNotApplicable) {
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--no-stream", "--prompts", "cache_loops",
                                    "--runs", "1", "--max-tokens", "4"});
  EXPECT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.err, "TTFT n/a")) << r.err;
  EXPECT_FALSE(contains(r.err, "TTFT -1")) << r.err;
}

}  // namespace
}  // namespace llmbench::e2e

namespace llmbench::e2e {
namespace {

TEST(RealServer, VerboseSaysWhatHappensAndVeryVerboseEveryRequest) {
  const std::vector<std::string> common = {"--mock", "--mock-decode-tps", "2000", "--concurrency", "1", "--requests",
                                           "2", "--max-tokens", "4", "--header", "X-Api-Key: sk-secret-0123456789",
                                           "--no-progress"};
  RunResult quiet = run_llmbench(common);
  ASSERT_EQ(quiet.code(), 0) << quiet.why();
  EXPECT_FALSE(contains(quiet.err, "stage concurrency=1 started")) << quiet.err;

  std::vector<std::string> v = common;
  v.push_back("-v");
  const RunResult one = run_llmbench(v);
  ASSERT_EQ(one.code(), 0) << one.why();
  for (const char* line : {"target http://127.0.0.1:", "model /models/mock-llama-q4_k_m.gguf",
                           "stage concurrency=1 started", "stage concurrency=1 ended", "connection to http://127.0.0.1:"}) {
    EXPECT_TRUE(contains(one.err, line)) << line << "\n" << one.err;
  }
  EXPECT_FALSE(contains(one.err, "POST /v1/chat/completions ->")) << "per-request lines need -vv";

  v.push_back("-v");
  const RunResult two = run_llmbench(v);
  ASSERT_EQ(two.code(), 0) << two.why();
  EXPECT_TRUE(contains(two.err, "POST /v1/chat/completions -> 200")) << two.err;
  EXPECT_FALSE(contains(two.err, "sk-secret-0123456789")) << "credentials are never logged";
  EXPECT_FALSE(contains(two.err, "\"messages\"")) << "bodies are never logged";
}

}  // namespace
}  // namespace llmbench::e2e

namespace llmbench::e2e {
namespace {

TEST(RealServer, LoadModeKeepsTheServersErrorMessages) {
  TempDir dir;
  const std::string out = dir.file("r.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--mock-fault", "http_500",
                                    "--mock-fault-every", "3", "--concurrency", "2", "--requests", "9", "--max-tokens",
                                    "4", "--no-progress", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.out, "first failure (http_5xx): HTTP 500: injected fault")) << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(array_size(j.root(), "/stages/0/error_messages/http_5xx"), 1u) << "distinct messages only";
  EXPECT_TRUE(contains(str(j.root(), "/stages/0/error_messages/http_5xx/0"), "injected fault"));
}

}  // namespace
}  // namespace llmbench::e2e
