// llmbench depth against the built-in server: llama-bench's rows (pp and tg
// at each depth and concurrency) from the server's timings, the depth really
// served from the prompt cache, exactly pp new tokens evaluated, and bad
// lists refused before anything is sent.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

TEST(Depth, RowsForEveryDepthAndConcurrencyFromTheServersTimings) {
  TempDir dir;
  const std::string out = dir.file("d.json");
  // The server's own rates: 500 prompt tokens/s (which a loaded machine can
  // only slow) and 200 tokens/s decoding.
  const RunResult r = run_llmbench({"depth", "--mock", "--mock-decode-tps", "200", "--mock-prompt-tps", "500",
                                    "--endpoint", "completions", "--depths", "0,512", "--pp", "64", "--tg", "8",
                                    "--concurrency", "1,2", "--runs", "2", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.out, "| pp64 @ d512")) << r.out;
  EXPECT_TRUE(contains(r.out, "| tg8 @ d512")) << r.out;
  EXPECT_TRUE(contains(r.out, "client t/s")) << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  ASSERT_EQ(array_size(j.root(), "/depth/rows"), 8u);
  EXPECT_EQ(integer(j.root(), "/depth/requests_failed"), 0);
  for (std::size_t i = 0; i < 8; ++i) {
    const std::string row = "/depth/rows/" + std::to_string(i);
    const std::string test = str(j.root(), row + "/test");
    const std::int64_t clients = integer(j.root(), row + "/clients");
    const std::int64_t depth = integer(j.root(), row + "/depth");
    EXPECT_EQ(integer(j.root(), row + "/n"), 2 * clients) << row;  // runs x clients
    const double tps = num(j.root(), row + "/tokens_per_second_mean");
    EXPECT_NEAR(num(j.root(), row + "/tokens_per_second_all_clients"), tps * static_cast<double>(clients), 1e-6);
    // The client's figure beside the server's, from the stream it read: never
    // faster than the server (its TTFT holds the prefill; its decode span the
    // server's tokens), and not far slower on loopback.
    const double client = num(j.root(), row + "/client_tokens_per_second_mean");
    EXPECT_GT(client, 0.3 * tps) << row;
    EXPECT_LT(client, 1.15 * tps) << row;
    if (test.starts_with("pp")) {
      // The server's prefill rate, and exactly pp tokens evaluated on top of
      // a depth that the cache served.
      EXPECT_GT(tps, 100.0) << row;
      EXPECT_LT(tps, 525.0) << row << ": faster than the server prefills";
      const double fresh = num(j.root(), row + "/new_tokens_mean");
      const double cached = num(j.root(), row + "/cached_tokens_mean");
      if (depth == 0) {
        // The whole prompt is pp tokens; a slot may still hold its BOS.
        EXPECT_EQ(fresh + cached, 64.0) << row;
        EXPECT_LE(cached, 2.0) << row;
      } else {
        EXPECT_EQ(fresh, 64.0) << row;
        EXPECT_GE(cached, static_cast<double>(depth)) << row;
      }
    } else {
      EXPECT_TRUE(test.starts_with("tg")) << test;
      // predicted_n / predicted_ms, as the server measured it (its tokens
      // catch up on a schedule after a late start, so no upper bound here).
      EXPECT_GT(tps, 40.0) << row;
      EXPECT_GT(num(j.root(), row + "/e2e_ms_mean"), 0.0) << row;
    }
  }
}

TEST(Depth, ABadListIsAUsageErrorNamingTheFlag) {
  const RunResult r = run_llmbench({"depth", "--mock", "--depths", "0,x"});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_TRUE(contains(r.err, "--depths '0,x'")) << r.err;
  // Clients are threads and server slots: 0, a negative count and more
  // than 1,024 are refused in one line naming the flag, before the target is
  // asked anything (nothing listens on port 1: a list let through fails
  // there instead, at once, with another message).
  for (const char* bad : {"0", "-3", "1,1025", "100000"}) {
    const RunResult c = run_llmbench({"depth", "--url", "http://127.0.0.1:1", std::string("--concurrency=") + bad});
    EXPECT_EQ(c.code(), 2) << bad << ": " << c.why();
    EXPECT_TRUE(contains(c.err, std::string("--concurrency '") + bad + "'")) << c.err;
    EXPECT_EQ(split_lines(c.err).size(), 1u) << c.err;
  }
  EXPECT_TRUE(contains(run_llmbench({"depth", "--url", "http://127.0.0.1:1", "--concurrency", "1025"}).err,
                       "from 1 to 1024"));
  // An endpoint that generates nothing has no prefill/decode table.
  const RunResult e = run_llmbench({"depth", "--mock", "--endpoint", "rerank"});
  EXPECT_EQ(e.code(), 2) << e.why();
  EXPECT_TRUE(contains(e.err, "generates no tokens")) << e.err;
}

// A depth past the server's context fails with the server's message and is
// counted; the other depths are still measured and written.
TEST(Depth, ADepthPastTheContextIsCountedWithTheServersMessage) {
  TempDir dir;
  const std::string out = dir.file("d.json");
  const RunResult r = run_llmbench({"depth", "--mock", "--mock-decode-tps", "1000", "--mock-ctx-per-slot", "1024",
                                    "--depths", "0,2048", "--pp", "32", "--tg", "4", "--runs", "1", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.out, "exceeds the available context size")) << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(integer(j.root(), "/depth/requests_failed"), 1);
  EXPECT_EQ(integer(j.root(), "/depth/rows/0/n"), 1);  // pp32 @ d0
}

}  // namespace
}  // namespace llmbench::e2e
