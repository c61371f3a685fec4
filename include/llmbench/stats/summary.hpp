#pragma once
// The figures reporters print for one latency (or rate) distribution, and the
// exact percentile of a handful of samples for spec mode.
#include <cstdint>
#include <vector>

#include "llmbench/stats/histogram.hpp"

namespace llmbench::stats {

// All values are in the histogram's units divided by summarize()'s scale.
// Percentiles use the histogram's nearest-rank definition and its error
// bound (< 1/128 relative; exact below 128 raw units); mean and std are exact.
struct LatencySummary {
  std::uint64_t count = 0;
  double mean = 0, std = 0, min = 0, max = 0;
  double p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0;
};

// Summarises `h`, dividing every value by `scale` (1e6 turns ns into ms).
// An empty histogram gives count 0 and every figure 0, never NaN, so the
// reporters need no special case. A scale that is not a positive finite
// number is taken as 1.
[[nodiscard]] LatencySummary summarize(const Histogram& h, double scale = 1.0) noexcept;

// The nearest-rank percentile (rank = ceil(q/100 x n), at least 1; see
// nearest_rank) of `samples`, which need not be sorted: the copy taken by
// value is sorted here. NaNs are dropped. q = 0 gives the minimum, q = 100
// the maximum; no samples give 0. For spec mode's few samples per prompt.
[[nodiscard]] double exact_percentile(std::vector<double> samples, double q);

// The ordinary median: the middle value, or the mean of the two middle
// values for an even count (not the nearest-rank p50, which is the lower
// one). NaNs are dropped; no samples give 0.
[[nodiscard]] double median(std::vector<double> samples);

}  // namespace llmbench::stats
