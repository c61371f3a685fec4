#include "llmbench/stats/metric_set.hpp"

#include <algorithm>

#include "llmbench/stats/request_figures.hpp"

namespace llmbench::stats {

namespace {
void record(Histogram& h, std::optional<std::int64_t> v) {
  if (v) h.record(*v);
}
}  // namespace

void MetricSet::add(const RequestRecord& r, const Slo& slo) {
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
  record(lag_ns, schedule_lag_ns(r));
  if (r.connect_ns > 0) connect_ns.record(r.connect_ns);
  if (r.turnaround_ns >= 0) turnaround_ns.record(r.turnaround_ns);
  if (!r.ok()) {
    ++failed;
    return;
  }
  ++succeeded;
  if (meets_slo(r, slo)) ++good;
  output_tokens += r.completion_tokens;
  input_tokens += r.prompt_tokens;
  ++token_sources[static_cast<std::size_t>(r.token_source)];
  record(ttfb_ns, stats::ttfb_ns(r));
  record(ttft_ns, stats::ttft_ns(r));
  record(ttft_intended_ns, ttft_from_intended_ns(r));
  record(e2e_ns, stats::e2e_ns(r));
  record(e2e_intended_ns, e2e_from_intended_ns(r));
  record(tpot_ns, stats::tpot_ns(r));
  detail.add(r);
  server.add(r);
  if (const auto rate = tokens_per_second(r)) {
    tps_milli.record(static_cast<std::int64_t>(*rate * 1000.0 + 0.5));
    tps.record(*rate);
  }
}

void MetricSet::add_in_window(const RequestRecord& r, const Slo& slo) {
  ++window_completions;
  if (!r.stream) window_tokens += r.completion_tokens;
  if (meets_slo(r, slo)) ++window_good;
  window_input_tokens += r.prompt_tokens;
}

void MetricSet::open_window(std::int64_t length_ns) noexcept {
  exact_window = true;
  window_ns = length_ns;
}

void MetricSet::add_token_read(std::int64_t gap_ns, std::uint32_t content_events, double tokens) {
  detail.add_events(gap_ns, content_events);
  const auto per_event = static_cast<std::uint64_t>(
      std::max(1.0, tokens > 0 && content_events > 0 ? tokens / content_events + 0.5 : 1.0));
  if (gap_ns >= 0) itl_ns.record(gap_ns / static_cast<std::int64_t>(per_event), per_event);
  if (content_events > 1) itl_ns.record(0, (content_events - 1) * per_event);
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
  truncated += o.truncated;
  stopped_before_max_tokens += o.stopped_before_max_tokens;
  for (std::size_t i = 0; i < token_sources.size(); ++i) token_sources[i] += o.token_sources[i];
  for (auto [mine, theirs] : {std::pair{&ttft_ns, &o.ttft_ns}, {&ttfb_ns, &o.ttfb_ns},
                              {&turnaround_ns, &o.turnaround_ns}, {&read_lag_ns, &o.read_lag_ns}, {&ttft_intended_ns, &o.ttft_intended_ns},
                              {&itl_ns, &o.itl_ns}, {&tpot_ns, &o.tpot_ns}, {&e2e_ns, &o.e2e_ns},
                              {&e2e_intended_ns, &o.e2e_intended_ns}, {&lag_ns, &o.lag_ns},
                              {&connect_ns, &o.connect_ns}, {&tps_milli, &o.tps_milli}}) {
    mine->merge(*theirs);
  }
  tps.merge(o.tps);
  detail.merge(o.detail);
  server.merge(o.server);
  first_start_ns = std::min(first_start_ns, o.first_start_ns);
  last_end_ns = std::max(last_end_ns, o.last_end_ns);
  exact_window = exact_window || o.exact_window;
  window_ns += o.window_ns;
  window_tokens += o.window_tokens;
  window_completions += o.window_completions;
  window_good += o.window_good;
  window_input_tokens += o.window_input_tokens;
}

double MetricSet::window_s() const noexcept {
  if (exact_window) return static_cast<double>(window_ns) / 1e9;
  if (last_end_ns <= first_start_ns) return 0.0;
  return static_cast<double>(last_end_ns - first_start_ns) / 1e9;
}

double MetricSet::request_throughput() const noexcept {
  const double w = window_s();
  const auto n = static_cast<double>(exact_window ? window_completions : succeeded);
  return w > 0 ? n / w : 0.0;
}

double MetricSet::output_tokens_per_second() const noexcept {
  const double w = window_s();
  const double tokens = exact_window ? window_tokens : static_cast<double>(output_tokens);
  return w > 0 ? tokens / w : 0.0;
}

double MetricSet::input_tokens_per_second() const noexcept {
  const double w = window_s();
  const auto tokens = static_cast<double>(exact_window ? window_input_tokens : input_tokens);
  return w > 0 ? tokens / w : 0.0;
}

double MetricSet::goodput_per_second() const noexcept {
  const double w = window_s();
  const auto n = static_cast<double>(exact_window ? window_good : good);
  return w > 0 ? n / w : 0.0;
}

double MetricSet::good_share() const noexcept {
  return succeeded ? static_cast<double>(good) / static_cast<double>(succeeded) : 0.0;
}

double mean_of_prompt_means(std::span<const MetricSet* const> prompts) noexcept {
  double sum = 0;
  int n = 0;
  for (const MetricSet* m : prompts) {
    if (m->tps.empty()) continue;
    sum += m->tps.mean();
    ++n;
  }
  return n == 0 ? 0.0 : sum / n;
}

}  // namespace llmbench::stats
