// The distribution functions against closed forms, published table values
// and references computed with mpmath at 40 significant digits (the values
// with 17+ digits below; mpmath is not a dependency, only the oracle).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

#include "llmbench/stats/distributions.hpp"

namespace llmbench::stats {
namespace {

void expect_relative(double got, double want, double tolerance) {
  EXPECT_LE(std::abs(got - want), tolerance * std::abs(want)) << "got " << got << " want " << want;
}

TEST(InferenceDistributions, NormalCdfMatchesReferenceInBothTails) {
  EXPECT_EQ(normal_cdf(0.0), 0.5);
  expect_relative(normal_cdf(1.5), 0.933192798731141934, 1e-15);
  expect_relative(normal_cdf(-0.3), 0.38208857781104736693, 1e-15);
  expect_relative(normal_cdf(-8.0), 6.2209605742717841235e-16, 1e-14);
  expect_relative(normal_cdf(-20.0), 2.7536241186062336951e-89, 1e-13);
  expect_relative(normal_cdf(1.959963984540054), 0.975, 1e-15);
}

TEST(InferenceDistributions, NormalQuantileMatchesReference) {
  expect_relative(normal_quantile(0.975), 1.9599639845400542355, 1e-15);
  expect_relative(normal_quantile(0.8), 0.84162123357291420518, 1e-15);
  expect_relative(normal_quantile(1e-10), -6.3613409024040562047, 1e-15);
  expect_relative(normal_quantile(1e-300), -37.047096299361199237, 1e-15);
  expect_relative(normal_quantile(0.02425), -1.9729610513118848503, 1e-15);  // Acklam's seam
  expect_relative(normal_quantile(0.3), -0.52440051270804078404, 1e-15);
  expect_relative(normal_quantile(0.500000001), 2.506628274631000505e-9, 1e-7);
  EXPECT_EQ(normal_quantile(0.5), 0.0);
  EXPECT_EQ(normal_quantile(0.0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(normal_quantile(1.0), std::numeric_limits<double>::infinity());
  for (double p = 1e-12; p < 1.0; p = p < 0.01 ? p * 7.0 : p + 0.0137) {
    EXPECT_LE(std::abs(normal_cdf(normal_quantile(p)) - p), 1e-14 * std::min(p, 1.0 - p)) << p;
  }
}

TEST(InferenceDistributions, IncompleteBetaClosedFormsAndReference) {
  for (double x = 0.0; x <= 1.0; x += 0.0625) {
    EXPECT_NEAR(incomplete_beta(1.0, 1.0, x), x, 1e-15);
    EXPECT_NEAR(incomplete_beta(3.5, 1.0, x), std::pow(x, 3.5), 1e-14);
    EXPECT_NEAR(incomplete_beta(1.0, 4.25, x), 1.0 - std::pow(1.0 - x, 4.25), 1e-14);
    EXPECT_NEAR(incomplete_beta(2.5, 7.25, x), 1.0 - incomplete_beta(7.25, 2.5, 1.0 - x), 1e-14);
  }
  expect_relative(incomplete_beta(2.5, 7.25, 0.3), 0.6604822735819072483, 1e-14);
  expect_relative(incomplete_beta(300, 200, 0.62), 0.81906998815779620423, 1e-12);
}

// log_beta switches to Stirling's series at 20: both sides of the seam and
// the large arguments where plain lgamma would lose digits.
TEST(InferenceDistributions, LogBetaAcrossTheStirlingSeam) {
  expect_relative(log_beta(25, 30), -38.27834389791485321165, 1e-15);
  expect_relative(log_beta(19.5, 20.5), -27.93917277715156402468, 1e-15);
  expect_relative(log_beta(0.3, 150), -0.4066922833908189184549, 1e-14);
  expect_relative(log_beta(1e6, 0.5), -6.335390211057436964987, 1e-14);
  expect_relative(log_beta(5e6, 5e6), -6931478.252561539808714, 1e-15);
  for (double a = 15; a < 25; a += 0.5) {
    EXPECT_NEAR(log_beta(a, 2.5), std::lgamma(a) + std::lgamma(2.5) - std::lgamma(a + 2.5), 1e-12);
  }
}

TEST(InferenceDistributions, StudentTCdfClosedFormsForSmallDf) {
  for (double t = -40.0; t <= 40.0; t += 0.37) {
    EXPECT_NEAR(student_t_cdf(t, 1.0), 0.5 + std::atan(t) / std::numbers::pi, 1e-14) << t;
    EXPECT_NEAR(student_t_cdf(t, 2.0), 0.5 + t / (2.0 * std::sqrt(2.0 + t * t)), 1e-14) << t;
    const double u = t / std::sqrt(3.0);
    const double df3 = 0.5 + (u / (1.0 + u * u) + std::atan(u)) / std::numbers::pi;
    EXPECT_NEAR(student_t_cdf(t, 3.0), df3, 1e-14) << t;
  }
}

TEST(InferenceDistributions, StudentTCdfRealDfReference) {
  expect_relative(student_t_cdf(2.0, 3.5), 0.93693073871204323274, 1e-14);
  expect_relative(student_t_cdf(-1.5, 7.25), 0.087921358062199848882, 1e-14);
  expect_relative(student_t_cdf(10.0, 1.5), 0.98817032244318922144, 1e-14);
  expect_relative(student_t_cdf(0.1, 100.0), 0.53972773445207438392, 1e-14);
  expect_relative(student_t_cdf(3.0, 1e5), 0.9986497695579676404, 1e-14);
  expect_relative(student_t_cdf(1e-3, 2.2), 0.50035725224075198596, 1e-14);
  expect_relative(student_t_cdf(-3.0, 0.5), 0.1836540779929717241, 1e-13);
  expect_relative(student_t_cdf(-50.0, 3.3), 3.6090327924901347251e-6, 1e-13);
  expect_relative(student_t_upper_tail(40.0, 4.0), 1.0 - 0.99999883299183869937, 1e-10);
}

TEST(InferenceDistributions, StudentTQuantileTableValues) {
  expect_relative(student_t_quantile(0.975, 4), 2.776445105197793, 1e-12);
  expect_relative(student_t_quantile(0.975, 1), 12.706204736174693, 1e-12);
  expect_relative(student_t_quantile(0.975, 10), 2.2281388519862742, 1e-12);
  expect_relative(student_t_quantile(0.995, 2), 9.9248432009182886, 1e-12);
  expect_relative(student_t_quantile(0.95, 30), 1.6972608865939574, 1e-12);
  expect_relative(student_t_quantile(0.975, 2.5), 3.5746548420036818, 1e-12);
  expect_relative(student_t_quantile(0.999, 3.7), 7.7951838750291643, 1e-12);
  expect_relative(student_t_quantile(0.9999, 1.3), 528.59423800588183, 1e-12);
  expect_relative(student_t_quantile(0.8, 5), 0.91954378024082621, 1e-12);
  expect_relative(student_t_quantile(0.975, 1e6), 1.9599663568141067, 1e-10);
  expect_relative(student_t_quantile(1e-12, 1.5), -52194694.273446354, 1e-12);
  EXPECT_EQ(student_t_quantile(0.5, 7.0), 0.0);
  EXPECT_NEAR(student_t_quantile(0.3, 9.0), -student_t_quantile(0.7, 9.0), 1e-15);
}

TEST(InferenceDistributions, StudentTQuantileInvertsTheCdf) {
  for (const double df : {0.5, 1.0, 1.5, 2.0, 3.7, 10.0, 57.3, 1e4, 1e6}) {
    for (const double p : {1e-12, 1e-6, 0.01, 0.3, 0.6, 0.975, 1.0 - 1e-9}) {
      const double t = student_t_quantile(p, df);
      const double tail = p > 0.5 ? student_t_upper_tail(t, df) : student_t_cdf(t, df);
      EXPECT_LE(std::abs(tail - std::min(p, 1.0 - p)), 1e-9 * std::min(p, 1.0 - p))
          << "df=" << df << " p=" << p;
    }
  }
}

TEST(InferenceDistributions, StudentTTendsToTheNormal) {
  const double inf = std::numeric_limits<double>::infinity();
  for (const double z : {-6.0, -1.96, -0.5, 0.0, 1.0, 2.5}) {
    EXPECT_EQ(student_t_cdf(z, inf), normal_cdf(z));
    // The t-normal gap is ~ pdf(z) (z^3 + z) / (4 df): 1.6e-13 at df = 1e12.
    EXPECT_NEAR(student_t_cdf(z, 1e12), normal_cdf(z), 1e-12) << z;
    EXPECT_NEAR(student_t_cdf(z, 1e7), normal_cdf(z), 1e-7) << z;
  }
  // Around the switch to Fisher's expansion (df > 1e5), against mpmath.
  expect_relative(student_t_upper_tail(1.96, 1e5), 0.024999281597150816941, 1e-11);
  expect_relative(student_t_upper_tail(1.96, 1e6), 0.024998033792634893267, 1e-12);
  expect_relative(student_t_upper_tail(6.0, 1e6), 9.8692490617721733495e-10, 1e-11);
  expect_relative(student_t_upper_tail(1.96, 1e8), 0.02499789653466405227, 1e-12);
  expect_relative(student_t_upper_tail(6.0, 1e12), 9.8658764537490963892e-10, 1e-12);
  expect_relative(student_t_upper_tail(0.5, 1e7), 0.30853754422700754196, 1e-14);
  EXPECT_EQ(student_t_quantile(0.975, inf), normal_quantile(0.975));
  EXPECT_NEAR(student_t_quantile(0.975, 1e9), normal_quantile(0.975), 1e-8);
}

// Direct summation in long double of C(n, j) p^j (1-p)^(n-j).
double binomial_cdf_by_sum(std::uint64_t k, std::uint64_t n, double p) {
  long double sum = 0;
  long double term = std::pow(1.0L - p, static_cast<long double>(n));  // j = 0
  for (std::uint64_t j = 0; j <= k; ++j) {
    sum += term;
    term *= static_cast<long double>(n - j) / static_cast<long double>(j + 1) * p / (1.0L - p);
  }
  return static_cast<double>(sum);
}

TEST(InferenceDistributions, BinomialCdfEqualsDirectSummationForSmallN) {
  for (const std::uint64_t n : {1u, 2u, 5u, 17u, 60u}) {
    for (const double p : {0.01, 0.25, 0.5, 0.9, 0.99}) {
      for (std::uint64_t k = 0; k <= n; ++k) {
        EXPECT_NEAR(binomial_cdf(k, n, p), binomial_cdf_by_sum(k, n, p), 1e-13)
            << "k=" << k << " n=" << n << " p=" << p;
      }
    }
  }
}

TEST(InferenceDistributions, BinomialCdfLargeNReference) {
  expect_relative(binomial_cdf(40, 100, 0.5), 0.028443966820490395835, 1e-13);
  expect_relative(binomial_cdf(980, 1000, 0.99), 0.0032883597877274982048, 1e-12);
  expect_relative(binomial_cdf(99000, 100000, 0.99), 0.50426868797211164015, 1e-10);
  expect_relative(binomial_cdf(4998000, 10000000, 0.5), 0.10300830139751392476, 1e-8);
  expect_relative(binomial_cdf(9989900, 10000000, 0.999), 0.15974246645121174737, 1e-8);
  expect_relative(binomial_cdf(0, 50, 0.01), 0.60500606713753665045, 1e-14);
}

TEST(InferenceDistributions, EdgesAndInvalidArguments) {
  EXPECT_EQ(binomial_cdf(10, 10, 0.3), 1.0);
  EXPECT_EQ(binomial_cdf(3, 10, 0.0), 1.0);
  EXPECT_EQ(binomial_cdf(9, 10, 1.0), 0.0);
  EXPECT_EQ(binomial_cdf(0, 0, 0.5), 1.0);
  EXPECT_TRUE(std::isnan(binomial_cdf(3, 10, 1.5)));
  EXPECT_TRUE(std::isnan(student_t_cdf(1.0, 0.0)));
  EXPECT_TRUE(std::isnan(student_t_quantile(0.5, -1.0)));
  EXPECT_TRUE(std::isnan(student_t_cdf(std::nan(""), 3.0)));
  EXPECT_TRUE(std::isnan(normal_quantile(1.1)));
  EXPECT_TRUE(std::isnan(incomplete_beta(0.0, 1.0, 0.5)));
  EXPECT_EQ(student_t_cdf(std::numeric_limits<double>::infinity(), 3.0), 1.0);
  EXPECT_EQ(student_t_cdf(-std::numeric_limits<double>::infinity(), 3.0), 0.0);
}

}  // namespace
}  // namespace llmbench::stats
