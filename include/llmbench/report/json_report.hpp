#pragma once
// The JSON results file: the guide's layout (system_info, prompts.<key>.
// {prompt_text, results, stats}, summary.overall_avg_tokens_per_second) with
// additions that never rename a guide field.
#include <string>

#include "llmbench/report/run_report.hpp"

namespace llmbench::report {

inline constexpr int kSchemaVersion = 1;

std::string render_json(const RunReport& rep);


}  // namespace llmbench::report
