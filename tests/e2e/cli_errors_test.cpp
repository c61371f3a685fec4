// Mistakes on the command line and a server that is not there: the exit
// codes scripts rely on, and messages that say what to do.
#include <gtest/gtest.h>

#include <algorithm>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(CliErrors, UnknownPromptKeyIsAUsageErrorBeforeAnyConnection) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  ClosedPort port;  // refused: a connection attempt would turn into exit 3
  const RunResult r = run_llmbench({"--host", "127.0.0.1", "--port", std::to_string(port.port()), "--prompts",
                                    "memory_sequential,no_such_prompt", "--output", out});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "no_such_prompt")) << r.err;
  for (const std::string& key : guide_prompt_keys()) EXPECT_TRUE(contains(r.err, key)) << key << " in: " << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_FALSE(file_exists(out));
}

TEST(CliErrors, UnknownPromptKeySendsNothing) {
  // A listener that never accepts: any connection attempt stays in its
  // backlog, where the test sees it.
  ClosedPort port;
  port.listen();
  const RunResult r = run_llmbench(
      {"--host", "127.0.0.1", "--port", std::to_string(port.port()), "--prompts", "cache_loops,bogus"});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_FALSE(port.pending_connection()) << "llmbench connected although the prompt key was wrong";
}

TEST(CliErrors, UnreachableServerExitsThreeWithTheGuidesAdvice) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  ClosedPort port;
  const std::string origin = "http://127.0.0.1:" + std::to_string(port.port());
  const RunResult r = run_llmbench({"--host", "127.0.0.1", "--port", std::to_string(port.port()), "--runs", "1",
                                    "--prompts", "cache_loops", "--output", out});
  EXPECT_EQ(r.code(), 3) << r.why();
  EXPECT_TRUE(contains(r.err, "API not responding")) << r.err;
  EXPECT_TRUE(contains(r.err, "curl " + origin + "/v1/models")) << r.err;
}

TEST(CliErrors, BadFlagValuesAreUsageErrors) {
  const std::vector<std::vector<std::string>> cases = {
      {"--runs", "0"},
      {"--runs", "five"},
      {"--endpoint", "grpc"},
      {"--no-such-flag"},
      {"--mock", "--mock-fault", "no_such_fault"},
      {"--concurrency", "2", "--rate", "3", "--duration", "1"},
      {"--concurrency", "2"},  // load mode without a bound
      {"--sweep", "concurrency=1,x", "--duration", "1"},
  };
  for (const auto& flags : cases) {
    std::string joined;
    for (const std::string& f : flags) joined += f + " ";
    const RunResult r = run_llmbench(flags);
    EXPECT_EQ(r.code(), 2) << joined << ": " << r.why();
    EXPECT_FALSE(r.err.empty()) << joined;
  }
}

}  // namespace
}  // namespace llmbench::e2e
