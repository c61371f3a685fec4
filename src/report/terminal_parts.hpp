#pragma once
// Pieces both terminal reports share (private to src/report/).
#include <string>

#include "llmbench/report/run_report.hpp"
#include "llmbench/stats/metric_set.hpp"

namespace llmbench::report::terminal {

// The guide's banner, Model, Huge Pages and Timestamp lines.
void header(std::string& out, const RunReport& rep);
// "timeout 2, http_5xx 1" (kinds with a count only), "" when none.
std::string errors_line(const stats::MetricSet& m);
// "WARNING: the client was the bottleneck ..." with each broken rule and
// what to do; nothing when the stage's client kept up.
void client_limited(std::string& out, const StageResult& st, std::string_view indent);

}  // namespace llmbench::report::terminal
