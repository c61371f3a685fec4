#include "llmbench/load/result.hpp"

#include <algorithm>

namespace llmbench {

void MetricSet::add(const RequestRecord& r) {
  ++requests;
  errors[static_cast<std::size_t>(r.error)] += r.ok() ? 0 : 1;
  if (r.error == ErrorKind::cancelled) {
    ++cancelled;
    return;  // never sent or cut off by the end of the run: no timings
  }
  // The measured window opens when the first measured token arrives (or, for
  // a request without one, when it started): with a queueing server the
  // first measured requests wait behind warm-up requests, and counting that
  // wait would charge the measured tokens with time spent on others.
  if (r.first_token_ns >= 0 && r.ok()) {
    first_start_ns = std::min(first_start_ns, r.first_token_ns);
  } else if (r.start_ns >= 0) {
    first_start_ns = std::min(first_start_ns, r.intended_ns >= 0 ? r.intended_ns : r.start_ns);
  }
  if (r.end_ns >= 0) last_end_ns = std::max(last_end_ns, r.end_ns);
  if (r.intended_ns >= 0 && r.start_ns >= 0) lag_ns.record(r.start_ns - r.intended_ns);
  if (r.connect_ns > 0) connect_ns.record(r.connect_ns);
  if (!r.ok()) {
    ++failed;
    return;
  }
  ++succeeded;
  output_tokens += r.completion_tokens;
  input_tokens += r.prompt_tokens;
  ++token_sources[static_cast<std::size_t>(r.token_source)];
  const std::int64_t sent = r.sent_ns;
  if (r.first_token_ns >= 0 && sent >= 0) ttft_ns.record(r.first_token_ns - sent);
  if (r.first_token_ns >= 0 && r.intended_ns >= 0) ttft_intended_ns.record(r.first_token_ns - r.intended_ns);
  if (r.end_ns >= 0 && sent >= 0) {
    const std::int64_t e2e = r.end_ns - sent;
    e2e_ns.record(e2e);
    if (e2e > 0) {
      const double rate = static_cast<double>(r.completion_tokens) * 1e9 / static_cast<double>(e2e);
      tps_milli.record(static_cast<std::int64_t>(rate * 1000.0 + 0.5));
      tps.record(rate);
    }
  }
  if (r.end_ns >= 0 && r.intended_ns >= 0) e2e_intended_ns.record(r.end_ns - r.intended_ns);
  if (r.completion_tokens > 1 && r.first_token_ns >= 0 && r.last_token_ns > r.first_token_ns) {
    const std::int64_t span = r.last_token_ns - r.first_token_ns;
    tpot_ns.record(span / static_cast<std::int64_t>(r.completion_tokens - 1));
    // The decode rate counts content events between the first and last
    // content event's reads: the events actually observed in that span.
    const std::uint32_t n = r.content_events > 1 ? r.content_events : r.completion_tokens;
    decode_tps.record(static_cast<double>(n - 1) * 1e9 / static_cast<double>(span));
  }
}

void MetricSet::add_gap(const GapRecord& g) {
  if (g.gap_ns >= 0) itl_ns.record(g.gap_ns);
  if (g.zero_gaps > 0) itl_ns.record(0, g.zero_gaps);
}

void MetricSet::merge(const MetricSet& o) {
  requests += o.requests;
  succeeded += o.succeeded;
  failed += o.failed;
  cancelled += o.cancelled;
  for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += o.errors[i];
  output_tokens += o.output_tokens;
  input_tokens += o.input_tokens;
  good += o.good;
  for (std::size_t i = 0; i < token_sources.size(); ++i) token_sources[i] += o.token_sources[i];
  ttft_ns.merge(o.ttft_ns);
  ttft_intended_ns.merge(o.ttft_intended_ns);
  itl_ns.merge(o.itl_ns);
  tpot_ns.merge(o.tpot_ns);
  e2e_ns.merge(o.e2e_ns);
  e2e_intended_ns.merge(o.e2e_intended_ns);
  lag_ns.merge(o.lag_ns);
  connect_ns.merge(o.connect_ns);
  tps_milli.merge(o.tps_milli);
  tps.merge(o.tps);
  decode_tps.merge(o.decode_tps);
  first_start_ns = std::min(first_start_ns, o.first_start_ns);
  last_end_ns = std::max(last_end_ns, o.last_end_ns);
}

double MetricSet::window_s() const noexcept {
  if (last_end_ns <= first_start_ns) return 0.0;
  return static_cast<double>(last_end_ns - first_start_ns) / 1e9;
}

double MetricSet::request_throughput() const noexcept {
  const double w = window_s();
  return w > 0 ? static_cast<double>(succeeded) / w : 0.0;
}

double MetricSet::output_tokens_per_second() const noexcept {
  const double w = window_s();
  return w > 0 ? static_cast<double>(output_tokens) / w : 0.0;
}

}  // namespace llmbench
