// The mock's token schedule and toy tokenizer: pure functions, checked
// without a server.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>

#include "llmbench/mock/schedule.hpp"
#include "llmbench/mock/text.hpp"

namespace llmbench::mock {
namespace {

TEST(MockSchedule, WithoutJitterTokensAreExactlyOnePeriodApart) {
  TokenSchedule s(1'000'000, 500.0, 0.0, 1);
  EXPECT_EQ(s.next_due_ns(), 1'000'000);
  for (int i = 1; i < 1000; ++i) EXPECT_EQ(s.next_due_ns(), 1'000'000 + std::int64_t{i} * 2'000'000);
  EXPECT_EQ(s.issued(), 1000);
}

// Jitter varies each gap but keeps the mean: over many tokens the rate is
// decode_tps, and due times never go backwards.
TEST(MockSchedule, JitterKeepsTheMeanRate) {
  TokenSchedule s(0, 1000.0, 0.5, 7);
  std::int64_t prev = s.next_due_ns();
  std::int64_t min_gap = INT64_MAX;
  std::int64_t max_gap = 0;
  constexpr int kTokens = 20000;
  for (int i = 1; i < kTokens; ++i) {
    const std::int64_t due = s.next_due_ns();
    ASSERT_GE(due, prev);
    min_gap = std::min(min_gap, due - prev);
    max_gap = std::max(max_gap, due - prev);
    prev = due;
  }
  const double mean_gap_ns = static_cast<double>(prev) / (kTokens - 1);
  EXPECT_NEAR(mean_gap_ns, 1e6, 1e6 * 0.02);
  EXPECT_GE(min_gap, 500'000 - 1);
  EXPECT_LE(max_gap, 1'500'000 + 1);
  EXPECT_LT(min_gap, 600'000);  // the jitter is really there
  EXPECT_GT(max_gap, 1'400'000);
}

TEST(MockSchedule, PromptDelay) {
  EXPECT_EQ(prompt_delay_ns(1000, 2000.0, 0.0), 500'000'000);
  EXPECT_EQ(prompt_delay_ns(0, 2000.0, 25.0), 25'000'000);
}

TEST(MockText, TokenCountsGrowWithText) {
  EXPECT_EQ(count_tokens("Hello world! Once upon a time"), 7u);
  EXPECT_EQ(count_tokens(""), 0u);
  EXPECT_GT(count_tokens("internationalization"), 1u);  // long words split
  EXPECT_EQ(count_tokens("a\nb"), 3u);
  // Ids are stable and within the vocabulary.
  EXPECT_EQ(token_id(true, "Hello"), token_id(true, "Hello"));
  EXPECT_NE(token_id(true, "Hello"), token_id(false, "Hello"));
  for (const Piece& p : word_pieces()) {
    EXPECT_GE(p.id, 3);
    EXPECT_LT(p.id, kVocabSize);
    EXPECT_FALSE(p.text.empty());
  }
}

TEST(MockText, SameSeedSameText) {
  TextSampler a(5);
  TextSampler b(5);
  TextSampler c(6);
  std::string ta;
  std::string tb;
  std::string tc;
  std::set<std::string_view> seen;
  for (int i = 0; i < 200; ++i) {
    const Piece& p = a.next();
    ta += p.text;
    seen.insert(p.text);
    tb += b.next().text;
    tc += c.next().text;
  }
  EXPECT_EQ(ta, tb);
  EXPECT_NE(ta, tc);
  EXPECT_GT(seen.size(), 30u);
}

}  // namespace
}  // namespace llmbench::mock
