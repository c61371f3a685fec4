#pragma once
// The confidence interval of a mean from a handful of runs (spec mode's 3..10
// runs per prompt), where the normal 1.96 would be far too narrow: with 3 runs
// the 95 % interval is 2.2 times wider than the normal one claims.
#include <cstdint>
#include <vector>

namespace llmbench::stats {

struct MeanInterval {
  std::uint64_t n = 0;
  double mean = 0;
  double low = 0, high = 0;  // mean -/+ t * s / sqrt(n); equal to mean when n < 2
};

// Mean and its 95 % interval, mean +/- t(0.975, n-1) * s / sqrt(n) with s the
// sample standard deviation (n - 1) and t Student's quantile
// (distributions.hpp). NaNs are dropped; no samples give n = 0
// and zeros.
[[nodiscard]] MeanInterval mean_interval_95(const std::vector<double>& samples) noexcept;

}  // namespace llmbench::stats
