// Distribution-free percentile intervals read from histograms, and the
// comparison of one percentile between two histograms: the ranks against
// the binomial definition and a textbook case, the mapping through buckets,
// and calibration on histograms filled from known distributions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "llmbench/stats/distributions.hpp"
#include "llmbench/stats/inference.hpp"
#include "stats_calibration.hpp"

namespace llmbench::stats {
namespace {

using calibration::decided;
using calibration::Rate;

Histogram one_to(std::int64_t n) {
  Histogram h;
  for (std::int64_t v = 1; v <= n; ++v) h.record(v);
  return h;
}

// Latency-like values in ns: lognormal around a median of 5 ms, sigma 0.5.
void fill_lognormal(Histogram& h, SplitMix64& rng, int n, double median_ns, double sigma = 0.5) {
  h.reset();
  for (int i = 0; i < n; ++i) h.record(std::llround(median_ns * std::exp(sigma * rng.normal())));
}

void fill_exponential(Histogram& h, SplitMix64& rng, int n, double mean_ns) {
  h.reset();
  for (int i = 0; i < n; ++i) h.record(std::llround(rng.exponential(mean_ns)));
}

// The median of 100 values: the classic 95 % interval is X(40)..X(61)
// (coverage 96.48 %); below 128 the histogram is exact, so those are the values.
TEST(InferencePercentile, TextbookMedianOfOneHundred) {
  const auto i = percentile_interval(one_to(100), 50.0, 0.05);
  ASSERT_TRUE(i);
  EXPECT_EQ(i->rank_lo, 40u);
  EXPECT_EQ(i->rank_hi, 61u);
  EXPECT_EQ(i->lo, 40.0);
  EXPECT_EQ(i->hi, 61.0);
  EXPECT_EQ(i->estimate, 50.0);
}

// l is the largest rank with P(B <= l-1) <= alpha/2, u the smallest with
// P(B <= u-1) >= 1 - alpha/2, for B ~ Binomial(n, q).
TEST(InferencePercentile, RanksFollowTheBinomialDefinition) {
  for (const std::int64_t n : {6, 37, 368, 1000, 54321}) {
    const Histogram h = one_to(n);
    for (const double q_pct : {10.0, 50.0, 90.0, 99.0}) {
      for (const double alpha : {0.05, 0.025, 0.2}) {
        const auto i = percentile_interval(h, q_pct, alpha);
        if (!i) continue;
        const auto un = static_cast<std::uint64_t>(n);
        const double q = q_pct / 100.0;
        EXPECT_LE(binomial_cdf(i->rank_lo - 1, un, q), alpha / 2.0);
        EXPECT_GT(binomial_cdf(i->rank_lo, un, q), alpha / 2.0);
        EXPECT_GE(binomial_cdf(i->rank_hi - 1, un, q), 1.0 - alpha / 2.0);
        if (i->rank_hi >= 2) {
          EXPECT_LT(binomial_cdf(i->rank_hi - 2, un, q), 1.0 - alpha / 2.0);
        }
        EXPECT_LE(i->lo, i->estimate);
        EXPECT_GE(i->hi, i->estimate);
      }
    }
  }
}

TEST(InferencePercentile, TooFewValuesHaveNoInterval) {
  // p99 at 95 %: the upper end needs 1 - 0.99^n >= 0.975, n >= 368.
  EXPECT_FALSE(percentile_interval(one_to(367), 99.0, 0.05));
  EXPECT_TRUE(percentile_interval(one_to(368), 99.0, 0.05));
  // The median: the lower end needs 0.5^n <= 0.025, n >= 6.
  EXPECT_FALSE(percentile_interval(one_to(5), 50.0, 0.05));
  EXPECT_TRUE(percentile_interval(one_to(6), 50.0, 0.05));
  EXPECT_FALSE(percentile_interval(Histogram{}, 50.0, 0.05));
  EXPECT_FALSE(percentile_interval(one_to(1000), 0.0, 0.05));
  EXPECT_FALSE(percentile_interval(one_to(1000), 100.0, 0.05));
}

// Above 128 a bucket holds many values: the interval's ends are its
// buckets' outer edges, so they bracket the exact order statistics and
// stay within one bucket (< 1/64 relative) of them.
TEST(InferencePercentile, BucketEdgesBracketTheExactOrderStatistics) {
  SplitMix64 rng(4);
  std::vector<std::int64_t> values;
  Histogram h;
  for (int i = 0; i < 5000; ++i) {
    values.push_back(std::llround(3e6 * std::exp(0.7 * rng.normal())));
    h.record(values.back());
  }
  std::sort(values.begin(), values.end());
  for (const double q : {1.0, 50.0, 95.0, 99.9}) {
    const auto i = percentile_interval(h, q, 0.05);
    ASSERT_TRUE(i) << q;
    const auto exact_lo = static_cast<double>(values[i->rank_lo - 1]);
    const auto exact_hi = static_cast<double>(values[i->rank_hi - 1]);
    EXPECT_LE(i->lo, exact_lo);
    EXPECT_GE(i->hi, exact_hi);
    EXPECT_GT(i->lo, exact_lo * (1.0 - 1.0 / 64.0));
    EXPECT_LT(i->hi, exact_hi * (1.0 + 1.0 / 64.0));
  }
}

// The interval covers the true percentile at least ~95 % of the time on
// histograms filled from known distributions.
TEST(InferencePercentile, CoverageOnKnownDistributions) {
  constexpr int kTrials = 1000;
  constexpr double kMedianNs = 5e6;  // lognormal, sigma 0.5
  constexpr double kMeanNs = 2e6;    // exponential
  struct Target { double q_pct, z; };  // z: the normal quantile of q
  const Target targets[] = {{50.0, 0.0}, {90.0, 1.2815515655446004}, {99.0, 2.3263478740408408}};
  struct Case { bool lognormal; int n; };
  const Case cases[] = {{true, 400}, {false, 400}, {true, 2000}};
  for (const Case& c : cases) {
    Rate covered[3];
    SplitMix64 rng(60 + static_cast<std::uint64_t>(c.n) + c.lognormal);
    Histogram h;
    for (int t = 0; t < kTrials; ++t) {
      if (c.lognormal) fill_lognormal(h, rng, c.n, kMedianNs);
      if (!c.lognormal) fill_exponential(h, rng, c.n, kMeanNs);
      for (int k = 0; k < 3; ++k) {
        const double truth = c.lognormal ? kMedianNs * std::exp(0.5 * targets[k].z)
                                         : -std::log(1.0 - targets[k].q_pct / 100.0) * kMeanNs;
        const auto i = percentile_interval(h, targets[k].q_pct, 0.05);
        ASSERT_TRUE(i);
        // Values were rounded to whole ns: allow the half ns that moves.
        covered[k].hits += i->lo <= truth + 0.5 && truth - 0.5 <= i->hi;
        ++covered[k].trials;
      }
    }
    for (int k = 0; k < 3; ++k) {
      const std::string name = std::string("percentile_coverage_") + (c.lognormal ? "lognormal" : "exponential") +
                               "_n" + std::to_string(c.n) + "_p" + std::to_string(static_cast<int>(targets[k].q_pct));
      calibration::expect_at_least(name, covered[k], 0.95);
    }
  }
}

VerdictRule latency_rule(double min_effect = 0.01) {
  VerdictRule r;
  r.better = Better::lower;
  r.min_effect = min_effect;
  return r;
}

// Two histograms from one distribution: `faster`/`slower` in at most about
// alpha of the trials (the Bonferroni pair of intervals is conservative:
// a difference needs the two intervals not to overlap).
TEST(InferencePercentile, FalsePositiveRateAtMostAlpha) {
  constexpr int kTrials = 1000;
  SplitMix64 rng(70);
  Histogram a, b;
  Rate rates[3];
  const double qs[] = {50.0, 90.0, 99.0};
  for (int t = 0; t < kTrials; ++t) {
    fill_lognormal(a, rng, 1000, 5e6);
    fill_lognormal(b, rng, 1000, 5e6);
    for (int k = 0; k < 3; ++k) {
      rates[k].hits += decided(compare_percentile(a, b, qs[k], latency_rule(0.0)).verdict);
      ++rates[k].trials;
    }
  }
  for (int k = 0; k < 3; ++k) {
    calibration::expect_at_most("percentile_fpr_lognormal_n1000_p" + std::to_string(static_cast<int>(qs[k])),
                                rates[k], 0.05);
  }
}

TEST(InferencePercentile, TwentyPercentLowerLatencyIsFaster) {
  SplitMix64 rng(71);
  Histogram base, better;
  for (int t = 0; t < 200; ++t) {
    fill_lognormal(base, rng, 2000, 5e6);
    fill_lognormal(better, rng, 2000, 4e6);
    ASSERT_EQ(compare_percentile(base, better, 50.0, latency_rule()).verdict, Verdict::faster);
    ASSERT_EQ(compare_percentile(better, base, 50.0, latency_rule()).verdict, Verdict::slower);
    VerdictRule higher = latency_rule();
    higher.better = Better::higher;  // the same numbers read as a rate
    ASSERT_EQ(compare_percentile(base, better, 50.0, higher).verdict, Verdict::slower);
  }
}

// Many values from one distribution and min_effect 5 %: the interval is
// narrow (about +-2.5 %, most of it bucket width) and inside +-5 %.
TEST(InferencePercentile, LargeIdenticalSamplesAreSame) {
  SplitMix64 rng(72);
  Histogram a, b;
  for (int t = 0; t < 10; ++t) {
    fill_lognormal(a, rng, 100'000, 5e6);
    fill_lognormal(b, rng, 100'000, 5e6);
    const Comparison c = compare_percentile(a, b, 50.0, latency_rule(0.05), 1e6);
    EXPECT_EQ(c.verdict, Verdict::same) << c.ci_lo_pct << " " << c.ci_hi_pct;
    EXPECT_NEAR(c.base, 5.0, 0.1);  // in ms
    EXPECT_NEAR(c.new_value, 5.0, 0.1);
    EXPECT_FALSE(c.p_value);
    EXPECT_FALSE(c.runs_needed);
    EXPECT_EQ(c.method, "order-statistics");
  }
}

TEST(InferencePercentile, InsufficientDataNeverInventsAnInterval) {
  Histogram zeros;
  for (int i = 0; i < 1000; ++i) zeros.record(0);
  const Histogram small = one_to(50);
  const Histogram big = one_to(5000);
  const std::pair<const Histogram*, const Histogram*> cases[] = {
      {&small, &big}, {&big, &small}, {&zeros, &big}};
  for (const auto& [b, c] : cases) {
    const Comparison r = compare_percentile(*b, *c, 99.0, latency_rule());
    EXPECT_TRUE(r.insufficient);
    EXPECT_EQ(r.verdict, Verdict::inconclusive);
    EXPECT_FALSE(r.reason.empty());
    EXPECT_EQ(r.ci_lo_pct, 0.0);
    EXPECT_EQ(r.ci_hi_pct, 0.0);
    calibration::expect_all_finite(r);
  }
  const Comparison empty = compare_percentile(Histogram{}, Histogram{}, 50.0);
  EXPECT_TRUE(empty.insufficient);
  calibration::expect_all_finite(empty);
  EXPECT_TRUE(compare_percentile(big, big, 0.0).insufficient);
  EXPECT_TRUE(compare_percentile(big, big, 100.0).insufficient);
  EXPECT_FALSE(compare_percentile(big, big, 50.0, latency_rule(), 0.0).insufficient);  // bad scale: 1
  VerdictRule bad_alpha = latency_rule();
  bad_alpha.alpha = 1.0;
  EXPECT_TRUE(compare_percentile(big, big, 50.0, bad_alpha).insufficient);
  // Enough values: an interval, a verdict, no p-value.
  const Comparison fine = compare_percentile(big, big, 50.0, latency_rule());
  EXPECT_FALSE(fine.insufficient);
  EXPECT_FALSE(fine.p_value);
  EXPECT_NE(fine.verdict, Verdict::faster);
}

}  // namespace
}  // namespace llmbench::stats
