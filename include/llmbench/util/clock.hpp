#pragma once
// The one clock every timestamp comes from: steady (monotonic) nanoseconds,
// relative to an epoch fixed once per process, so records carry small int64s.
#include <chrono>
#include <cstdint>

namespace llmbench {

using SteadyClock = std::chrono::steady_clock;

inline SteadyClock::time_point clock_epoch() noexcept {
  static const SteadyClock::time_point epoch = SteadyClock::now();
  return epoch;
}

// Nanoseconds since clock_epoch(). One call is one clock read (vDSO, ~20 ns).
inline std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - clock_epoch()).count();
}

inline SteadyClock::time_point to_time_point(std::int64_t ns) noexcept {
  return clock_epoch() + std::chrono::nanoseconds(ns);
}

inline constexpr std::int64_t seconds_to_ns(double s) noexcept {
  return static_cast<std::int64_t>(s * 1e9);
}

}  // namespace llmbench
