#pragma once
// The three faces of `llmbench compare`: a terminal table, the same as
// Markdown (for a pull request), and JSON. Formatting only: every figure
// comes from report/compare.hpp.
//
// JSON (one candidate): {"base", "new", "kind", "alpha", "min_effect_pct",
// "overall", "prompts": {<key>: {"tokens_per_second", "ttft_ms",
// "decode_tokens_per_second", "success_rate": {"base","new"}}},
// "stages": [{"label", <metric>...}], "context_changes": [{"field","base",
// "new"}], "warnings": [...]}; each figure {"base", "new", "delta_pct",
// "ci_pct": [lo, hi] (null when the data cannot support one), "p_value",
// "verdict", "runs_needed"?}. Several candidates: {"comparisons": [...]}.
#include <string>
#include <vector>

#include "llmbench/report/compare.hpp"

namespace llmbench::report {

enum class CompareFormat { terminal, markdown, json };

std::string render_compare_text(const CompareResult& r, const stats::VerdictRule& rule, bool markdown);
std::string render_compare_json(const std::vector<CompareResult>& all, const stats::VerdictRule& rule);

}  // namespace llmbench::report
