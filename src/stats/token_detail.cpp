#include "llmbench/stats/token_detail.hpp"

#include "llmbench/stats/request_figures.hpp"

namespace llmbench::stats {

void TokenDetail::add(const RequestRecord& r) {
  if (!r.ok()) return;
  if (const auto t = stats::ttfo_ns(r)) ttfo_ns.record(*t);
  const std::uint32_t content = stats::content_tokens(r);
  reasoning_tokens.record(r.reasoning_tokens);
  content_tokens.record(content);
  reasoning_total += r.reasoning_tokens;
  content_total += content;
  if (r.reasoning_events > 0 || r.reasoning_tokens > 0) ++separated;
  if (r.tool_call_events > 0) {
    ++tool_call_requests;
    tool_call_events += r.tool_call_events;
  }
  if (!r.stream || r.content_events == 0) return;
  tokens_per_event_milli.record(
      static_cast<std::int64_t>(1000.0 * r.completion_tokens / r.content_events + 0.5));
  const auto predicted = static_cast<std::uint32_t>(r.timings.predicted_n);
  if (r.token_source == TokenSource::usage && r.timings.present && predicted != r.completion_tokens) {
    ++usage_vs_timings;
  }
  if (r.completion_tokens != r.content_events) ++count_vs_events;
  if (r.tokens_known_per_event()) ++tokens_from_event_usage;
}

void TokenDetail::add_events(std::int64_t gap_ns, std::uint32_t content_events) {
  if (gap_ns >= 0) inter_event_ns.record(gap_ns);
  if (content_events > 1) inter_event_ns.record(0, content_events - 1);
}

void TokenDetail::merge(const TokenDetail& o) {
  ttfo_ns.merge(o.ttfo_ns);
  reasoning_tokens.merge(o.reasoning_tokens);
  content_tokens.merge(o.content_tokens);
  reasoning_total += o.reasoning_total;
  content_total += o.content_total;
  separated += o.separated;
  inter_event_ns.merge(o.inter_event_ns);
  tokens_per_event_milli.merge(o.tokens_per_event_milli);
  usage_vs_timings += o.usage_vs_timings;
  count_vs_events += o.count_vs_events;
  tokens_from_event_usage += o.tokens_from_event_usage;
  tool_call_requests += o.tool_call_requests;
  tool_call_events += o.tool_call_events;
}

}  // namespace llmbench::stats
