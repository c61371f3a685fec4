#include "llmbench/stats/sweep.hpp"

#include <algorithm>

namespace llmbench::stats {

namespace {

double tput(const MetricSet& m) noexcept { return m.output_tokens_per_second(); }

// Rule 1 of sweep.hpp: the first step that more than doubles p90 TTFT or E2E
// for under 10 % more throughput.
int latency_explodes(std::span<const MetricSet* const> s) noexcept {
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    const MetricSet& a = *s[i];
    const MetricSet& b = *s[i + 1];
    if (!(tput(a) > 0) || tput(b) >= tput(a) * kKneeThroughputGain) continue;
    const auto grew = [](const Histogram& x, const Histogram& y) {
      const double before = x.percentile(90);
      return x.count() > 0 && y.count() > 0 && before > 0 && y.percentile(90) > before * kKneeLatencyGrowth;
    };
    if (grew(a.ttft_ns, b.ttft_ns) || grew(a.e2e_ns, b.e2e_ns)) return static_cast<int>(i);
  }
  return -1;
}

// Rule 2: the maximum of Kleinrock's power, throughput / p90 E2E.
int max_power(std::span<const MetricSet* const> s) noexcept {
  const auto power = [&](std::size_t i) {
    const double e2e = s[i]->e2e_ns.percentile(90);
    return e2e > 0 ? tput(*s[i]) / e2e : 0.0;
  };
  std::size_t best = 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (power(i) > power(best)) best = i;
  }
  const bool falls_after = best + 1 < s.size() && power(s.size() - 1) < power(best) * 0.9;
  return power(best) > 0 && falls_after ? static_cast<int>(best) : -1;
}

}  // namespace

int find_knee(std::span<const MetricSet* const> stages) noexcept {
  if (stages.size() < 2) return -1;
  const int exploded = latency_explodes(stages);
  return exploded >= 0 ? exploded : max_power(stages);
}

}  // namespace llmbench::stats
