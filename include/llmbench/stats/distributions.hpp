#pragma once
// The distribution functions the comparison statistics need, written here
// rather than taken from a statistics library (house rule: none vendored).
// Pure functions of their arguments; no state, no allocation.
//
// Accuracy (checked in tests/unit/stats_distributions_test.cpp against closed
// forms and published tables):
//   - normal_cdf: std::erfc, full double precision in both tails.
//   - normal_quantile: Acklam's rational approximation (relative error
//     1.15e-9) polished by one Halley step on normal_cdf, which cubes the
//     error: about 1e-15 relative for p in [1e-300, 1 - 1e-16].
//   - the regularized incomplete beta I_x(a, b): the continued fraction
//     DLMF 8.17.22, evaluated by the modified Lentz method to 1e-15 relative,
//     on whichever of I_x(a, b) or 1 - I_{1-x}(b, a) converges fast. Its
//     prefactor x^a (1-x)^b / B(a, b) is where precision is lost for large a
//     or b: log B(a, b) is of the order of a + b and carries an absolute
//     error of about (a + b) x 1e-16, so I is good to ~1e-14 relative up to
//     a + b ~ 100 and degrades to ~1e-9 at a + b ~ 1e7 (binomial_cdf over ten
//     million values). log B uses Stirling's series where an argument is 20
//     or more, which keeps the large-a, small-b case (Student t with a large
//     df) free of the cancellation lgamma(a) - lgamma(a + b) would suffer.
//   - Student t: through I_x(df/2, 1/2), for any real df > 0 (Welch's df is
//     not an integer), ~1e-13 relative; above df = 1e5, near the centre,
//     Fisher's expansion in 1/df instead (distributions.cpp says why),
//     ~3e-12 relative at worst. df = +infinity is the normal.
//   - binomial_cdf: the exact identity P(X <= k) = I_{1-p}(n - k, k + 1),
//     so it is exact (to the accuracy above) for every n, not a normal
//     approximation; the continued fraction needs O(sqrt(n)) terms, about
//     3,000 at n = 1e7, so even huge histograms cost microseconds per call.
//
// Invalid arguments (df <= 0, p outside [0, 1], NaN) give NaN; the callers
// in inference.hpp never pass them. std::lgamma, used for small arguments,
// sets glibc's global signgam: call these from one thread at a time (the
// compare command does) or expect TSan to say so.
#include <cstdint>

namespace llmbench::stats {

// P(Z <= z) for a standard normal Z.
[[nodiscard]] double normal_cdf(double z) noexcept;
// The z with normal_cdf(z) == p; -inf at 0, +inf at 1.
[[nodiscard]] double normal_quantile(double p) noexcept;

// log B(a, b) = log Gamma(a) + log Gamma(b) - log Gamma(a + b), a, b > 0.
[[nodiscard]] double log_beta(double a, double b) noexcept;
// The regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1].
[[nodiscard]] double incomplete_beta(double a, double b, double x) noexcept;

// P(T <= t) for Student's t with `df` degrees of freedom (real, > 0).
[[nodiscard]] double student_t_cdf(double t, double df) noexcept;
// P(T > t): computed directly, so tiny upper tails keep their precision.
[[nodiscard]] double student_t_upper_tail(double t, double df) noexcept;
// The t with student_t_cdf(t, df) == p.
[[nodiscard]] double student_t_quantile(double p, double df) noexcept;
// The density of Student's t at t.
[[nodiscard]] double student_t_pdf(double t, double df) noexcept;

// P(X <= k) for X ~ Binomial(n, p).
[[nodiscard]] double binomial_cdf(std::uint64_t k, std::uint64_t n, double p) noexcept;

}  // namespace llmbench::stats
