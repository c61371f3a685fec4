#pragma once
// Pieces both terminal reports share (private to src/report/).
#include <string>

#include "llmbench/report/run_report.hpp"
#include "llmbench/stats/metric_set.hpp"

namespace llmbench::report::terminal {

// The guide's banner, Model, Huge Pages and Timestamp lines.
void header(std::string& out, const RunReport& rep);
// "Server process: PID 123 threads 8, RSS 4.1 GB, huge pages mapped 4096 MB"
// (nothing when no server process was sampled).
std::string process_line(const RunReport& rep);
// The server's view of stage k (queue, busy slots, its tok/s beside the
// client's, tokens per decode, generated tokens compared); "" without telemetry.
std::string server_view(const RunReport& rep, std::size_t k, double client_tokens_per_s);
// "timeout 2, http_5xx 1" (kinds with a count only), "" when none.
std::string errors_line(const stats::MetricSet& m);

}  // namespace llmbench::report::terminal
