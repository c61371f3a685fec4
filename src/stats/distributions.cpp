#include "llmbench/stats/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace llmbench::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = std::numeric_limits<double>::epsilon();
const double kSqrt2Pi = std::sqrt(2.0 * std::numbers::pi);

// Acklam's approximation of the normal quantile for p in (0, 0.5], relative
// error below 1.15e-9 (P. J. Acklam, "An algorithm for computing the inverse
// normal cumulative distribution function", 2003): a rational function of
// p - 1/2 in the centre and of sqrt(-2 log p) in the tail.
double acklam_lower(double p) noexcept {
  constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                          1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                          6.680131188771972e+01,  -1.328068155288572e+01};
  constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                          -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                          3.754408661907416e+00};
  if (p < 0.02425) {
    const double q = std::sqrt(-2.0 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

// omega(x) = log Gamma(x) - [(x - 1/2) log x - x + log(2 pi)/2], Stirling's
// series to the x^-7 term. For x >= 20 the next term, 1/(1188 x^9), is below
// 2e-15, so the series is as good as lgamma without its large magnitude.
constexpr double kStirlingMin = 20.0;
double stirling_remainder(double x) noexcept {
  const double r = 1.0 / x;
  const double r2 = r * r;
  return r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 / 1680.0)));
}

// The modified Lentz evaluation of the continued fraction for I_x(a, b)
// (DLMF 8.17.22; Numerical Recipes' betacf), which converges quickly when
// x < (a + 1) / (a + b + 2). It needs O(sqrt(max(a, b))) terms; the limit
// below is generous enough for a + b up to ~1e12.
double beta_continued_fraction(double a, double b, double x) noexcept {
  constexpr double kTiny = 1e-300;
  auto guard = [](double v) { return std::abs(v) < kTiny ? kTiny : v; };
  const int max_terms = 1000 + static_cast<int>(10.0 * std::sqrt(std::max(a, b)));
  double c = 1.0;
  double d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
  double h = d;
  for (int m = 1; m <= max_terms; ++m) {
    const double dm = m;
    const double even = dm * (b - dm) * x / ((a + 2 * dm - 1.0) * (a + 2 * dm));
    d = 1.0 / guard(1.0 + even * d);
    c = guard(1.0 + even / c);
    h *= d * c;
    const double odd = -(a + dm) * (a + b + dm) * x / ((a + 2 * dm) * (a + 2 * dm + 1.0));
    d = 1.0 / guard(1.0 + odd * d);
    c = guard(1.0 + odd / c);
    const double step = d * c;
    h *= step;
    if (std::abs(step - 1.0) < 2.0 * kEps) break;
  }
  return h;
}

// I_x(a, b) given both x and y = 1 - x: callers that know y exactly (the t
// tail's t^2 / (df + t^2), the binomial's p) keep the precision that forming
// 1 - x would throw away when x is close to 1.
double incomplete_beta_xy(double a, double b, double x, double y) noexcept {
  if (x <= 0.0) return 0.0;
  if (y <= 0.0) return 1.0;
  const double log_x = x < 0.5 ? std::log(x) : std::log1p(-y);
  const double log_y = y < 0.5 ? std::log(y) : std::log1p(-x);
  const double front = std::exp(a * log_x + b * log_y - log_beta(a, b));
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_continued_fraction(a, b, x) / a;
  return 1.0 - front * beta_continued_fraction(b, a, y) / b;
}

// x = df / (df + t^2) and y = t^2 / (df + t^2) without forming t^2 + df when
// t^2 would overflow or swamp df.
void t_to_beta_arguments(double t, double df, double& x, double& y) noexcept {
  if (t * t > df) {
    const double r = (df / t) / t;
    x = r / (1.0 + r);
    y = 1.0 / (1.0 + r);
  } else {
    const double r = (t / df) * t;
    x = 1.0 / (1.0 + r);
    y = r / (1.0 + r);
  }
}

// The Cornish-Fisher expansion of the t quantile from the normal one, z, in
// powers of 1/df (Abramowitz & Stegun 26.7.5). Only a starting point: it
// falls far short in the heavy tails of small df, where Newton takes over.
double cornish_fisher_t(double z, double df) noexcept {
  const double z2 = z * z;
  const double g1 = z * (z2 + 1.0) / 4.0;
  const double g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
  const double g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
  return z + (g1 + (g2 + g3 / df) / df) / df;
}

// The t > 0 with student_t_upper_tail(t, df) == u, for u in (0, 0.5).
// Closed forms for df 1 and 2. Otherwise Newton's method in logarithms,
// g(s) = log P(T > e^s) - log u: a heavy tail is a power law, P(T > t) ~
// C t^-df, so g is nearly linear in s and one step lands close from any
// start, even t = 1e15 for df = 0.5; near the centre g is smooth and
// concave, and from the Cornish-Fisher start it takes 2 or 3 steps. Steps
// that leave the bracket of known signs bisect it instead. It stops when g
// is within rounding of 0 or the step is below 1e-15 in log t.
double t_upper_quantile(double u, double df) noexcept {
  if (df == 1.0) return 1.0 / std::tan(std::numbers::pi * u);
  if (df == 2.0) return (1.0 - 2.0 * u) / std::sqrt(2.0 * u * (1.0 - u));
  const double log_u = std::log(u);
  double s = std::log(std::max(cornish_fisher_t(-normal_quantile(u), df), 1e-300));
  double lo = -kInf;
  double hi = kInf;
  for (int i = 0; i < 100; ++i) {
    const double t = std::exp(s);
    const double tail = student_t_upper_tail(t, df);
    const double g = std::log(tail) - log_u;
    if (std::abs(g) <= 8.0 * kEps) return t;
    (g > 0.0 ? lo : hi) = s;
    double next = s + g * tail / (t * student_t_pdf(t, df));  // g' = -t pdf / tail
    if (!(next > lo && next < hi)) {
      next = std::isinf(hi) ? lo + 1.0 : std::isinf(lo) ? hi - 1.0 : 0.5 * (lo + hi);
    }
    if (std::abs(next - s) <= 1e-15) return std::exp(next);
    s = next;
  }
  return std::exp(s);
}

// Fisher's expansion of the t tail in powers of 1/df (R. A. Fisher,
// "Expansion of Student's integral in powers of n^-1", Metron 5, 1925):
//     P(T > t) = Q(t) + phi(t) [(t^3 + t) / (4 df)
//                               + (3t^7 - 7t^5 - 5t^3 - 3t) / (96 df^2) + ...]
// (the second coefficients checked against mpmath at 120 digits). Used where
// the continued fraction is ill-conditioned: df above 1e5 and x = df / (df +
// t^2) within ~1e-6 of 1, where 1 + (coefficient ~ -x) x d cancels and the
// tail came out 2e-10 off at df = 1e7 and 3e-5 at df = 1e12. With t^4 <
// df / 1000 the next term, ~t^11 / (384 df^3), is below 3e-12 of the tail;
// beyond that the continued fraction has x far enough from 1 to be exact.
constexpr double kFisherMinDf = 1e5;
bool use_fisher_expansion(double t, double df) noexcept {
  return df > kFisherMinDf && t * t < std::sqrt(df / 1000.0);
}
double fisher_upper_tail(double t, double df) noexcept {
  const double t2 = t * t;
  const double first = t * (t2 + 1.0) / 4.0;
  const double second = t * (((3.0 * t2 - 7.0) * t2 - 5.0) * t2 - 3.0) / 96.0;
  const double pdf = std::exp(-0.5 * t2) / kSqrt2Pi;
  return normal_cdf(-t) + pdf * (first + second / df) / df;
}

}  // namespace

double normal_cdf(double z) noexcept { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

double normal_quantile(double p) noexcept {
  if (std::isnan(p) || p < 0.0 || p > 1.0) return kNaN;
  if (p == 0.0) return -kInf;
  if (p == 1.0) return kInf;
  if (p > 0.5) return -normal_quantile(1.0 - p);  // 1 - p is exact for p >= 0.5
  double x = acklam_lower(p);
  // One Halley step: with e the error in probability and u = e / pdf(x) the
  // Newton correction, x - u / (1 + x u / 2) cubes the relative error.
  const double pdf = std::exp(-0.5 * x * x) / kSqrt2Pi;
  const double u = (normal_cdf(x) - p) / pdf;
  if (pdf > 0.0 && std::isfinite(u)) x -= u / (1.0 + 0.5 * x * u);
  return x;
}

double log_beta(double a, double b) noexcept {
  const double small = std::min(a, b);
  const double big = std::max(a, b);
  if (big < kStirlingMin) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  const double s = a + b;
  const double remainders = stirling_remainder(big) - stirling_remainder(s);
  if (small < kStirlingMin) {
    // log Gamma(big) - log Gamma(big + small) from Stirling's series, where
    // every term is O(small x log big): no cancellation of two huge lgammas.
    return std::lgamma(small) - (big - 0.5) * std::log1p(small / big) - small * std::log(s) + small +
           remainders;
  }
  // Both large: (a - 1/2) log(a/s) + (b - 1/2) log(b/s) - log(s)/2 + log(2 pi)/2.
  return 0.5 * std::log(2.0 * std::numbers::pi) + (big - 0.5) * std::log1p(-small / s) +
         (small - 0.5) * std::log(small / s) - 0.5 * std::log(s) + remainders +
         stirling_remainder(small);
}

double incomplete_beta(double a, double b, double x) noexcept {
  if (!(a > 0.0) || !(b > 0.0) || !(x >= 0.0 && x <= 1.0)) return kNaN;
  return incomplete_beta_xy(a, b, x, 1.0 - x);
}

double student_t_upper_tail(double t, double df) noexcept {
  if (std::isnan(t) || !(df > 0.0)) return kNaN;
  if (std::isinf(df)) return normal_cdf(-t);
  if (use_fisher_expansion(t, df)) return fisher_upper_tail(t, df);
  double x = 0.0;
  double y = 0.0;
  t_to_beta_arguments(t, df, x, y);
  // P(|T| > |t|) = I_x(df/2, 1/2); each tail holds half of it.
  const double half_two_sided = 0.5 * incomplete_beta_xy(0.5 * df, 0.5, x, y);
  return t >= 0.0 ? half_two_sided : 1.0 - half_two_sided;
}

double student_t_cdf(double t, double df) noexcept { return student_t_upper_tail(-t, df); }

double student_t_pdf(double t, double df) noexcept {
  if (std::isnan(t) || !(df > 0.0)) return kNaN;
  if (std::isinf(df)) return std::exp(-0.5 * t * t) / kSqrt2Pi;
  // 1 / (sqrt(df) B(df/2, 1/2)) x (1 + t^2/df)^(-(df + 1)/2)
  return std::exp(-log_beta(0.5 * df, 0.5) - 0.5 * std::log(df) -
                  0.5 * (df + 1.0) * std::log1p((t / df) * t));
}

double student_t_quantile(double p, double df) noexcept {
  if (std::isnan(p) || p < 0.0 || p > 1.0 || !(df > 0.0)) return kNaN;
  if (p == 0.0) return -kInf;
  if (p == 1.0) return kInf;
  if (p == 0.5) return 0.0;
  if (std::isinf(df)) return normal_quantile(p);
  return p > 0.5 ? t_upper_quantile(1.0 - p, df) : -t_upper_quantile(p, df);
}

double binomial_cdf(std::uint64_t k, std::uint64_t n, double p) noexcept {
  if (std::isnan(p) || p < 0.0 || p > 1.0) return kNaN;
  if (k >= n || p == 0.0) return 1.0;
  if (p == 1.0) return 0.0;
  // P(X <= k) = I_{1-p}(n - k, k + 1), the order-statistic form of the
  // binomial tail (DLMF 8.17.5), exact for every n.
  return incomplete_beta_xy(static_cast<double>(n - k), static_cast<double>(k) + 1.0, 1.0 - p, p);
}

}  // namespace llmbench::stats
