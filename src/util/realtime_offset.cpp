#include "llmbench/util/realtime_offset.hpp"

#include <time.h>

#include <limits>

#include "llmbench/util/clock.hpp"

namespace llmbench {

namespace {
std::int64_t realtime_now_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

// A bracket is narrow unless the thread was interrupted between its reads;
// a few tries make one interruption-free bracket all but certain.
OffsetSample sample_realtime_offset(int tries) noexcept {
  OffsetSample best;
  std::int64_t best_width = std::numeric_limits<std::int64_t>::max();
  for (int i = 0; i < tries; ++i) {
    const std::int64_t before = now_ns();
    const std::int64_t real = realtime_now_ns();
    const std::int64_t after = now_ns();
    const std::int64_t width = after - before;
    if (width >= best_width) continue;
    best_width = width;
    best.offset_ns = real - (before + width / 2);
    best.realtime_ns = real;
    best.uncertainty_ns = (width + 1) / 2;
  }
  return best;
}

}  // namespace llmbench
