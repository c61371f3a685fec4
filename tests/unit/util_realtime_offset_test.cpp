// Mapping CLOCK_REALTIME (the kernel's receive stamps) onto the steady
// clock: against the real clocks, and the refresh rule with a fake sampler.
#include <gtest/gtest.h>

#include <time.h>

#include "llmbench/util/clock.hpp"
#include "llmbench/util/realtime_offset.hpp"

namespace llmbench {
namespace {

std::int64_t realtime_now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// A realtime reading mapped onto the steady clock falls between the steady
// readings taken around it (widened by the offset's own uncertainty and the
// clocks' resolution).
TEST(RealtimeOffset, MapsRealtimeBetweenTheSteadyReadingsAroundIt) {
  RealtimeOffset clock;
  for (int i = 0; i < 100; ++i) {
    const std::int64_t before = now_ns();
    const std::int64_t real = realtime_now_ns();
    const std::int64_t after = now_ns();
    const std::int64_t mapped = clock.to_steady_ns(real);
    const std::int64_t slack = clock.last_sample().uncertainty_ns + 1000;
    ASSERT_GE(mapped, before - slack) << i;
    ASSERT_LE(mapped, after + slack) << i;
  }
  EXPECT_LT(clock.last_sample().uncertainty_ns, 1'000'000);
}

// A fake sampler: the n-th sample has offset 1000 * n, taken at realtime
// kSampledAt + n seconds.
int g_samples = 0;
constexpr std::int64_t kSampledAt = 1'000'000'000'000;
OffsetSample fake_sample() noexcept {
  ++g_samples;
  return OffsetSample{1000 * g_samples, kSampledAt + g_samples * RealtimeOffset::kRefreshNs, 5};
}

TEST(RealtimeOffset, ResamplesOnlyWhenAStampIsASecondAwayFromTheLastSample) {
  g_samples = 0;
  RealtimeOffset clock(&fake_sample);
  ASSERT_EQ(g_samples, 1);  // at construction
  const std::int64_t t1 = kSampledAt + RealtimeOffset::kRefreshNs;
  EXPECT_EQ(clock.to_steady_ns(t1 + 10), t1 + 10 - 1000);
  EXPECT_EQ(clock.to_steady_ns(t1 + RealtimeOffset::kRefreshNs - 1), t1 + RealtimeOffset::kRefreshNs - 1 - 1000);
  EXPECT_EQ(clock.to_steady_ns(t1 - RealtimeOffset::kRefreshNs + 1), t1 - RealtimeOffset::kRefreshNs + 1 - 1000);
  EXPECT_EQ(g_samples, 1) << "no clock read within a second of the last sample";
  // A second later: the offset is sampled again before the stamp is mapped.
  EXPECT_EQ(clock.to_steady_ns(t1 + RealtimeOffset::kRefreshNs), t1 + RealtimeOffset::kRefreshNs - 2000);
  EXPECT_EQ(g_samples, 2);
  // A stamp more than a second before the last sample (the wall clock went
  // back, or very old data): sampled again too.
  EXPECT_EQ(clock.to_steady_ns(kSampledAt), kSampledAt - 3000);
  EXPECT_EQ(g_samples, 3);
  EXPECT_EQ(clock.samples_taken(), 3u);
}

}  // namespace
}  // namespace llmbench
