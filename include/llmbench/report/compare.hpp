#pragma once
// `llmbench compare BASE.json NEW.json`: is the new run faster? This module
// reads two results files (spec, load, sweep or merged), pairs what they have
// in common and asks stats/inference for every verdict; it formats nothing
// (compare_format.hpp does). Lower latency counts as faster.
//
// Spec files: per prompt, tokens/s, TTFT and decode tokens/s from the runs
// (Welch + Fieller), success rates, and the overall figure (mean over prompts
// of per-prompt ratios, seeded bootstrap). The overall figure is
// `incomparable` when either file says summary.prompts_complete: false (a
// prompt failed every run, so its Overall covers other prompts) or when the
// two files measured different prompt sets.
// Load files (and sweeps): stages matched by label; each repeat of a stage
// (--repeat) is one value of its throughput figures; percentiles come from
// the stage's histograms (all repeats merged). Merged files: their histograms.
#include <optional>
#include <string>
#include <vector>

#include "llmbench/report/html_view_model.hpp"
#include "llmbench/stats/inference.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::report {

// One figure, base vs new.
struct MetricDelta {
  std::string name;  // JSON key: "tokens_per_second", "ttft_p99_ms", ...
  stats::Comparison cmp;
  stats::SampleSummary base_runs;  // per-run values behind a mean (n = 0 for percentiles)
  stats::SampleSummary new_runs;
};

struct PromptDelta {
  std::string key;
  std::vector<MetricDelta> metrics;  // tokens_per_second, ttft_ms, decode_tokens_per_second
  double success_base = 0;           // success rate, 0..1
  double success_new = 0;
  std::uint64_t failed_base = 0;     // failed runs
  std::uint64_t failed_new = 0;
  std::uint64_t ok_base = 0;         // successful runs
  std::uint64_t ok_new = 0;
};

struct StageDelta {
  std::string label;
  std::vector<MetricDelta> metrics;
  std::uint64_t failed_base = 0;  // failed requests
  std::uint64_t failed_new = 0;
};

// A difference between the two files' context: "system_info.hugepages_used".
struct ContextChange {
  std::string field;
  std::string base;
  std::string new_value;
};

struct CompareResult {
  std::string base_name;
  std::string new_name;
  std::string kind;  // "spec", "load" or "merged" (of the base file)
  std::optional<stats::Comparison> overall;  // spec only
  bool overall_incomparable = false;
  std::string incomparable_reason;
  // Spec: each file's own Overall (summary.overall_avg_tokens_per_second),
  // shown when the two are incomparable.
  std::optional<double> overall_base_file;
  std::optional<double> overall_new_file;
  // Spec: the prompts with a successful run in the base and none in the new
  // file (failed every run, or absent), judged prompt by prompt: the
  // files' summary.prompts_complete flags cannot tell a prompt lost in the
  // new file when the base lost another. A CI gate (--fail-if-slower) fails
  // on any: fewer prompts is not a speed-up.
  bool new_lost_prompts = false;
  std::vector<std::string> lost_prompts;
  std::vector<PromptDelta> prompts;
  std::vector<StageDelta> stages;
  std::vector<ContextChange> context_changes;
  std::vector<std::string> warnings;  // a different model, different prompts, ...
};

// An input that is not a results file, or files of different kinds, is a
// one-line error naming the file.
Expected<CompareResult> compare_results(const ResultsText& base, const ResultsText& candidate,
                                        const stats::VerdictRule& rule);

// Every difference between the two files' config, system_info and the
// server's /props (build, slots, context size, model path), in that order,
// plus warnings when the model or the prompts differ. Paths of output files
// (config.output, csv, html) are not context and are skipped.
struct ContextDiff {
  std::vector<ContextChange> changes;
  std::vector<std::string> warnings;
};
Expected<ContextDiff> diff_context(std::string_view base_json, std::string_view new_json);

// The overall verdict as the CI gate and the JSON call it: "incomparable"
// when the overall figure is (see above), else the verdict's name; empty
// when there is no overall figure (load and merged files).
std::string overall_verdict(const CompareResult& r);

// --fail-if-slower PCT: the overall verdict is `slower` and its point
// estimate is worse than PCT % (delta_pct < -PCT).
bool fails_gate(const CompareResult& r, double max_slowdown_pct) noexcept;

}  // namespace llmbench::report
