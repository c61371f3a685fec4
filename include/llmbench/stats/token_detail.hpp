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

  void add(const RequestRecord& r);
  void merge(const TokenDetail& o);
  // Whether any request's reasoning came apart from its content (the JSON
  // and terminal show the split only then).
  [[nodiscard]] bool has_reasoning() const noexcept { return separated > 0; }
};

}  // namespace llmbench::stats
