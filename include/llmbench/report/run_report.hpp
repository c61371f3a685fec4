#pragma once
// Everything a reporter needs about a finished run. Reporters only format:
// every figure comes from stats/ (request_figures, metric_set, spec_stats,
// sweep) or from load/result.hpp's totals.
#include <optional>
#include <string>
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/load/result.hpp"
#include "llmbench/report/system_info.hpp"
#include "llmbench/telemetry/run_telemetry.hpp"
#include "llmbench/telemetry/server_props.hpp"
#include "llmbench/telemetry/stage_summary.hpp"

namespace llmbench::report {

// A sharded run's identity and clocks (--shard, --start-at), for merge.
struct ShardReport {
  ShardPlan shard;
  std::string source;                  // "--shard", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", ...
  std::string start_at_utc;            // the agreed instant, "" without --start-at
  std::int64_t start_at_unix_ns = -1;
  std::int64_t realtime_offset_ns = 0;  // CLOCK_REALTIME - steady clock, sampled at the run's end
  std::int64_t offset_uncertainty_ns = 0;
};

// --erase-slots: how the prompt cache was emptied before each measured run.
struct SlotErasure {
  std::uint64_t rounds = 0;  // measured runs preceded by an erase of every slot
  std::uint64_t erased = 0;  // slot erases answered 200
  std::uint64_t failed = 0;
  std::string first_error;   // the first failure, one line
};

struct RunReport {
  const RunPlan* plan = nullptr;
  std::vector<StageResult> stages;
  SystemInfo system;
  std::string timestamp;     // local time, ISO 8601 without zone ("2025-09-12T20:30:17")
  std::string timestamp_utc; // "2025-09-12T18:30:17Z"
  std::string config_json;   // the effective settings, secrets redacted
  bool interrupted = false;
  std::string interrupted_by;  // "SIGINT" / "SIGTERM"
  std::optional<ShardReport> shard;  // sharded or --start-at runs only
  std::int64_t run_start_ns = 0;     // what every "_s" time is relative to (steady clock)
  // The server's and the machine's side: what was sampled, and each stage's
  // figures from it (parallel to `stages`); the server's /props, read.
  std::optional<telemetry::TelemetryResult> telemetry;
  std::vector<telemetry::StageTelemetry> stage_telemetry;
  std::optional<telemetry::ServerProps> server;
  std::optional<SlotErasure> slot_erasure;  // --erase-slots runs only

  [[nodiscard]] bool spec_mode() const noexcept {
    return !stages.empty() && stages.front().plan.mode == LoadMode::spec;
  }
};

// The knee of the report's sweep (stats::find_knee over its stages), -1 if none.
int find_knee(const std::vector<StageResult>& stages);

// The model id as the terminal shows it: a path's last component.
std::string display_model(const std::string& model_id);

}  // namespace llmbench::report
