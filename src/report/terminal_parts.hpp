#pragma once
// Pieces both terminal reports share (private to src/report/).
#include <string>
#include <string_view>

#include "llmbench/report/run_report.hpp"
#include "llmbench/stats/metric_set.hpp"

namespace llmbench::report::terminal {

// The guide's banner, Model, Huge Pages and Timestamp lines.
void header(std::string& out, const RunReport& rep);
// The truncated-replies WARNING and the --ignore-eos hint for `m` (nothing
// when every reply ran to max_tokens); the `where`s name the prompts
// concerned (" (long_context 3)"), `indent` prefixes each line.
void short_replies(std::string& out, const RunReport& rep, const stats::MetricSet& m, std::string_view truncated_where,
                   std::string_view stopped_where, std::string_view indent);
// "Server process: PID 123 threads 8, RSS 4.1 GB, huge pages mapped 4096 MB"
// (nothing when no server process was sampled).
std::string process_line(const RunReport& rep);
// The server's view of stage k (queue, busy slots, its tok/s beside the
// client's, tokens per decode, generated tokens compared); "" without telemetry.
std::string server_view(const RunReport& rep, std::size_t k, double client_tokens_per_s);
// "timeout 2, http_5xx 1" (kinds with a count only), "" when none.
std::string errors_line(const stats::MetricSet& m);
// "WARNING: the client was the bottleneck ..." with each broken rule and
// what to do; nothing when the stage's client kept up.
void client_limited(std::string& out, const StageResult& st, std::string_view indent);

}  // namespace llmbench::report::terminal
