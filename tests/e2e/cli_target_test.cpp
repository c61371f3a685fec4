// The guide's way of running: llmbench against a server in another process,
// named by --host/--port (here the built-in server run on its own), and a
// server that is still loading its model.
#include <gtest/gtest.h>

#include <regex>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

TEST(CliTarget, SeparateMockServerByHostAndPort) {
  Pipe server_out;
  SpawnOptions opts;
  opts.stdout_fd = server_out.write_fd();
  Child server({binary(), "mock-server", "--port", "0", "--decode-tps", "1000"}, opts);
  server_out.close_write();
  const auto deadline = Clock::now() + kHardBound;
  std::string banner;
  // "llmbench mock-server listening on http://127.0.0.1:PORT\n"
  ASSERT_TRUE(server_out.read_until(banner, "\n", deadline)) << banner;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(banner, m, std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"))) << banner;
  const std::string port = m[1].str();

  TempDir dir;
  const std::string out = dir.file("results.json");
  const RunResult r = run_llmbench({"--host", "127.0.0.1", "--port", port, "--prompts", "cache_loops", "--runs", "2",
                                    "--max-tokens", "16", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(str(j.root(), "/system_info/model"), "/models/mock-llama-q4_k_m.gguf");
  EXPECT_EQ(array_size(j.root(), "/prompts/cache_loops/results"), 2u);
  EXPECT_EQ(num(j.root(), "/prompts/cache_loops/stats/success_rate"), 1.0);
  EXPECT_TRUE(contains(r.out, "Model: mock-llama-q4_k_m.gguf")) << r.out;

  // The server stops cleanly on SIGINT.
  server.signal(SIGINT);
  const ExitStatus st = server.wait_until(Clock::now() + kHardBound);
  EXPECT_TRUE(st.exited && (st.code == 0 || st.code == 130)) << describe(st);
}

TEST(CliTarget, ServerStillLoadingExitsThreeUnlessWaitedFor) {
  const std::vector<std::string> common = {"--mock", "--mock-load-seconds", "1", "--mock-decode-tps", "1000",
                                           "--max-tokens", "16", "--prompts", "cache_loops", "--runs", "1"};
  RunResult r = run_llmbench(common);
  EXPECT_EQ(r.code(), 3) << r.why();
  EXPECT_TRUE(contains(r.err, "--wait-ready")) << r.err;

  std::vector<std::string> waiting = common;
  waiting.insert(waiting.end(), {"--wait-ready", "20"});
  r = run_llmbench(waiting);
  EXPECT_EQ(r.code(), 0) << r.why();
}

}  // namespace
}  // namespace llmbench::e2e
