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
}

void TokenDetail::merge(const TokenDetail& o) {
  ttfo_ns.merge(o.ttfo_ns);
  reasoning_tokens.merge(o.reasoning_tokens);
  content_tokens.merge(o.content_tokens);
  reasoning_total += o.reasoning_total;
  content_total += o.content_total;
  separated += o.separated;
}

}  // namespace llmbench::stats
