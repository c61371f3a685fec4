// API keys reach the server and nothing else: not the terminal, not the logs,
// not the results file's config echo, not error messages.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

constexpr const char* kEnvKey = "sk-llmbench-test-ENVSECRET-4711";
constexpr const char* kHeaderKey = "sk-llmbench-test-HDRSECRET-0815";

void expect_no_secret(const std::string& where, const std::string& text) {
  EXPECT_FALSE(contains(text, kEnvKey)) << "API key leaked into " << where;
  EXPECT_FALSE(contains(text, kHeaderKey)) << "header secret leaked into " << where;
  EXPECT_FALSE(contains(text, "ENVSECRET")) << where;
  EXPECT_FALSE(contains(text, "HDRSECRET")) << where;
}

TEST(Secrets, NeverInOutputLogsOrResults) {
  ::setenv("LLMBENCH_TEST_API_KEY", kEnvKey, 1);
  TempDir dir;
  // A spec run, a failing run and a load run, all verbose.
  const std::vector<std::vector<std::string>> runs = {
      {"--mock", "--mock-decode-tps", "1000", "--prompts", "cache_loops", "--runs", "1", "--max-tokens", "8"},
      {"--mock", "--mock-fault", "http_500", "--prompts", "cache_loops", "--runs", "2", "--max-tokens", "8"},
      {"--mock", "--mock-decode-tps", "1000", "--concurrency", "2", "--requests", "6", "--max-tokens", "8"},
  };
  int i = 0;
  for (std::vector<std::string> args : runs) {
    // Appends, not `"r" + std::to_string(i)`: GCC 12's bogus -Wrestrict (PR 105651).
    const std::string out = dir.file(std::string("r").append(std::to_string(i++)).append(".json"));
    for (const char* a : {"--api-key-env", "LLMBENCH_TEST_API_KEY", "--header", "Authorization: Bearer sk-llmbench-test-HDRSECRET-0815",
                          "--header", "X-Api-Key: sk-llmbench-test-HDRSECRET-0815", "-v", "-v", "--output"}) {
      args.emplace_back(a);
    }
    args.push_back(out);
    const RunResult r = run_llmbench(args);
    ASSERT_TRUE(r.status.exited) << r.why();
    expect_no_secret("stdout", r.out);
    expect_no_secret("stderr", r.err);
    ASSERT_TRUE(file_exists(out)) << r.why();
    const std::string json = read_file(out);
    expect_no_secret("the results file", json);
    EXPECT_TRUE(contains(json, "Authorization: [redacted]")) << "the header is echoed, without its value";
  }
  // --dump-config too.
  const RunResult d = run_llmbench({"--header", "Authorization: Bearer sk-llmbench-test-HDRSECRET-0815", "--dump-config"});
  EXPECT_EQ(d.code(), 0) << d.why();
  expect_no_secret("--dump-config", d.out);
  // A malformed header naming a secret is reported without it.
  const RunResult bad = run_llmbench({"--header", "X-Api-Key sk-llmbench-test-HDRSECRET-0815"});
  EXPECT_EQ(bad.code(), 2) << bad.why();
  expect_no_secret("a usage error", bad.err);
  ::unsetenv("LLMBENCH_TEST_API_KEY");
}

TEST(Secrets, TheKeyIsSentAsABearerToken) {
  // A listener that never answers: llmbench's first request (GET /v1/models)
  // sits in the socket buffer, where the test reads it after llmbench gives up.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::setenv("LLMBENCH_TEST_API_KEY", kEnvKey, 1);
  const RunResult r = run_llmbench({"--host", "127.0.0.1", "--port", std::to_string(ntohs(a.sin_port)), "--api-key-env",
                                    "LLMBENCH_TEST_API_KEY", "--timeout", "1", "--runs", "1"});
  ::unsetenv("LLMBENCH_TEST_API_KEY");
  EXPECT_EQ(r.code(), 3) << r.why();
  expect_no_secret("stderr", r.err);
  const int c = ::accept(fd, nullptr, nullptr);
  ASSERT_GE(c, 0);
  std::string request(4096, '\0');
  const ssize_t n = ::recv(c, request.data(), request.size(), MSG_DONTWAIT);
  ASSERT_GT(n, 0);
  request.resize(static_cast<std::size_t>(n));
  EXPECT_TRUE(contains(request, std::string("Authorization: Bearer ") + kEnvKey)) << request;
  ::close(c);
  ::close(fd);
}

}  // namespace
}  // namespace llmbench::e2e
