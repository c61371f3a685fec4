// The verdict rule and the sample-size estimate shared by every comparison.
#include <algorithm>
#include <cmath>

#include "llmbench/stats/distributions.hpp"
#include "llmbench/stats/inference.hpp"

namespace llmbench::stats {

std::string_view to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::faster: return "faster";
    case Verdict::slower: return "slower";
    case Verdict::same: return "same";
    case Verdict::inconclusive: return "inconclusive";
  }
  return "inconclusive";
}

// Significance and practical size are separate questions. A tiny but
// certain difference (CI 0.1..0.3 % with min_effect 1 %) is `same`: the
// interval says it cannot matter. A large but uncertain one (CI -2..+20 %)
// is `inconclusive`, not `faster`: the data cannot rule out no change. The
// order of the tests does not matter: `faster`/`slower` need |delta| >=
// min_effect, and delta lies inside the interval, so the interval then
// cannot lie strictly inside (-min_effect, +min_effect).
Verdict decide(double delta_pct, double ci_lo_pct, double ci_hi_pct, std::optional<double> p_value,
               const VerdictRule& rule) noexcept {
  if (!std::isfinite(delta_pct) || !std::isfinite(ci_lo_pct) || !std::isfinite(ci_hi_pct) ||
      (p_value && !std::isfinite(*p_value))) {
    return Verdict::inconclusive;
  }
  const double min_effect_pct = std::max(0.0, rule.min_effect) * 100.0;
  const bool significant = p_value ? *p_value <= rule.alpha : (ci_lo_pct > 0.0 || ci_hi_pct < 0.0);
  const double gain_pct = rule.better == Better::higher ? delta_pct : -delta_pct;
  if (significant && gain_pct > 0.0 && gain_pct >= min_effect_pct) return Verdict::faster;
  if (significant && gain_pct < 0.0 && -gain_pct >= min_effect_pct) return Verdict::slower;
  if (ci_lo_pct > -min_effect_pct && ci_hi_pct < min_effect_pct) return Verdict::same;
  return Verdict::inconclusive;
}

// Derivation (normal theory, two groups of n runs, per-run standard
// deviations cv x mean on each side): the difference of the means has
// standard error sqrt(2/n) cv mean, and a two-sided test at alpha detects a
// true difference effect x mean with probability `power` when
//     effect / (sqrt(2/n) cv) >= z_{1-alpha/2} + z_{power},
// which gives n = 2 cv^2 (z_{1-alpha/2} + z_{power})^2 / effect^2. With a
// handful of runs the variance is estimated, so the test uses Student t with
// 2 (n - 1) df: the same equation with t quantiles, whose right side falls
// as n grows; the answer is the smallest n that satisfies it. It is an
// estimate: the CVs it uses are themselves measured on few runs.
int runs_needed(double pooled_cv, double effect, double alpha, double power) noexcept {
  constexpr double kMaxRuns = 1'000'000;
  if (!(pooled_cv > 0.0) || !std::isfinite(pooled_cv)) return 2;
  if (!(effect > 0.0) || !(alpha > 0.0 && alpha < 1.0) || !(power > 0.0 && power < 1.0)) {
    return static_cast<int>(kMaxRuns);
  }
  const double scale = 2.0 * (pooled_cv / effect) * (pooled_cv / effect);
  auto runs_for = [&](double z_alpha, double z_power) {
    return scale * (z_alpha + z_power) * (z_alpha + z_power);
  };
  // The smallest whole n that reaches the power with t at 2 (n - 1) df. The
  // t-based requirement exceeds the z-based one and falls as n grows, so
  // counting up from the z answer meets it after a step or two.
  const double z_based = runs_for(normal_quantile(1.0 - alpha / 2.0), normal_quantile(power));
  double n = std::max(2.0, std::ceil(z_based));
  for (; n < kMaxRuns; n += 1.0) {
    const double df = 2.0 * (n - 1.0);
    if (runs_for(student_t_quantile(1.0 - alpha / 2.0, df), student_t_quantile(power, df)) <= n) break;
  }
  return static_cast<int>(std::clamp(n, 2.0, kMaxRuns));
}

}  // namespace llmbench::stats
