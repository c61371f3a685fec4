#pragma once
// The results' telemetry: the top-level `telemetry` (every sampled series as
// [t_s, value] pairs from the run's start, the scrape counts, the notes, the
// server process), the `server` block read from /props, and each stage's
// `telemetry_summary` (plain numbers; absent figures are null).
#include "llmbench/report/json_writer.hpp"
#include "llmbench/report/run_report.hpp"

namespace llmbench::report {

void write_telemetry(JsonWriter& w, const RunReport& rep);
void write_server_block(JsonWriter& w, const RunReport& rep);
// Writes "telemetry_summary": {...} for stage k (null when there is none).
void write_telemetry_summary(JsonWriter& w, const RunReport& rep, std::size_t k);

}  // namespace llmbench::report
