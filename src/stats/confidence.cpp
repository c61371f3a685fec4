#include "llmbench/stats/confidence.hpp"

#include "llmbench/stats/distributions.hpp"

#include <cmath>

namespace llmbench::stats {

MeanInterval mean_interval_95(const std::vector<double>& samples) noexcept {
  MeanInterval r;
  double sum = 0;
  for (const double v : samples) {
    if (std::isnan(v)) continue;
    sum += v;
    ++r.n;
  }
  if (r.n == 0) return r;
  const double n = static_cast<double>(r.n);
  r.mean = r.low = r.high = sum / n;
  if (r.n < 2) return r;
  double squares = 0;
  for (const double v : samples) {
    if (!std::isnan(v)) squares += (v - r.mean) * (v - r.mean);
  }
  const double half = student_t_quantile(0.975, n - 1) * std::sqrt(squares / (n - 1)) / std::sqrt(n);
  r.low = r.mean - half;
  r.high = r.mean + half;
  return r;
}

}  // namespace llmbench::stats
