#pragma once
// What a stream says beyond TTFT and its token count: when the first visible
// output arrived (TTFO), how its tokens split into reasoning and content, and
// how they were packed into events (tokens per event, the raw gaps between
// events, and whether the server's counts agree with each other). One owner
// (the aggregator), mergeable like MetricSet, of which it is a part.
#include <cstdint>

#include "llmbench/record/record.hpp"
#include "llmbench/stats/histogram.hpp"

namespace llmbench::stats {

struct TokenDetail {
  Histogram ttfo_ns;           // first byte sent -> first visible output (content, not reasoning)
  Histogram reasoning_tokens;  // per successful request
  Histogram content_tokens;    // per successful request: completion - reasoning
  std::uint64_t reasoning_total = 0;
  std::uint64_t content_total = 0;
  std::uint64_t separated = 0;  // successful requests whose stream carried reasoning apart from content
  Histogram inter_event_ns;      // raw gaps between content events (0 within one read)
  Histogram tokens_per_event_milli;  // per streamed request: completion tokens / content events x 1000
  // How often the counts disagree, over successful streamed requests: the
  // server's usage vs its timings.predicted_n (both sent), and the count of
  // record vs the content events (several tokens per event, or withheld ones).
  std::uint64_t usage_vs_timings = 0;
  std::uint64_t count_vs_events = 0;
  // Streamed requests whose every event carried usage (continuous_usage_stats):
  // their tokens per read are exact, the others' are spread evenly.
  std::uint64_t tokens_from_event_usage = 0;
  // Successful replies that called a tool, and their tool-call events: a
  // tool call's tokens are generated tokens, and these say how many replies
  // were calls rather than text.
  std::uint64_t tool_call_requests = 0;
  std::uint64_t tool_call_events = 0;

  void add(const RequestRecord& r);
  // One token read's raw gaps (MetricSet::add_token_read).
  void add_events(std::int64_t gap_ns, std::uint32_t content_events);
  void merge(const TokenDetail& o);
  // Whether any request's reasoning came apart from its content (the JSON
  // and terminal show the split only then).
  [[nodiscard]] bool has_reasoning() const noexcept { return separated > 0; }
};

}  // namespace llmbench::stats
