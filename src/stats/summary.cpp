#include "llmbench/stats/summary.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace llmbench::stats {

LatencySummary summarize(const Histogram& h, double scale) noexcept {
  LatencySummary s;
  if (h.empty()) return s;
  if (!(scale > 0.0) || !std::isfinite(scale)) scale = 1.0;
  s.count = h.count();
  s.mean = h.mean() / scale;
  s.std = h.std() / scale;
  s.min = static_cast<double>(h.min()) / scale;
  s.max = static_cast<double>(h.max()) / scale;
  s.p50 = h.percentile(50.0) / scale;
  s.p90 = h.percentile(90.0) / scale;
  s.p95 = h.percentile(95.0) / scale;
  s.p99 = h.percentile(99.0) / scale;
  s.p999 = h.percentile(99.9) / scale;
  return s;
}

double exact_percentile(std::vector<double> samples, double q) {
  std::erase_if(samples, [](double x) { return std::isnan(x); });
  if (samples.empty()) return 0.0;
  std::sort(samples.begin(), samples.end());
  const std::uint64_t rank = nearest_rank(q, samples.size());
  return samples[static_cast<std::size_t>(rank - 1)];
}

double median(std::vector<double> samples) {
  std::erase_if(samples, [](double x) { return std::isnan(x); });
  if (samples.empty()) return 0.0;
  const std::size_t mid = samples.size() / 2;
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(mid), samples.end());
  const double upper = samples[mid];
  if (samples.size() % 2 == 1) return upper;
  const double lower = *std::max_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2.0;
}

}  // namespace llmbench::stats
