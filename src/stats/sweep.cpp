#include "llmbench/stats/sweep.hpp"

namespace llmbench::stats {

int find_knee(std::span<const MetricSet* const> stages) noexcept {
  const std::size_t n = stages.size();
  if (n < 2) return -1;
  const auto tput = [&](std::size_t i) { return stages[i]->output_tokens_per_second(); };
  const auto p99 = [&](std::size_t i, bool ttft) {
    return (ttft ? stages[i]->ttft_ns : stages[i]->e2e_ns).percentile(99);
  };
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (tput(i) <= 0) continue;
    bool flat = true, growing = true;
    for (std::size_t j = i + 1; j < n; ++j) {
      if (tput(j) >= tput(i) * 1.05) flat = false;
      if (!(p99(j, false) > p99(j - 1, false) || p99(j, true) > p99(j - 1, true))) growing = false;
    }
    if (flat && growing) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace llmbench::stats
