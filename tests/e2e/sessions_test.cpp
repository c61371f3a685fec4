// Multi-turn sessions (--turns) against the built-in server, whose slots keep
// their last prompt and reply (llama-server's prompt cache): each turn sends
// the history so far, so turn k's prompt starts with turn k-1's whole prompt
// and the reply the server gave, and the cache serves it.
#include <gtest/gtest.h>

#include <map>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

struct Turn {
  std::uint64_t id = 0;
  long input = 0;
  long output = 0;
  long cached = -1;
  double ttft_ms = 0;
  double intended_ms = -1;
  double end_ms = 0;
};

// session -> turn -> its row (CSV columns: 0 id, 3 intended, 8 end, 9 TTFT,
// 12 input, 13 output, 21 cached, 22 session, 23 turn).
std::map<long, std::map<int, Turn>> sessions_of(const std::string& csv) {
  std::map<long, std::map<int, Turn>> out;
  for (const auto& c : csv_measured_rows(csv)) {
    if (c.size() < 24 || c[23].empty()) continue;
    Turn t;
    t.id = std::stoull(c[0]);
    t.input = std::stol(c[12]);
    t.output = std::stol(c[13]);
    if (!c[21].empty()) t.cached = std::stol(c[21]);
    if (!c[9].empty()) t.ttft_ms = std::stod(c[9]);
    if (!c[4].empty()) t.intended_ms = std::stod(c[4]);
    t.end_ms = std::stod(c[8]);
    out[std::stol(c[22])][std::stoi(c[23])] = t;
  }
  return out;
}

TEST(Sessions, LaterTurnsCarryTheHistoryAndHitThePromptCache) {
  TempDir dir;
  const std::string out = dir.file("r.json"), csv = dir.file("r.csv");
  const RunResult r = run_llmbench({"--mock", "--mock-slots", "2", "--mock-decode-tps", "2000", "--mock-prompt-tps",
                                    "4000", "--input-tokens", "100", "--output-tokens", "8", "--turns", "4",
                                    "--concurrency", "2", "--requests", "32", "--output", out, "--csv", csv,
                                    "--no-progress"});
  ASSERT_EQ(r.code(), 0) << r.why();
  for (const char* row : {"turn 1", "turn 2", "turn 3", "turn 4", "cached p50"}) {
    EXPECT_TRUE(contains(r.out, row)) << row << "\n" << r.out;
  }
  const auto sessions = sessions_of(csv);
  ASSERT_EQ(sessions.size(), 8u) << "2 clients x 4 sessions of 4 turns = 32 requests";
  int beyond_prompt = 0;
  double ttft4 = 0, input4 = 0;
  for (const auto& [id, turns] : sessions) {
    ASSERT_EQ(turns.size(), 4u) << "session " << id;
    for (int k = 2; k <= 4; ++k) {
      const Turn& prev = turns.at(k - 1);
      const Turn& t = turns.at(k);
      // The history: the last prompt, its reply, then 100 new tokens (the
      // reply's text, counted again, can merge a piece or two: BPE does).
      EXPECT_GE(t.input, prev.input + prev.output + 100 - 3) << "session " << id << " turn " << k;
      // The server's cache holds the last prompt: the history starts with it
      // byte for byte, and usually also with the reply the server generated.
      EXPECT_GE(t.cached, prev.input) << "session " << id << " turn " << k;
      beyond_prompt += t.cached > prev.input;
    }
    ttft4 += turns.at(4).ttft_ms;
    input4 += static_cast<double>(turns.at(4).input);
  }
  EXPECT_GE(beyond_prompt, 12) << "the replies sent back were not the ones the server generated";
  // Turn 4's prompt is ~430 tokens, 108 ms of prefill at 4,000 tok/s; from
  // the cache only its last ~110 are evaluated.
  EXPECT_LT(ttft4 / 8, 0.6 * (input4 / 8) / 4.0) << "turn 4 TTFT shows no cache";
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(integer(j.root(), "/stages/0/prompts/turn 2/stats/server_view/cache_hits"), 8);
  EXPECT_EQ(integer(j.root(), "/stages/0/prompts/turn 4/stats/requests_succeeded"), 8);
}

// Open loop: each arrival begins a session; its later turns are due a think
// time after the last reply ended, are measured from then, and carry ids
// session x 256 + turn - 1.
TEST(Sessions, OpenLoopArrivalsBeginSessionsAndTurnsWaitTheirThinkTime) {
  TempDir dir;
  const std::string csv = dir.file("r.csv");
  const RunResult r = run_llmbench({"--mock", "--mock-slots", "8", "--mock-decode-tps", "2000", "--input-tokens", "40",
                                    "--output-tokens", "4", "--turns", "3", "--think-time", "0.3", "--rate", "4",
                                    "--requests", "6", "--arrival", "constant", "--csv", csv, "--no-progress"});
  ASSERT_EQ(r.code(), 0) << r.why();
  const auto sessions = sessions_of(csv);
  ASSERT_EQ(sessions.size(), 6u) << "--requests counts sessions in an open loop";
  for (const auto& [id, turns] : sessions) {
    ASSERT_EQ(turns.size(), 3u) << "session " << id;
    for (int k = 1; k <= 3; ++k) EXPECT_EQ(turns.at(k).id, static_cast<std::uint64_t>(id) * 256 + (k - 1));
    for (int k = 2; k <= 3; ++k) {
      const double waited = turns.at(k).intended_ms - turns.at(k - 1).end_ms;
      EXPECT_GE(waited, 299.0) << "session " << id << " turn " << k;
      EXPECT_LT(waited, 300.0 + 250.0) << "session " << id << " turn " << k;
    }
  }
}

TEST(Sessions, ADatasetsConversationsAreSentTurnByTurn) {
  TempDir dir;
  const std::string data = dir.file("chat.jsonl"), csv = dir.file("r.csv");
  write_file(data,
             R"({"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"one two three"},{"role":"assistant","content":"recorded reply that is not sent"},{"role":"user","content":"four five"}]})"
             "\n"
             R"({"messages":[{"role":"user","content":"single turn"}]})"
             "\n");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--dataset", data, "--turns", "8",
                                    "--max-tokens", "4", "--concurrency", "1", "--requests", "3", "--csv", csv,
                                    "--no-progress"});
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.err + r.out, "2 conversations")) << r.err;
  const auto sessions = sessions_of(csv);
  ASSERT_EQ(sessions.size(), 2u);
  const auto& first = sessions.begin()->second;
  ASSERT_EQ(first.size(), 2u);
  // Turn 2 = turn 1's prompt + the server's 4-token reply + "four five".
  EXPECT_GE(first.at(2).input, first.at(1).input + 4 + 2);
  EXPECT_EQ(sessions.rbegin()->second.size(), 1u);
}

}  // namespace
}  // namespace llmbench::e2e
