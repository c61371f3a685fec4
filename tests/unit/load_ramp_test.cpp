// Ramps as schedules: a rate ramp's arrivals follow the integral of its
// rate, a concurrency ramp's clients join where the curve crosses each
// integer, and the offered load per bucket is the curve's mean over it.
#include <gtest/gtest.h>

#include <cmath>

#include "llmbench/load/ramp.hpp"
#include "llmbench/load/schedule.hpp"

namespace llmbench {
namespace {

constexpr double kNs = 1e9;

RampPlan ramp(double from, double to, RampShape shape) { return RampPlan{from, to, shape}; }

// Arrivals in each tenth of [warmup, warmup + duration) against the
// expected count there, the curve's integral over that tenth. The bound is
// `sigmas` standard deviations of the count plus `slack` (the arrival at 0,
// rounding to ns).
void expect_tenths_follow_integral(const std::vector<std::int64_t>& at, const RampCurve& curve, double warmup_s,
                                   double duration_s, double sd_per_sqrt, double slack) {
  for (int i = 0; i < 10; ++i) {
    const double t0 = warmup_s + duration_s * i / 10, t1 = warmup_s + duration_s * (i + 1) / 10;
    std::size_t n = 0;
    for (const std::int64_t t : at) n += (t >= std::llround(t0 * kNs) && t < std::llround(t1 * kNs)) ? 1 : 0;
    const double expected = curve.integral(t1) - curve.integral(t0);
    EXPECT_NEAR(static_cast<double>(n), expected, 5 * sd_per_sqrt * std::sqrt(expected) + slack)
        << "tenth " << i << " [" << t0 << ", " << t1 << ") s";
  }
}

TEST(RampCurve, IntegralAndInverseAgreeForBothShapes) {
  for (const RampShape shape : {RampShape::linear, RampShape::exponential}) {
    const RampCurve c(ramp(2, 50, shape), 1.0, 10.0);
    EXPECT_DOUBLE_EQ(c.value_at(0.5), 2);   // warm-up at the start value
    EXPECT_DOUBLE_EQ(c.value_at(1.0), 2);   // the ramp starts at A
    EXPECT_NEAR(c.value_at(10.999), 50, 0.2);
    EXPECT_DOUBLE_EQ(c.value_at(12), 50);   // cool-down at the end value
    for (const double t : {0.3, 1.0, 2.5, 6.0, 10.9, 11.0, 13.0}) {
      EXPECT_NEAR(c.inverse_integral(c.integral(t)), t, 1e-9) << t;
    }
  }
  // Linear 2..50 over 10 s: (2 + 50) / 2 x 10 = 260 expected arrivals.
  EXPECT_NEAR(RampCurve(ramp(2, 50, RampShape::linear), 0, 10).integral(10), 260, 1e-9);
  // Exponential: A (B/A - 1) D / ln(B/A) = 2 x 24 x 10 / ln 25.
  EXPECT_NEAR(RampCurve(ramp(2, 50, RampShape::exponential), 0, 10).integral(10), 480 / std::log(25.0), 1e-9);
  // Exponential is geometric: halfway through, the geometric mean.
  EXPECT_NEAR(RampCurve(ramp(2, 50, RampShape::exponential), 0, 10).value_at(5), 10, 1e-9);
  // A linear ramp from 0 and a falling one invert too.
  const RampCurve up(ramp(0, 10, RampShape::linear), 0, 4), down(ramp(10, 0, RampShape::linear), 0, 4);
  EXPECT_NEAR(up.inverse_integral(up.integral(1.5)), 1.5, 1e-9);
  EXPECT_NEAR(down.inverse_integral(down.integral(3.5)), 3.5, 1e-9);
}

// Poisson: the count in a tenth is Poisson with mean Λ(t1) - Λ(t0) (time
// rescaling), so its standard deviation is sqrt(mean); 5 of them bound a
// count with probability 1 - 6e-7, for 20 tenths x 3 seeds below 1e-4 of a
// false failure. The seeds are fixed: the outcome is deterministic.
TEST(RampArrivals, PoissonCountsPerTenthFollowTheIntegralForBothShapes) {
  for (const RampShape shape : {RampShape::linear, RampShape::exponential}) {
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
      const RampPlan r = ramp(20, 200, shape);
      const auto at = make_ramp_arrivals(Arrival::poisson, r, 1.0, seed, 0, 60, 0);
      expect_tenths_follow_integral(at, RampCurve(r, 0, 60), 0, 60, 1.0, 1);
      // A steady schedule at the mean rate would put ~equal counts in each
      // tenth: the last tenth must carry several times the first.
      std::size_t first = 0, last = 0;
      for (const std::int64_t t : at) {
        first += t < 6 * 1'000'000'000LL ? 1 : 0;
        last += t >= 54 * 1'000'000'000LL ? 1 : 0;
      }
      EXPECT_GT(last, 4 * first);
    }
  }
}

// Constant: arrival k is sent at Λ⁻¹(k), so a tenth holds Λ's growth over
// it to within one arrival.
TEST(RampArrivals, ConstantSpacingTracksTheInstantaneousRate) {
  for (const RampShape shape : {RampShape::linear, RampShape::exponential}) {
    const RampPlan r = ramp(5, 80, shape);
    const auto at = make_ramp_arrivals(Arrival::constant, r, 1.0, 9, 2, 20, 1);
    expect_tenths_follow_integral(at, RampCurve(r, 2, 20), 2, 20, 0, 1);
    // Warm-up at 5/s exactly: 0, 0.2, ..., 1.8 s.
    std::size_t warm = 0;
    for (const std::int64_t t : at) warm += t < 2 * 1'000'000'000LL ? 1 : 0;
    EXPECT_EQ(warm, 10u);
    // The gaps shrink as the rate rises.
    EXPECT_GT(at[11] - at[10], at[at.size() - 1] - at[at.size() - 2]);
  }
}

// Gamma renewal gaps of shape k (mean 1 in expected-arrival time): the
// count over a span of mean m has variance about m / k.
TEST(RampArrivals, GammaKeepsItsBurstinessOverTheRamp) {
  const double k = 0.5;
  for (const RampShape shape : {RampShape::linear, RampShape::exponential}) {
    const RampPlan r = ramp(20, 200, shape);
    const auto at = make_ramp_arrivals(Arrival::gamma, r, k, 4, 0, 60, 0);
    expect_tenths_follow_integral(at, RampCurve(r, 0, 60), 0, 60, 1 / std::sqrt(k), 2);
  }
}

TEST(RampArrivals, SeededAndReproducible) {
  const RampPlan r = ramp(1, 50, RampShape::linear);
  EXPECT_EQ(make_ramp_arrivals(Arrival::poisson, r, 1, 7, 0, 10, 0), make_ramp_arrivals(Arrival::poisson, r, 1, 7, 0, 10, 0));
  EXPECT_NE(make_ramp_arrivals(Arrival::poisson, r, 1, 7, 0, 10, 0), make_ramp_arrivals(Arrival::poisson, r, 1, 8, 0, 10, 0));
}

TEST(RampArrivals, TheOpenScheduleMeasuresTheRampWindow) {
  StagePlan s;
  s.mode = LoadMode::open;
  s.rate_rps = 40;
  s.ramp = ramp(4, 40, RampShape::linear);
  s.warmup_s = 1;
  s.duration_s = 5;
  s.cooldown_s = 1;
  const OpenSchedule o = make_open_schedule(s, Arrival::constant, 1, 1);
  // Warm-up: 4/s for 1 s; measured: (4 + 40) / 2 x 5 = 110; cool-down 40 more.
  EXPECT_EQ(o.measured_begin, 4u);
  EXPECT_NEAR(static_cast<double>(o.measured_end - o.measured_begin), 110, 1);
  EXPECT_NEAR(static_cast<double>(o.at_ns.size() - o.measured_end), 40, 1);
}

TEST(RampClients, LinearStepsWhereTheLineCrossesEachInteger) {
  // 1..64 over 63 s after 2 s of warm-up: client k joins at 2 + (k - 1) s.
  const auto starts = ramp_client_starts(ramp(1, 64, RampShape::linear), 2, 63);
  ASSERT_EQ(starts.size(), 64u);
  EXPECT_EQ(starts[0], 0);  // the first client runs through the warm-up
  for (std::size_t i = 1; i < starts.size(); ++i) EXPECT_EQ(starts[i], static_cast<std::int64_t>(i + 2) * 1'000'000'000) << i;
  // From 4: four clients at once, then one every 0.5 s.
  const auto from4 = ramp_client_starts(ramp(4, 8, RampShape::linear), 0, 2);
  ASSERT_EQ(from4.size(), 8u);
  EXPECT_EQ(from4[3], 0);
  EXPECT_EQ(from4[4], 500'000'000);
  EXPECT_EQ(from4[7], 2'000'000'000);
}

TEST(RampClients, ExponentialStepsGeometrically) {
  // 1..64 over 6 s: 2^t clients, so client 2^j joins at j s.
  const auto starts = ramp_client_starts(ramp(1, 64, RampShape::exponential), 0, 6);
  ASSERT_EQ(starts.size(), 64u);
  for (int j = 0; j <= 6; ++j) EXPECT_NEAR(static_cast<double>(starts[(1u << j) - 1]), j * kNs, 1) << j;
  EXPECT_NEAR(static_cast<double>(starts[2]), std::log2(3.0) * kNs, 1);
}

TEST(RampOfferedLoad, BucketMeansOfTheCurve) {
  StagePlan open;
  open.mode = LoadMode::open;
  open.rate_rps = 50;
  open.duration_s = 10;
  open.ramp = ramp(10, 50, RampShape::linear);
  EXPECT_NEAR(offered_load(open, false, 0, 1), 12, 1e-9);   // the mean of 10 and 14
  EXPECT_NEAR(offered_load(open, false, 9, 10), 48, 1e-9);
  EXPECT_NEAR(offered_load(open, false, 10, 11), 50, 1e-9);  // after the window: the end rate
  StagePlan closed;
  closed.mode = LoadMode::closed;
  closed.concurrency = 5;
  closed.duration_s = 4;
  closed.ramp = ramp(1, 5, RampShape::linear);  // a client joins at 1, 2, 3 and 4 s
  EXPECT_NEAR(offered_load(closed, false, 0, 1), 1, 1e-9);
  EXPECT_NEAR(offered_load(closed, false, 0.5, 1.5), 1.5, 1e-9);
  EXPECT_NEAR(offered_load(closed, false, 4, 5), 5, 1e-9);
  // Steady stages offer their rate or clients; spec mode and traces none.
  open.ramp.reset();
  EXPECT_DOUBLE_EQ(offered_load(open, false, 0, 1), 50);
  EXPECT_DOUBLE_EQ(offered_load(open, true, 0, 1), -1);
  StagePlan spec;
  EXPECT_DOUBLE_EQ(offered_load(spec, false, 0, 1), -1);
}

}  // namespace
}  // namespace llmbench
