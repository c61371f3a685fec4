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

}  // namespace llmbench::report::terminal
