#pragma once
// Maps CLOCK_REALTIME nanoseconds onto llmbench's steady clock (clock.hpp:
// CLOCK_MONOTONIC, counted from clock_epoch()).
//
// Why: the kernel's software receive timestamps (SO_TIMESTAMPING,
// SOF_TIMESTAMPING_RX_SOFTWARE) are taken with ktime_get_real(), i.e. on
// CLOCK_REALTIME, and there is no option that makes them monotonic. Every
// other time llmbench keeps is on the steady clock, so a kernel stamp is
// moved onto it by subtracting the offset between the two clocks.
//
// Method. The offset `realtime - steady` is sampled by reading steady,
// realtime, steady (three vDSO reads, no system call) and taking the
// realtime reading as simultaneous with the midpoint of the two steady
// readings; of kSampleTries such brackets the narrowest wins. It is
// re-sampled when a stamp is a second past the last sample (the stamps
// themselves say how much time has passed, so the read path pays one
// comparison per read and no clock read), and when a stamp is more than a
// second older than the last sample (see clock steps below).
//
// Error, and why it is small:
//  - Sampling: the realtime reading lies somewhere inside its bracket, so the
//    offset is off by at most half the bracket's width; uncertainty_ns()
//    reports that bound for the last sample (typically 10-30 ns here).
//  - NTP slewing does not move the offset. Linux derives CLOCK_REALTIME and
//    CLOCK_MONOTONIC from the same timekeeper: a frequency or phase
//    adjustment (adjtimex, chrony and ntpd in steady state, adjtime()) changes
//    the rate of both alike, and only the wall-to-monotonic offset separates
//    them. (CLOCK_MONOTONIC_RAW is the unslewed clock; we do not use it.)
//  - Steps do move it: settimeofday/clock_settime, an NTP "step" (ntpd's
//    128 ms threshold, chrony's makestep, usually only at boot) and a leap
//    second change the offset at once. A step forward is caught by the very
//    stamp that shows it (the stamp is then past the refresh point, so the
//    offset is re-sampled before that stamp is mapped). A step back of more
//    than a second is caught the same way; a smaller one makes the stamps of
//    at most the following second early by the step. Callers bound the
//    damage: a kernel time is never later than the user-space time of the
//    same read (exchange.cpp clamps it there).
#include <cstdint>

namespace llmbench {

// One reading of `realtime - steady`: steady is now_ns()'s scale.
struct OffsetSample {
  std::int64_t offset_ns = 0;       // realtime_ns - steady_ns
  std::int64_t realtime_ns = 0;     // when it was taken, on CLOCK_REALTIME
  std::int64_t uncertainty_ns = 0;  // half the width of the bracket used
};

// The narrowest of `tries` steady/realtime/steady brackets (vDSO reads only).
OffsetSample sample_realtime_offset(int tries) noexcept;

class RealtimeOffset {
 public:
  static constexpr std::int64_t kRefreshNs = 1'000'000'000;
  static constexpr int kSampleTries = 5;
  using Sampler = OffsetSample (*)() noexcept;

  // Samples at once. `sampler` is for tests; the default reads the clocks.
  explicit RealtimeOffset(Sampler sampler = &default_sample) noexcept : sampler_(sampler) { resample(); }

  // A CLOCK_REALTIME stamp on the steady clock (now_ns()'s scale).
  [[nodiscard]] std::int64_t to_steady_ns(std::int64_t realtime_ns) noexcept {
    if (realtime_ns >= last_.realtime_ns + kRefreshNs || realtime_ns < last_.realtime_ns - kRefreshNs) resample();
    return realtime_ns - last_.offset_ns;
  }

  [[nodiscard]] const OffsetSample& last_sample() const noexcept { return last_; }
  [[nodiscard]] std::uint64_t samples_taken() const noexcept { return samples_; }

 private:
  static OffsetSample default_sample() noexcept { return sample_realtime_offset(kSampleTries); }
  void resample() noexcept {
    last_ = sampler_();
    ++samples_;
  }

  Sampler sampler_;
  OffsetSample last_;
  std::uint64_t samples_ = 0;
};

}  // namespace llmbench
