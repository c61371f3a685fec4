#include "llmbench/stats/spec_stats.hpp"

#include <algorithm>

#include "llmbench/stats/request_figures.hpp"
#include "llmbench/stats/running_stats.hpp"

namespace llmbench::stats {

LatencySummary exact_summary(const std::vector<double>& samples) {
  LatencySummary s;
  if (samples.empty()) return s;
  RunningStats rs;
  for (const double x : samples) rs.record(x);
  s.count = rs.count();
  s.mean = rs.mean();
  s.std = rs.std();
  s.min = rs.min();
  s.max = rs.max();
  s.p50 = exact_percentile(samples, 50);
  s.p90 = exact_percentile(samples, 90);
  s.p95 = exact_percentile(samples, 95);
  s.p99 = exact_percentile(samples, 99);
  s.p999 = exact_percentile(samples, 99.9);
  return s;
}

SpecStats spec_stats(std::span<const RequestRecord> runs) {
  SpecStats s;
  s.runs = runs.size();
  RunningStats tps, decode, reasoning;
  std::vector<double> rates, ttfts, ttfos;
  for (const RequestRecord& r : runs) {
    if (!r.ok()) continue;
    ++s.succeeded;
    if (const auto rate = tokens_per_second(r)) {
      tps.record(*rate);
      rates.push_back(*rate);
    }
    if (const auto d = decode_tokens_per_second(r)) decode.record(*d);
    if (const auto t = ttft_ns(r)) ttfts.push_back(static_cast<double>(*t) / 1e6);
    if (const auto t = ttfo_ns(r)) ttfos.push_back(static_cast<double>(*t) / 1e6);
    reasoning.record(r.reasoning_tokens);
    if (r.reasoning_events > 0 || r.reasoning_tokens > 0) s.reasoning = true;
  }
  // Cancelled runs (an interrupted run) were never measured: not in the rate.
  const auto cancelled = static_cast<std::size_t>(
      std::count_if(runs.begin(), runs.end(), [](const RequestRecord& r) { return r.error == ErrorKind::cancelled; }));
  const std::size_t attempted = s.runs - cancelled;
  s.success_rate = attempted == 0 ? 0.0 : static_cast<double>(s.succeeded) / static_cast<double>(attempted);
  s.avg_tps = tps.mean();
  s.std_tps = tps.sample_std();
  s.cv = s.avg_tps > 0 ? s.std_tps / s.avg_tps : 0.0;
  s.min_tps = tps.min();
  s.max_tps = tps.max();
  s.median_tps = median(rates);
  s.avg_decode_tps = decode.mean();
  s.ttft_ms = exact_summary(ttfts);
  s.ttfo_ms = exact_summary(ttfos);
  s.avg_reasoning_tokens = reasoning.mean();
  return s;
}

std::string_view cv_verdict(double cv) noexcept {
  if (cv < 0.05) return "excellent";
  if (cv <= 0.10) return "acceptable";
  return "suggests system instability";
}

}  // namespace llmbench::stats
