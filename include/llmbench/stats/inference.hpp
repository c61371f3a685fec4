#pragma once
// Deciding whether a candidate run is faster, slower or the same as a
// baseline, with intervals that cover as often as they claim. The `compare`
// command prints and writes these; this module only computes (no I/O).
//
// Three comparisons, one result type and one verdict rule:
//   - compare_means: one figure measured over a few runs per side (tokens/s
//     of one prompt): Welch's t-test, and Fieller's interval for the ratio of
//     the means (src/stats/welch.cpp explains the choice).
//   - compare_overall: the spec's overall figure, the mean over prompts of
//     each prompt's ratio of means, by a seeded bootstrap that resamples runs
//     within each prompt and side (src/stats/bootstrap.cpp).
//   - compare_percentile: one percentile of two histograms (p99 TTFT), from
//     distribution-free order-statistic intervals (src/stats/percentile_interval.cpp).
//
// Every relative figure is candidate / base - 1, in percent. Whether a
// positive delta is good depends on the metric (VerdictRule::better): for
// throughput higher is better; for latencies lower is better, so a latency
// that drops is `faster`.
//
// Inputs that cannot support an interval (one run on a side, no variation
// at all, an empty histogram, too few values for the percentile asked) give
// insufficient = true, verdict `inconclusive`, the reason, and no invented
// interval; no figure in a Comparison is ever NaN or infinite.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "llmbench/stats/histogram.hpp"
#include "llmbench/stats/running_stats.hpp"

namespace llmbench::stats {

enum class Verdict { faster, slower, same, inconclusive };
// "faster", "slower", "same", "inconclusive".
[[nodiscard]] std::string_view to_string(Verdict v) noexcept;

enum class Better { higher, lower };

struct VerdictRule {
  double alpha = 0.05;       // significance level; intervals are at 1 - alpha
  double min_effect = 0.01;  // smallest relative difference that matters (0.01 = 1 %)
  Better better = Better::higher;
};

struct Comparison {
  double base = 0;       // the baseline's figure (mean, overall mean, percentile)
  double new_value = 0;  // the candidate's
  double delta_pct = 0;  // the relative difference, candidate vs base, in percent
  double ci_lo_pct = 0;  // interval for delta_pct at level 1 - alpha (0 when insufficient)
  double ci_hi_pct = 0;
  std::optional<double> p_value;   // two-sided; absent for percentiles and when insufficient
  Verdict verdict = Verdict::inconclusive;
  std::optional<int> runs_needed;  // runs per side (and prompt) to decide; only when inconclusive
  bool insufficient = true;        // the data cannot support an interval
  std::string_view method;         // "welch-fieller", "bootstrap", "order-statistics"
  std::string_view reason;         // why insufficient (static text); empty otherwise
};

// The verdict rule, shared by all three comparisons (fractions in `rule`,
// percent in the arguments). Significant means p_value <= alpha, or, with no
// p-value, an interval that excludes 0.
//   faster / slower: significant and |delta| >= min_effect, in the better /
//                    worse direction;
//   same:            the whole interval inside (-min_effect, +min_effect): a
//                    real but negligible difference is `same`;
//   inconclusive:    anything else, and any non-finite input.
[[nodiscard]] Verdict decide(double delta_pct, double ci_lo_pct, double ci_hi_pct,
                             std::optional<double> p_value, const VerdictRule& rule) noexcept;

// Runs per side for a two-sided test at `alpha` to detect a relative
// difference `effect` (fraction) with probability `power`, when runs vary
// with coefficient of variation `pooled_cv` (the root mean square of the two
// sides' CVs). The normal-theory sample size for two equal groups,
//     n = 2 cv^2 (z_{1-alpha/2} + z_{power})^2 / effect^2,
// with z replaced by Student t at the df of the equal-n test, 2 (n - 1): the
// smallest whole n that satisfies it. At least 2, at most 1,000,000.
[[nodiscard]] int runs_needed(double pooled_cv, double effect, double alpha,
                              double power = 0.8) noexcept;

// Mean, sample variance (n - 1) and count of one side's per-run values.
struct SampleSummary {
  double mean = 0;
  double variance = 0;
  std::uint64_t n = 0;
};
// Non-finite values are dropped (RunningStats' rule).
[[nodiscard]] SampleSummary summarize_sample(std::span<const double> values) noexcept;
[[nodiscard]] SampleSummary summarize_sample(const RunningStats& stats) noexcept;

struct WelchTest {
  double t = 0;        // (mean_candidate - mean_base) / standard error
  double df = 0;       // Welch-Satterthwaite degrees of freedom (real)
  double p_value = 1;  // two-sided
};
// Welch's unequal-variance t-test; nullopt with fewer than 2 values on a side
// or no variance on either side.
[[nodiscard]] std::optional<WelchTest> welch_test(const SampleSummary& base,
                                                  const SampleSummary& candidate) noexcept;

// An interval for the ratio mean_candidate / mean_base at level 1 - alpha:
// Fieller's, with the Welch df evaluated at each end (see welch.cpp). nullopt
// when welch_test() is, when the base mean is not positive, or when the base
// mean is so noisy that the set of plausible ratios is unbounded.
struct RatioInterval {
  double lo = 0;
  double hi = 0;
};
[[nodiscard]] std::optional<RatioInterval> fieller_interval(const SampleSummary& base,
                                                            const SampleSummary& candidate,
                                                            double alpha) noexcept;

// Welch + Fieller + the verdict; runs_needed from the two CVs when inconclusive.
[[nodiscard]] Comparison compare_means(const SampleSummary& base, const SampleSummary& candidate,
                                       const VerdictRule& rule = {}) noexcept;
[[nodiscard]] Comparison compare_means(std::span<const double> base,
                                       std::span<const double> candidate,
                                       const VerdictRule& rule = {}) noexcept;

// One prompt's per-run values on each side (e.g. tokens/s of each run).
struct PromptRuns {
  std::span<const double> base;
  std::span<const double> candidate;
};
struct BootstrapOptions {
  int resamples = 10'000;
  std::uint64_t seed = 0x6c6c6d62656e6368;  // "llmbench"
};
// The overall figure, delta = mean over prompts of (mean candidate / mean
// base) - 1: every prompt weighs the same in relative terms. base and
// new_value are the means over prompts of each side's per-prompt means (the
// spec's overall_avg_tokens_per_second), so delta_pct is in general not
// exactly new_value / base - 1. Deterministic for a seed. Needs at least 2
// runs per prompt and side, all positive; runs_needed is per prompt and side.
[[nodiscard]] Comparison compare_overall(std::span<const PromptRuns> prompts,
                                         const VerdictRule& rule = {},
                                         const BootstrapOptions& options = {});

// A distribution-free interval for the q_pct-th percentile of the population
// the histogram's values came from, at level >= 1 - alpha, in the
// histogram's units. nullopt when the histogram is empty, q_pct is 0 or 100,
// or there are too few values for either end to reach the level (p99 needs
// at least 368 values for 95 %).
struct PercentileInterval {
  double estimate = 0;         // Histogram::percentile(q_pct)
  double lo = 0;               // lowest value of the bucket holding rank_lo, >= min
  double hi = 0;               // highest value of the bucket holding rank_hi, <= max
  std::uint64_t rank_lo = 0;   // order statistics (1-based) bracketing the percentile
  std::uint64_t rank_hi = 0;
};
[[nodiscard]] std::optional<PercentileInterval> percentile_interval(const Histogram& h,
                                                                    double q_pct,
                                                                    double alpha) noexcept;

// One percentile, base vs candidate: each side's interval at 1 - alpha/2
// (Bonferroni: joint coverage >= 1 - alpha), the relative interval
// [cand.lo / base.hi - 1, cand.hi / base.lo - 1], no p-value, runs_needed
// absent. base and new_value are divided by `scale` (1e6: ns to ms).
// Conservative: significant only when the two intervals do not overlap. The
// buckets alone make the relative interval +-1.6 to +-3.1 % wide above 128
// units, however many values, so `same` needs a min_effect of 3 % or more.
[[nodiscard]] Comparison compare_percentile(const Histogram& base, const Histogram& candidate,
                                            double q_pct, const VerdictRule& rule = {},
                                            double scale = 1.0) noexcept;

}  // namespace llmbench::stats
