#pragma once
// A client's pause before its next request after one that could not
// connect: 10 ms, doubling to at most 1 s, each scaled by a seeded factor in
// [0.5, 1.5) so that clients whose connects failed together do not retry in
// lockstep. A server that died mid-run then costs a few connect attempts a
// second instead of tens of thousands (seen: 83,000 a second at full CPU).
#include <algorithm>
#include <cstdint>

#include "llmbench/util/splitmix64.hpp"

namespace llmbench {

class ReconnectBackoff {
 public:
  static constexpr std::int64_t kFirstNs = 10'000'000;
  static constexpr std::int64_t kMaxNs = 1'000'000'000;

  explicit ReconnectBackoff(std::uint64_t seed) noexcept : rng_(seed) {}

  // The pause before the next attempt, and the one after it doubles.
  std::int64_t next() noexcept {
    const double jitter = 0.5 + rng_.unit();
    const auto pause = static_cast<std::int64_t>(static_cast<double>(current_ns_) * jitter);
    current_ns_ = std::min(current_ns_ * 2, kMaxNs);
    return pause;
  }
  void reset() noexcept { current_ns_ = kFirstNs; }

 private:
  SplitMix64 rng_;
  std::int64_t current_ns_ = kFirstNs;
};

}  // namespace llmbench
