// The histogram's cold paths: merge, percentiles, exact mean and std dev.
// The hot path, record(), is inline in the header; the compact text form is
// in histogram_codec.cpp, the 256-bit arithmetic in wide_uint.cpp.
#include "llmbench/stats/histogram.hpp"

#include <cmath>

#include "wide_uint.hpp"

namespace llmbench::stats {

using wide::less;
using wide::mul;
using wide::sub;
using wide::Wide;
using wide::widen;

long double detail::Uint192::to_long_double() const noexcept {
  return wide::to_long_double(Wide{limb[0], limb[1], limb[2], 0});
}

std::uint64_t nearest_rank(double q, std::uint64_t n) noexcept {
  if (n == 0) return 0;
  if (!(q > 0.0)) return 1;
  if (!(q < 100.0)) return n;
  const long double exact = static_cast<long double>(q) * static_cast<long double>(n) / 100.0L;
  const long double rank = std::ceil(exact - exact * 1e-15L);
  if (!(rank > 1.0L)) return 1;
  if (rank >= static_cast<long double>(n)) return n;
  return static_cast<std::uint64_t>(rank);
}

void Histogram::merge(const Histogram& other) {
  rejected_ += other.rejected_;
  if (other.count_ == 0) return;
  if (counts_.empty()) counts_.assign(kBucketCount, 0);
  for (std::size_t i = bucket_index(other.min_); i <= bucket_index(other.max_); ++i) {
    counts_[i] += other.counts_[i];
  }
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_.add(other.sum_);
  sum_sq_.add(other.sum_sq_);
}

void Histogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  rejected_ = 0;
  min_ = std::numeric_limits<std::int64_t>::max();
  max_ = 0;
  sum_ = {};
  sum_sq_ = {};
}

double Histogram::mean() const noexcept {
  if (count_ == 0) return 0.0;
  return static_cast<double>(sum_.to_long_double() / static_cast<long double>(count_));
}

double Histogram::std() const noexcept {
  if (count_ == 0) return 0.0;
  // n^2 * variance = n * sumsq - sum^2, exact in 256 bits (>= 0 by
  // Cauchy-Schwarz, and from_compact enforces it).
  const Wide n = widen(count_);
  const Wide lhs = mul(n, widen(sum_sq_)), rhs = mul(widen(sum_), widen(sum_));
  if (!less(rhs, lhs)) return 0.0;
  const long double n_ld = static_cast<long double>(count_);
  return static_cast<double>(std::sqrt(wide::to_long_double(sub(lhs, rhs)) / (n_ld * n_ld)));
}

double Histogram::percentile(double q) const noexcept {
  if (count_ == 0) return 0.0;
  const auto lo = static_cast<double>(min_), hi = static_cast<double>(max_);
  if (!(q > 0.0)) return lo;
  if (!(q < 100.0)) return hi;
  const std::uint64_t rank = nearest_rank(q, count_);
  std::uint64_t seen = 0;
  const std::size_t last = bucket_index(max_);
  for (std::size_t i = bucket_index(min_); i <= last; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(bucket_midpoint(i), lo, hi);
  }
  return hi;  // unreachable while the counts add up to count_
}

bool operator==(const Histogram& a, const Histogram& b) noexcept {
  if (a.count_ != b.count_ || a.rejected_ != b.rejected_ || a.min() != b.min() ||
      a.max_ != b.max_ || a.sum_ != b.sum_ || a.sum_sq_ != b.sum_sq_) {
    return false;
  }
  if (a.counts_.size() == b.counts_.size()) return a.counts_ == b.counts_;
  const auto& allocated = a.counts_.empty() ? b.counts_ : a.counts_;
  return std::all_of(allocated.begin(), allocated.end(), [](std::uint64_t c) { return c == 0; });
}

}  // namespace llmbench::stats
