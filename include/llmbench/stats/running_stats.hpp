#pragma once
// Mean, variance, min and max of a stream of doubles in one pass, mergeable.
//
// Used where the figure must be the exact mean and std of the samples, not a
// bucketed estimate: per-request tokens/s (spec mode reports its mean and
// std). Welford's update keeps the sum of squared deviations (m2) about the
// running mean, so it does not lose precision when the std is small next to
// the mean, as the naive sum-of-squares formula does. merge() uses Chan,
// Golub and LeVeque's pairwise combination, which equals (up to rounding)
// one pass over both streams, in either order.
//
// Non-finite samples (a rate divided by a zero duration) are not recorded but
// counted in rejected(), so one bad request cannot turn every figure into NaN.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace llmbench::stats {

class RunningStats {
 public:
  void record(double x) noexcept {
    if (!std::isfinite(x)) [[unlikely]] {
      ++rejected_;
      return;
    }
    ++count_;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(count_);
    m2_ += delta * (x - mean_);
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }

  void merge(const RunningStats& other) noexcept {
    rejected_ += other.rejected_;
    if (other.count_ == 0) return;
    if (count_ == 0) {
      const std::uint64_t rejected = rejected_;
      *this = other;
      rejected_ = rejected;
      return;
    }
    const auto na = static_cast<double>(count_), nb = static_cast<double>(other.count_);
    const double n = na + nb;
    const double delta = other.mean_ - mean_;
    // Weighted mean, and m2 grows by the spread between the two means.
    mean_ += delta * (nb / n);
    m2_ += other.m2_ + delta * delta * (na * nb / n);
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  void reset() noexcept { *this = RunningStats{}; }

  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t rejected() const noexcept { return rejected_; }
  [[nodiscard]] double mean() const noexcept { return mean_; }  // 0 when empty
  [[nodiscard]] double sum() const noexcept { return mean_ * static_cast<double>(count_); }
  // Population variance and std dev (divide by n); 0 when empty.
  [[nodiscard]] double variance() const noexcept {
    return count_ == 0 ? 0.0 : std::max(0.0, m2_) / static_cast<double>(count_);
  }
  [[nodiscard]] double std() const noexcept { return std::sqrt(variance()); }
  // Sample variance and std dev (divide by n - 1); 0 with fewer than 2 samples.
  [[nodiscard]] double sample_variance() const noexcept {
    return count_ < 2 ? 0.0 : std::max(0.0, m2_) / static_cast<double>(count_ - 1);
  }
  [[nodiscard]] double sample_std() const noexcept { return std::sqrt(sample_variance()); }
  [[nodiscard]] double min() const noexcept { return count_ == 0 ? 0.0 : min_; }  // 0 when empty
  [[nodiscard]] double max() const noexcept { return count_ == 0 ? 0.0 : max_; }  // 0 when empty

 private:
  std::uint64_t count_ = 0;
  std::uint64_t rejected_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;  // sum of squared deviations from the running mean
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

}  // namespace llmbench::stats
