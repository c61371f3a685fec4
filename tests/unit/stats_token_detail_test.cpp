// ITL per token vs the raw gaps between events, tokens per event, and the
// count disagreements (MetricSet::add_token_read, TokenDetail).
#include <gtest/gtest.h>

#include "llmbench/stats/metric_set.hpp"

namespace llmbench::stats {
namespace {

// One event of 3 tokens, 30 ms after the previous: three ITLs of 10 ms, one
// raw gap of 30 ms.
TEST(TokenDetail, AGapIsDividedAmongItsEventsTokens) {
  MetricSet m;
  m.add_token_read(30'000'000, 1, 3.0);
  EXPECT_EQ(m.itl_ns.count(), 3u);
  EXPECT_NEAR(m.itl_ns.mean(), 10e6, 1.0);
  EXPECT_EQ(m.detail.inter_event_ns.count(), 1u);
  EXPECT_NEAR(m.detail.inter_event_ns.mean(), 30e6, 1.0);
}

// Two events of 2 tokens in one read: the first event's gap over its two
// tokens, the second event's tokens arrive with no gap; raw: the gap and 0.
TEST(TokenDetail, EventsSharingARead) {
  MetricSet m;
  m.add_token_read(8'000, 2, 4.0);
  EXPECT_EQ(m.itl_ns.count(), 4u);
  EXPECT_EQ(m.itl_ns.max(), 4'000);
  EXPECT_EQ(m.itl_ns.min(), 0);
  EXPECT_EQ(m.detail.inter_event_ns.count(), 2u);
  EXPECT_EQ(m.detail.inter_event_ns.max(), 8'000);
}

// Replies that called a tool are counted apart, with their tool-call events;
// failed ones are not, and sets merge by adding.
TEST(TokenDetail, ToolCallsAreCountedApart) {
  MetricSet m;
  RequestRecord call;
  call.completion_tokens = 6;
  call.content_events = 6;
  call.tool_call_events = 5;
  RequestRecord text;
  text.completion_tokens = 4;
  text.content_events = 4;
  RequestRecord failed = call;
  failed.error = ErrorKind::reset;
  for (const RequestRecord* r : {&call, &text, &failed}) m.detail.add(*r);
  EXPECT_EQ(m.detail.tool_call_requests, 1u);
  EXPECT_EQ(m.detail.tool_call_events, 5u);
  MetricSet other;
  other.detail.add(call);
  m.merge(other);
  EXPECT_EQ(m.detail.tool_call_requests, 2u);
  EXPECT_EQ(m.detail.tool_call_events, 10u);
}

// One token per event (llama-server): ITL and the raw gaps are the same.
TEST(TokenDetail, OneTokenPerEventKeepsTheOldItl) {
  MetricSet m;
  m.add_token_read(-1, 1, 1.0);
  m.add_token_read(5'000, 1, 1.0);
  m.add_token_read(7'000, 1, -1);
  EXPECT_EQ(m.itl_ns.count(), 2u);
  EXPECT_EQ(m.detail.inter_event_ns.count(), 2u);
  EXPECT_EQ(m.itl_ns.mean(), m.detail.inter_event_ns.mean());
}

TEST(TokenDetail, TokensPerEventAndDisagreements) {
  TokenDetail d;
  RequestRecord r;
  r.stream = true;
  r.completion_tokens = 12;
  r.content_events = 4;
  r.token_source = TokenSource::usage;
  r.timings.present = true;
  r.timings.predicted_n = 11;
  d.add(r);
  EXPECT_NEAR(d.tokens_per_event_milli.mean(), 3000.0, 0.5);
  EXPECT_EQ(d.usage_vs_timings, 1u);
  EXPECT_EQ(d.count_vs_events, 1u);
  r.completion_tokens = 4;
  r.timings.predicted_n = 4;
  d.add(r);
  EXPECT_EQ(d.usage_vs_timings, 1u);
  EXPECT_EQ(d.count_vs_events, 1u);
}

}  // namespace
}  // namespace llmbench::stats
