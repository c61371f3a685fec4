#pragma once
// The terminal report. Spec mode reproduces the guide's layout line for line
// (banner, Model, Huge Pages, Timestamp, Runs per prompt, the Per-Prompt
// table), then adds what the guide never had.
#include <string>

#include "llmbench/report/run_report.hpp"

namespace llmbench::report {

std::string render_spec_terminal(const RunReport& rep);
// Load mode: a table per stage, then (with several stages) the sweep table
// and the knee.
std::string render_load_terminal(const RunReport& rep);

}  // namespace llmbench::report
