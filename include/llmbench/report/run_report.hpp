#pragma once
// Everything a reporter needs about a finished run. Reporters only format:
// every figure comes from stats/ (request_figures, metric_set, spec_stats,
// sweep) or from load/result.hpp's totals.
#include <string>
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/load/result.hpp"
#include "llmbench/report/system_info.hpp"
#include "llmbench/telemetry/run_telemetry.hpp"
#include "llmbench/telemetry/server_props.hpp"
#include "llmbench/telemetry/stage_summary.hpp"

namespace llmbench::report {

struct RunReport {
  const RunPlan* plan = nullptr;
  std::vector<StageResult> stages;
  SystemInfo system;
  std::string timestamp;     // local time, ISO 8601 without zone ("2025-09-12T20:30:17")
  std::string timestamp_utc; // "2025-09-12T18:30:17Z"
  std::string config_json;   // the effective settings, secrets redacted
  bool interrupted = false;
  std::string interrupted_by;  // "SIGINT" / "SIGTERM"
  // The server's and the machine's side: what was sampled, and each stage's
  // figures from it (parallel to `stages`); the server's /props, read.
  std::optional<telemetry::TelemetryResult> telemetry;
  std::vector<telemetry::StageTelemetry> stage_telemetry;
  std::optional<telemetry::ServerProps> server;

  [[nodiscard]] bool spec_mode() const noexcept {
    return !stages.empty() && stages.front().plan.mode == LoadMode::spec;
  }
};

// The knee of the report's sweep (stats::find_knee over its stages), -1 if none.
int find_knee(const std::vector<StageResult>& stages);

// The model id as the terminal shows it: a path's last component.
std::string display_model(const std::string& model_id);

}  // namespace llmbench::report
