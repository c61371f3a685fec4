// Welch's t-test and Fieller's interval for a ratio of two means.
//
// Why Fieller, and why with Welch's df at each end
// ------------------------------------------------
// We report the relative difference m_c / m_b - 1, a ratio of two noisy
// means. The obvious interval, (difference interval) / m_b, treats the
// denominator as exact and covers less than it claims when the baseline is
// noisy. The delta method on log(m_c / m_b) is a first-order approximation
// whose coverage degrades as the CVs grow. Fieller's theorem is exact for
// normal data: for the true ratio R, the pivot
//
//     T(R) = (m_c - R m_b) / sqrt(s_c^2 + R^2 s_b^2),   s_x^2 = var_x / n_x,
//
// is a difference of two normal means divided by its standard error, so the
// set of R with T(R)^2 <= t^2 is a confidence set. Expanding T(R)^2 = t^2
// gives the quadratic
//
//     (m_b^2 - t^2 s_b^2) R^2 - 2 m_c m_b R + (m_c^2 - t^2 s_c^2) = 0,
//
// whose roots bound an interval when A = m_b^2 - t^2 s_b^2 > 0, i.e. when the
// base mean itself is significantly non-zero. With A <= 0 the set is
// unbounded (or two half-lines): we report insufficient data rather than an
// invented interval. (The discriminant is t^2 (s_c^2 A + m_c^2 s_b^2) > 0
// whenever A > 0, so the roots are real.)
//
// Fieller assumes the pivot's distribution is known. With unequal variances
// it is not exactly t, and Welch-Satterthwaite gives its df, which depends on
// R through the R^2 s_b^2 term:
//
//     df(R) = (s_c^2 + R^2 s_b^2)^2 / (s_c^4 / (n_c - 1) + R^4 s_b^4 / (n_b - 1)).
//
// We invert the test properly: each end is the R where |T(R)| equals
// t_{1-alpha/2, df(R)}, found by fixed-point iteration (solve the quadratic
// with the t of the current end, recompute df there; df moves slowly with R,
// so it settles in a few steps). At R = 1, T is exactly Welch's t and df(1)
// Welch's df, so the interval excludes 0 % exactly when Welch's p <= alpha:
// the p-value and the interval never disagree about significance.
//
// Limits: the normality of the means (with 3-10 runs per side, the runs'
// own distribution matters; throughput per run is close to normal, a single
// outlier run is not, and no method on 3 runs can tell it from noise); and
// Satterthwaite's df is an approximation: slightly conservative for equal
// runs and variances (96-97 % coverage at n = 3, measured), slightly liberal
// when the smaller side is much the noisier (94 % for 3 runs at CV 5 %
// against 10 at 1 %).
#include <algorithm>
#include <cmath>
#include <limits>

#include "llmbench/stats/distributions.hpp"
#include "llmbench/stats/inference.hpp"

namespace llmbench::stats {
namespace {

struct Sides {
  double m_b, m_c;    // means
  double se2_b, se2_c;  // squared standard errors of the means
  double nb1, nc1;    // n - 1
};

Sides sides_of(const SampleSummary& b, const SampleSummary& c) noexcept {
  return {b.mean, c.mean, b.variance / static_cast<double>(b.n),
          c.variance / static_cast<double>(c.n), static_cast<double>(b.n) - 1.0,
          static_cast<double>(c.n) - 1.0};
}

bool usable(const SampleSummary& b, const SampleSummary& c) noexcept {
  return b.n >= 2 && c.n >= 2 && std::isfinite(b.mean) && std::isfinite(c.mean) &&
         std::isfinite(b.variance) && std::isfinite(c.variance) && b.variance >= 0.0 &&
         c.variance >= 0.0 && b.variance + c.variance > 0.0;
}

// Welch-Satterthwaite df of the pivot T(R).
double pivot_df(const Sides& s, double ratio) noexcept {
  const double vb = ratio * ratio * s.se2_b;
  const double vc = s.se2_c;
  return (vc + vb) * (vc + vb) / (vc * vc / s.nc1 + vb * vb / s.nb1);
}

// One end (lower when sign < 0) of Fieller's interval for a given t; nullopt
// when the interval is unbounded.
std::optional<double> fieller_end(const Sides& s, double t, int sign) noexcept {
  const double t2 = t * t;
  const double a = s.m_b * s.m_b - t2 * s.se2_b;
  if (!(a > 0.0)) return std::nullopt;
  const double disc = t2 * (s.se2_c * a + s.m_c * s.m_c * s.se2_b);
  return (s.m_c * s.m_b + sign * std::sqrt(disc)) / a;
}

// The end where |T(R)| = t_{1-alpha/2, df(R)}: the fixed point of
// F(R) = (Fieller's end for the t at df(R)). Plain iteration converges, but
// only linearly; the secant method on F(R) - R gets to 1e-13 in 3-4
// evaluations of F, each a t quantile.
std::optional<double> welch_fieller_end(const Sides& s, double alpha, int sign) noexcept {
  auto end_for = [&](double ratio) {
    return fieller_end(s, student_t_quantile(1.0 - alpha / 2.0, pivot_df(s, ratio)), sign);
  };
  double x0 = s.m_c / s.m_b;
  std::optional<double> f0 = end_for(x0);
  if (!f0) return std::nullopt;
  double x1 = *f0;
  for (int i = 0; i < 50; ++i) {
    const std::optional<double> f1 = end_for(x1);
    if (!f1) return std::nullopt;
    const double h0 = *f0 - x0;
    const double h1 = *f1 - x1;
    if (std::abs(h1) <= 1e-13 * std::abs(x1) || h1 == h0) return *f1;
    const double x2 = x1 - h1 * (x1 - x0) / (h1 - h0);
    x0 = x1;
    f0 = f1;
    x1 = x2;
  }
  return x1;
}

Comparison insufficient(Comparison c, std::string_view reason) noexcept {
  c.insufficient = true;
  c.reason = reason;
  c.verdict = Verdict::inconclusive;
  return c;
}

// runs_needed() for an effect of max(|observed|, min_effect) and the root
// mean square of the two CVs, but at least one more run than the larger
// side has: these runs did not decide, whatever the formula says (it can
// come out lower when the observed effect sits just below min_effect).
int more_runs(const SampleSummary& base, const SampleSummary& candidate, const Comparison& c,
              const VerdictRule& rule) noexcept {
  const double cv2_b = base.variance / (base.mean * base.mean);
  const double cv2_c =
      candidate.mean > 0.0 ? candidate.variance / (candidate.mean * candidate.mean) : cv2_b;
  const double effect = std::max(std::abs(c.delta_pct) / 100.0, rule.min_effect);
  const int formula = runs_needed(std::sqrt((cv2_b + cv2_c) / 2.0), effect, rule.alpha);
  const auto have = static_cast<int>(std::min<std::uint64_t>(std::max(base.n, candidate.n), 999'999));
  return std::max(formula, have + 1);
}

}  // namespace

SampleSummary summarize_sample(const RunningStats& stats) noexcept {
  return {stats.mean(), stats.sample_variance(), stats.count()};
}

SampleSummary summarize_sample(std::span<const double> values) noexcept {
  RunningStats stats;
  for (const double v : values) stats.record(v);
  return summarize_sample(stats);
}

std::optional<WelchTest> welch_test(const SampleSummary& base,
                                    const SampleSummary& candidate) noexcept {
  if (!usable(base, candidate)) return std::nullopt;
  const Sides s = sides_of(base, candidate);
  WelchTest w;
  w.t = (s.m_c - s.m_b) / std::sqrt(s.se2_b + s.se2_c);
  w.df = pivot_df(s, 1.0);
  w.p_value = std::min(1.0, 2.0 * student_t_upper_tail(std::abs(w.t), w.df));
  return w;
}

std::optional<RatioInterval> fieller_interval(const SampleSummary& base,
                                              const SampleSummary& candidate,
                                              double alpha) noexcept {
  if (!usable(base, candidate) || !(base.mean > 0.0) || !(alpha > 0.0 && alpha < 1.0)) {
    return std::nullopt;
  }
  const Sides s = sides_of(base, candidate);
  const std::optional<double> lo = welch_fieller_end(s, alpha, -1);
  const std::optional<double> hi = welch_fieller_end(s, alpha, +1);
  if (!lo || !hi) return std::nullopt;
  return RatioInterval{*lo, *hi};
}

Comparison compare_means(const SampleSummary& base, const SampleSummary& candidate,
                         const VerdictRule& rule) noexcept {
  Comparison c;
  c.method = "welch-fieller";
  if (!(rule.alpha > 0.0 && rule.alpha < 1.0)) return insufficient(c, "alpha must lie in (0, 1)");
  if (!std::isfinite(base.mean) || !std::isfinite(candidate.mean) ||
      !std::isfinite(base.variance) || !std::isfinite(candidate.variance)) {
    return insufficient(c, "a mean or variance is not a finite number");
  }
  c.base = base.mean;
  c.new_value = candidate.mean;
  if (!(c.base > 0.0)) return insufficient(c, "the baseline mean is not a positive number");
  c.delta_pct = (c.new_value / c.base - 1.0) * 100.0;
  if (base.n < 2 || candidate.n < 2) return insufficient(c, "fewer than 2 runs on a side");
  const std::optional<WelchTest> welch = welch_test(base, candidate);
  if (!welch) return insufficient(c, "no run-to-run variation on either side");
  const std::optional<RatioInterval> ratio = fieller_interval(base, candidate, rule.alpha);
  if (!ratio) return insufficient(c, "the baseline is too noisy to bound the ratio");
  c.ci_lo_pct = (ratio->lo - 1.0) * 100.0;
  c.ci_hi_pct = (ratio->hi - 1.0) * 100.0;
  c.p_value = welch->p_value;
  c.insufficient = false;
  c.verdict = decide(c.delta_pct, c.ci_lo_pct, c.ci_hi_pct, c.p_value, rule);
  if (c.verdict == Verdict::inconclusive) c.runs_needed = more_runs(base, candidate, c, rule);
  return c;
}

Comparison compare_means(std::span<const double> base, std::span<const double> candidate,
                         const VerdictRule& rule) noexcept {
  return compare_means(summarize_sample(base), summarize_sample(candidate), rule);
}

}  // namespace llmbench::stats
