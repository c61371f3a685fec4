// Welford's running mean and variance against a two-pass computation, and
// Chan's merge against one pass over all the data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "llmbench/stats/running_stats.hpp"

namespace llmbench::stats {
namespace {

struct TwoPass {
  long double mean = 0, population_var = 0, sample_var = 0;
};

TwoPass two_pass(const std::vector<double>& xs) {
  TwoPass r;
  for (const double x : xs) r.mean += static_cast<long double>(x);
  r.mean /= static_cast<long double>(xs.size());
  long double m2 = 0;
  for (const double x : xs) m2 += (static_cast<long double>(x) - r.mean) * (static_cast<long double>(x) - r.mean);
  r.population_var = m2 / static_cast<long double>(xs.size());
  r.sample_var = xs.size() > 1 ? m2 / static_cast<long double>(xs.size() - 1) : 0;
  return r;
}

void expect_matches(const RunningStats& s, const std::vector<double>& xs) {
  const TwoPass want = two_pass(xs);
  const auto mean = static_cast<double>(want.mean);
  const auto pop_std = static_cast<double>(std::sqrt(want.population_var));
  const auto sample_std = static_cast<double>(std::sqrt(want.sample_var));
  ASSERT_EQ(s.count(), xs.size());
  EXPECT_NEAR(s.mean(), mean, std::abs(mean) * 1e-13);
  // Rounding of each sample near a large mean bounds what any method can
  // reach (about eps * |mean|); the naive sum-of-squares formula misses this
  // by many orders of magnitude at the 1e9 offset.
  const double floor = std::abs(mean) * 1e-15;
  EXPECT_NEAR(s.std(), pop_std, pop_std * 1e-9 + floor);
  EXPECT_NEAR(s.sample_std(), sample_std, sample_std * 1e-9 + floor);
  EXPECT_EQ(s.min(), *std::min_element(xs.begin(), xs.end()));
  EXPECT_EQ(s.max(), *std::max_element(xs.begin(), xs.end()));
}

std::vector<double> tokens_per_second(std::uint64_t seed, std::size_t n, double offset) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 3.0);
  std::vector<double> xs(n);
  for (auto& x : xs) x = offset + noise(rng);
  return xs;
}

TEST(RunningStats, EmptyIsAllZero) {
  const RunningStats s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.count(), 0u);
  EXPECT_EQ(s.mean(), 0.0);
  EXPECT_EQ(s.std(), 0.0);
  EXPECT_EQ(s.sample_std(), 0.0);
  EXPECT_EQ(s.min(), 0.0);
  EXPECT_EQ(s.max(), 0.0);
}

TEST(RunningStats, SingleSampleHasNoSpread) {
  RunningStats s;
  s.record(42.5);
  EXPECT_EQ(s.mean(), 42.5);
  EXPECT_EQ(s.std(), 0.0);
  EXPECT_EQ(s.sample_std(), 0.0);
  EXPECT_EQ(s.min(), 42.5);
  EXPECT_EQ(s.max(), 42.5);
}

TEST(RunningStats, KnownValues) {
  RunningStats s;
  for (const double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) s.record(x);
  EXPECT_DOUBLE_EQ(s.mean(), 5.0);
  EXPECT_DOUBLE_EQ(s.std(), 2.0);
  EXPECT_DOUBLE_EQ(s.sample_variance(), 32.0 / 7.0);
  EXPECT_DOUBLE_EQ(s.sum(), 40.0);
}

TEST(RunningStats, MatchesTwoPassWithLargeOffset) {
  // A small spread around a large mean is where one-pass sum-of-squares
  // formulas fail; Welford must not.
  for (const double offset : {0.0, 50.0, 1e6, 1e9}) {
    const auto xs = tokens_per_second(11, 10000, offset);
    RunningStats s;
    for (const double x : xs) s.record(x);
    expect_matches(s, xs);
  }
}

TEST(RunningStats, MergeOfSplitDataMatchesOnePass) {
  const auto xs = tokens_per_second(12, 9000, 1e6);
  // Uneven splits, including empty parts at either end.
  for (const std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{4500}, std::size_t{8999},
                                std::size_t{9000}}) {
    RunningStats a, b, c;
    for (std::size_t i = 0; i < xs.size(); ++i) (i < cut ? a : (i % 2 ? b : c)).record(xs[i]);
    RunningStats merged;
    merged.merge(a);
    merged.merge(b);
    merged.merge(c);
    expect_matches(merged, xs);
    c.merge(a);  // in another order
    c.merge(b);
    expect_matches(c, xs);
  }
}

TEST(RunningStats, NonFiniteSamplesAreRejected) {
  RunningStats s;
  s.record(1.0);
  s.record(std::numeric_limits<double>::infinity());
  s.record(std::nan(""));
  s.record(3.0);
  EXPECT_EQ(s.count(), 2u);
  EXPECT_EQ(s.rejected(), 2u);
  EXPECT_EQ(s.mean(), 2.0);
  RunningStats other;
  other.record(-std::numeric_limits<double>::infinity());
  s.merge(other);
  EXPECT_EQ(s.rejected(), 3u);
  RunningStats empty;
  empty.merge(s);
  EXPECT_EQ(empty.rejected(), 3u);
  EXPECT_EQ(empty.mean(), 2.0);
  s.reset();
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.rejected(), 0u);
}

}  // namespace
}  // namespace llmbench::stats
