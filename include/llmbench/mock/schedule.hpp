#pragma once
// When each token of a generation is due.
//
// Token i is due at first + i / decode_tps: the schedule is absolute, computed
// from the first token's due time and never from when the previous token was
// actually written, so a late wake-up (a busy event loop, a slow client write)
// does not push every later token back. Over N tokens the rate a client
// measures is exactly decode_tps, whatever the timer lateness on the way.
//
// Jitter varies each gap by a seeded uniform factor in [1 - j, 1 + j): the
// mean gap, and so the long-run rate, stay 1 / decode_tps; the due times are
// still a running sum of planned gaps, not of observed ones.
#include <cmath>
#include <cstdint>

#include "llmbench/mock/text.hpp"

namespace llmbench::mock {

class TokenSchedule {
 public:
  TokenSchedule(std::int64_t first_due_ns, double decode_tps, double jitter, std::uint64_t seed) noexcept
      : first_ns_(first_due_ns), due_ns_(first_due_ns), period_ns_(1e9 / decode_tps), jitter_(jitter), rng_(seed) {}

  // Due time of the next token (the first call gives token 0).
  std::int64_t next_due_ns() noexcept {
    const int i = index_++;
    if (i == 0) return first_ns_;
    if (jitter_ <= 0) {
      // Multiplying instead of summing keeps rounding from accumulating.
      due_ns_ = first_ns_ + std::llround(static_cast<double>(i) * period_ns_);
    } else {
      const double factor = 1.0 + jitter_ * (2.0 * rng_.unit() - 1.0);
      due_ns_ += std::llround(period_ns_ * factor);
    }
    return due_ns_;
  }

  [[nodiscard]] int issued() const noexcept { return index_; }

 private:
  std::int64_t first_ns_;
  std::int64_t due_ns_;
  double period_ns_;
  double jitter_;
  SplitMix64 rng_;
  int index_ = 0;
};

// Time from a slot picking a request to its first token: prompt processing at
// prompt_tps plus the fixed extra delay.
inline std::int64_t prompt_delay_ns(int prompt_tokens, double prompt_tps, double ttft_ms) noexcept {
  return std::llround(static_cast<double>(prompt_tokens) / prompt_tps * 1e9 + ttft_ms * 1e6);
}

}  // namespace llmbench::mock
