// Open-loop schedules: the right rate, the right distribution, reproducible.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "llmbench/load/arrivals.hpp"

namespace llmbench {
namespace {

std::vector<double> gaps_s(const std::vector<std::int64_t>& a) {
  std::vector<double> g;
  for (std::size_t i = 1; i < a.size(); ++i) g.push_back(static_cast<double>(a[i] - a[i - 1]) / 1e9);
  return g;
}

// Kolmogorov-Smirnov statistic of samples against the exponential CDF.
double ks_exponential(std::vector<double> x, double rate) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double cdf = 1.0 - std::exp(-rate * x[i]);
    d = std::max({d, std::abs(cdf - static_cast<double>(i) / n), std::abs(static_cast<double>(i + 1) / n - cdf)});
  }
  return d;
}

TEST(LoadArrivals, ConstantIsEvenlySpaced) {
  const auto a = make_arrivals(Arrival::constant, 4.0, 1.0, 1, 1'000'000'000, 0);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0], 0);
  EXPECT_EQ(a[1], 250'000'000);
  EXPECT_EQ(a[3], 750'000'000);
}

TEST(LoadArrivals, CountLimitWins) {
  EXPECT_EQ(make_arrivals(Arrival::poisson, 100.0, 1.0, 3, 0, 17).size(), 17u);
}

TEST(LoadArrivals, PoissonHasTheRateAndExponentialGaps) {
  const double rate = 200.0;
  const auto a = make_arrivals(Arrival::poisson, rate, 1.0, 42, 60'000'000'000, 0);
  // 12,000 expected; a Poisson count has sd ~110, so 4 % is > 4 sd.
  EXPECT_NEAR(static_cast<double>(a.size()), rate * 60, rate * 60 * 0.04);
  const auto g = gaps_s(a);
  // KS critical value at alpha = 0.01 is 1.63 / sqrt(n).
  EXPECT_LT(ks_exponential(g, rate), 1.63 / std::sqrt(static_cast<double>(g.size())));
  // A constant schedule fails the same test: the test can tell them apart.
  const auto c = gaps_s(make_arrivals(Arrival::constant, rate, 1.0, 42, 60'000'000'000, 0));
  EXPECT_GT(ks_exponential(c, rate), 1.63 / std::sqrt(static_cast<double>(c.size())));
}

TEST(LoadArrivals, GammaShapeSetsBurstiness) {
  for (double k : {0.25, 1.0, 4.0}) {
    const auto g = gaps_s(make_arrivals(Arrival::gamma, 100.0, k, 7, 0, 50'000));
    double mean = 0;
    for (double x : g) mean += x;
    mean /= static_cast<double>(g.size());
    double var = 0;
    for (double x : g) var += (x - mean) * (x - mean);
    var /= static_cast<double>(g.size() - 1);
    EXPECT_NEAR(mean, 0.01, 0.01 * 0.05) << "k=" << k;
    // Squared coefficient of variation of gamma(k) is 1/k.
    EXPECT_NEAR(var / (mean * mean), 1.0 / k, (1.0 / k) * 0.1) << "k=" << k;
  }
}

TEST(LoadArrivals, SameSeedSameSchedule) {
  const auto a = make_arrivals(Arrival::poisson, 50.0, 1.0, 9, 0, 1000);
  const auto b = make_arrivals(Arrival::poisson, 50.0, 1.0, 9, 0, 1000);
  const auto c = make_arrivals(Arrival::poisson, 50.0, 1.0, 10, 0, 1000);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

}  // namespace
}  // namespace llmbench
