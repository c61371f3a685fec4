#pragma once
// Open-loop arrival times, drawn before the run from a seeded generator so a
// run is reproducible and no random number is drawn on the request path.
//
// The generator and the distributions are our own (splitmix64, inverse-CDF
// exponential, Marsaglia-Tsang gamma) rather than <random>'s, whose
// distributions differ between standard libraries: the same --seed gives the
// same schedule everywhere.
#include <cstdint>
#include <vector>

#include "llmbench/load/plan.hpp"

namespace llmbench {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1): never 0, so log() is always finite.
  double uniform() noexcept { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  double normal() noexcept;  // standard normal (Box-Muller)
  double exponential(double mean) noexcept;
  double gamma(double shape, double scale) noexcept;

 private:
  std::uint64_t state_;
};

// Intended send times (ns from the stage's start) for a rate and arrival
// process, up to `until_ns` and at most `max_count` (0: no count limit).
std::vector<std::int64_t> make_arrivals(Arrival kind, double rate_rps, double burstiness, std::uint64_t seed,
                                        std::int64_t until_ns, std::uint64_t max_count);

}  // namespace llmbench
