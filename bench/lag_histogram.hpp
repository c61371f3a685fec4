#pragma once
// The bench tools' one histogram: microseconds, log-linear, no samples kept.
// Shared by the reference reader (its lags and latencies) and the bench
// server (the true TTFT and ITL of what it sent). Dependency-free, like the
// tools.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bench_stats {

// Log-linear histogram of microseconds: exact below 1024 us, then 512 steps per
// power of two (0.2 % resolution), enough for p50/p99 without storing samples.
class LagHistogram {
 public:
  void add(std::int64_t us) {
    const auto v = static_cast<std::uint64_t>(us < 0 ? 0 : us);
    ++counts_[index(v)];
    ++total_;
    sum_ += v;
  }
  [[nodiscard]] std::uint64_t total() const { return total_; }
  [[nodiscard]] double mean() const { return total_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(total_); }
  [[nodiscard]] std::uint64_t percentile(double p) const {
    const auto want = static_cast<std::uint64_t>(p * static_cast<double>(total_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= want) return lower_bound(i);
    }
    return 0;
  }

 private:
  static constexpr int kShifts = 44;
  static std::size_t index(std::uint64_t v) {
    if (v < 1024) return static_cast<std::size_t>(v);
    const int shift = std::min(63 - __builtin_clzll(v) - 9, kShifts);
    return 1024 + static_cast<std::size_t>(shift - 1) * 512 + static_cast<std::size_t>((v >> shift) - 512);
  }
  static std::uint64_t lower_bound(std::size_t i) {
    if (i < 1024) return i;
    const std::size_t shift = (i - 1024) / 512 + 1;
    return ((i - 1024) % 512 + 512) << shift;
  }
  std::vector<std::uint64_t> counts_ = std::vector<std::uint64_t>(1024 + kShifts * 512 + 512);
  std::uint64_t total_ = 0;
  std::uint64_t sum_ = 0;
};

}  // namespace bench_stats
