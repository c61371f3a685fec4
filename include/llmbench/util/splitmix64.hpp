#pragma once
// splitmix64: a tiny, fast seeded generator, and our own distributions
// (splitmix64.cpp) rather than <random>'s, which differ between standard
// libraries: the same seed draws the same numbers everywhere. Used for
// open-loop arrivals, the built-in server's text choice and jitter, and the
// statistics' bootstrap.
#include <cstdint>

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
  // Uniform in [0, 1).
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1): never 0, so log() is always finite.
  double uniform() noexcept { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  double normal() noexcept;  // standard normal (Box-Muller)
  double exponential(double mean) noexcept;
  double gamma(double shape, double scale) noexcept;

 private:
  std::uint64_t state_;
};

}  // namespace llmbench
