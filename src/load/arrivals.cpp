#include "llmbench/load/arrivals.hpp"

#include <cmath>
#include <limits>

namespace llmbench {

std::vector<std::int64_t> make_arrivals(Arrival kind, double rate_rps, double burstiness, std::uint64_t seed,
                                        std::int64_t until_ns, std::uint64_t max_count) {
  std::vector<std::int64_t> out;
  if (!(rate_rps > 0)) return out;
  const double mean_gap_ns = 1e9 / rate_rps;
  const std::uint64_t cap = max_count ? max_count : std::numeric_limits<std::uint64_t>::max();
  if (until_ns > 0) out.reserve(static_cast<std::size_t>(std::min<double>(static_cast<double>(until_ns) / mean_gap_ns + 16, 5e7)));
  SplitMix64 rng(seed);
  double t_ns = 0;
  for (std::uint64_t i = 0; i < cap; ++i) {
    if (i > 0) {
      switch (kind) {
        case Arrival::constant: t_ns = static_cast<double>(i) * mean_gap_ns; break;
        case Arrival::poisson: t_ns += rng.exponential(mean_gap_ns); break;
        // Gamma with shape k and mean 1/rate: k < 1 is burstier than Poisson, k > 1 more regular.
        case Arrival::gamma: t_ns += rng.gamma(burstiness, mean_gap_ns / burstiness); break;
      }
    }
    const auto t = static_cast<std::int64_t>(t_ns);
    if (until_ns > 0 && t >= until_ns) break;
    out.push_back(t);
  }
  return out;
}

}  // namespace llmbench
