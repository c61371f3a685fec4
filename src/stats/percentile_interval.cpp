// Distribution-free intervals for a percentile, read from a histogram.
//
// Why order statistics
// --------------------
// Latency distributions are skewed, multi-modal and heavy-tailed; nothing
// normal-theory about them can be trusted at p99. Order statistics need no
// model: for the population q-quantile xi and n independent values, the
// number B of values below xi is Binomial(n, q) (at most that, for values
// with ties), so the l-th smallest value X_(l) exceeds xi only when
// B <= l - 1, and X_(u) falls short of xi only when B >= u. Choosing
//
//     l = the largest rank with  P(B <= l - 1) <= alpha/2,
//     u = the smallest rank with P(B <= u - 1) >= 1 - alpha/2,
//
// gives P(X_(l) <= xi <= X_(u)) >= 1 - alpha, for any distribution. When
// even l = 1 (or u = n) cannot reach its half of the level, the data cannot
// bound that side: p99 with 95 % needs 1 - 0.99^n >= 0.975, n >= 368.
//
// The histogram does not keep the values, only how many fell in each
// bucket, so X_(l) is known to lie in the bucket holding rank l: reporting
// that bucket's lowest value (and the highest value of rank u's bucket)
// keeps the coverage and widens the interval by at most one bucket a side,
// < 1/64 relative above 128 units (see histogram.hpp). Both ends are then
// clamped to the exact min and max, which the true ranks respect.
//
// Comparing two histograms: each side's interval at 1 - alpha/2, so by
// Bonferroni both cover at once with probability >= 1 - alpha, and then the
// ratio lies in [c.lo / b.hi, c.hi / b.lo]. This is conservative: a
// difference is significant only when the two intervals do not overlap. The
// bucket widening alone makes the relative interval at least ~3 % wide above
// 128 units, so `same` at a 1 % min_effect is out of reach for percentiles.
#include <algorithm>
#include <cmath>

#include "llmbench/stats/distributions.hpp"
#include "llmbench/stats/inference.hpp"

namespace llmbench::stats {
namespace {

// The smallest k in [0, n) with binomial_cdf(k, n, q) >= target, or n when
// there is none. The cdf rises with k, so binary search: ~log2(n) calls.
std::uint64_t first_rank_reaching(std::uint64_t n, double q, double target) noexcept {
  std::uint64_t lo = 0;
  std::uint64_t hi = n;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (binomial_cdf(mid, n, q) >= target) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

// The index of the bucket holding the rank-th smallest value (1-based).
std::size_t bucket_of_rank(const Histogram& h, std::uint64_t rank) noexcept {
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < Histogram::kBucketCount; ++i) {
    seen += h.count_at(i);
    if (seen >= rank) return i;
  }
  return Histogram::kBucketCount - 1;
}

Comparison insufficient(Comparison c, std::string_view reason) noexcept {
  c.insufficient = true;
  c.reason = reason;
  return c;
}

}  // namespace

std::optional<PercentileInterval> percentile_interval(const Histogram& h, double q_pct,
                                                      double alpha) noexcept {
  const std::uint64_t n = h.count();
  const double q = q_pct / 100.0;
  if (n == 0 || !(q > 0.0 && q < 1.0) || !(alpha > 0.0 && alpha < 1.0)) return std::nullopt;
  // P(B <= l - 1) <= alpha/2 for ranks up to l: l - 1 is the last k below the
  // first one past alpha/2 (k = l - 1 == 0 failing means no lower rank).
  const std::uint64_t past_lower = first_rank_reaching(n, q, std::nextafter(alpha / 2.0, 1.0));
  const std::uint64_t upper = first_rank_reaching(n, q, 1.0 - alpha / 2.0);
  if (past_lower == 0 || upper == n) return std::nullopt;
  PercentileInterval out;
  out.estimate = h.percentile(q_pct);
  out.rank_lo = past_lower;  // l = (last k with cdf <= alpha/2) + 1
  out.rank_hi = upper + 1;   // u - 1 = first k with cdf >= 1 - alpha/2
  out.lo = static_cast<double>(
      std::max(Histogram::bucket_lowest(bucket_of_rank(h, out.rank_lo)), h.min()));
  out.hi = static_cast<double>(
      std::min(Histogram::bucket_highest(bucket_of_rank(h, out.rank_hi)), h.max()));
  return out;
}

Comparison compare_percentile(const Histogram& base, const Histogram& candidate, double q_pct,
                              const VerdictRule& rule, double scale) noexcept {
  Comparison c;
  c.method = "order-statistics";
  if (!(scale > 0.0) || !std::isfinite(scale)) scale = 1.0;
  if (!(rule.alpha > 0.0 && rule.alpha < 1.0)) return insufficient(c, "alpha must lie in (0, 1)");
  if (!(q_pct > 0.0 && q_pct < 100.0)) return insufficient(c, "the percentile must lie in (0, 100)");
  if (base.empty() || candidate.empty()) return insufficient(c, "no values on a side");
  const double b = base.percentile(q_pct);
  const double n = candidate.percentile(q_pct);
  c.base = b / scale;
  c.new_value = n / scale;
  if (!(b > 0.0)) return insufficient(c, "the baseline percentile is zero");
  c.delta_pct = (n / b - 1.0) * 100.0;
  const auto ib = percentile_interval(base, q_pct, rule.alpha / 2.0);
  const auto in = percentile_interval(candidate, q_pct, rule.alpha / 2.0);
  if (!ib || !in) return insufficient(c, "too few values for an interval of this percentile");
  if (!(ib->lo > 0.0)) return insufficient(c, "the baseline interval reaches zero");
  c.ci_lo_pct = (in->lo / ib->hi - 1.0) * 100.0;
  c.ci_hi_pct = (in->hi / ib->lo - 1.0) * 100.0;
  c.insufficient = false;
  c.verdict = decide(c.delta_pct, c.ci_lo_pct, c.ci_hi_pct, std::nullopt, rule);
  return c;
}

}  // namespace llmbench::stats
