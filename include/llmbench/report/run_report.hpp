#pragma once
// Everything a reporter needs about a finished run.
#include <string>
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/load/result.hpp"
#include "llmbench/report/system_info.hpp"

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
};

// Spec-mode statistics of one prompt, computed exactly from its runs.
struct SpecStats {
  std::size_t runs = 0;
  std::size_t succeeded = 0;
  double success_rate = 0;      // 0..1
  double avg_tps = 0;           // mean of per-run tokens/s over successful runs
  double std_tps = 0;           // sample std dev (n-1), 0 with fewer than 2 runs
  double cv = 0;                // std / mean
  double min_tps = 0;
  double median_tps = 0;
  double max_tps = 0;
  double avg_decode_tps = 0;
  struct Ttft {
    std::size_t count = 0;
    double mean = 0, p50 = 0, p90 = 0, p99 = 0, min = 0, max = 0;
  } ttft_ms;
};

SpecStats spec_stats(const PromptResult& p);
// Per-run figures shared by JSON and terminal.
double run_tokens_per_second(const RequestRecord& r);
double run_duration_s(const RequestRecord& r);
double run_ttft_ms(const RequestRecord& r);          // -1 when no token arrived
double run_decode_tokens_per_second(const RequestRecord& r);  // -1 when undefined

// The guide's verdict on a coefficient of variation.
std::string_view cv_verdict(double cv);

// Mean of the per-prompt averages over prompts with at least one success.
double overall_avg_tokens_per_second(const RunReport& rep, const StageResult& stage);

// The knee of a sweep: the index of the smallest stage beyond which
// throughput grows less than 5 % while p99 latency (E2E or TTFT) keeps
// growing; -1 when there is none (or fewer than two stages).
int find_knee(const std::vector<StageResult>& stages);

// The model id as the terminal shows it: a path's last component.
std::string display_model(const std::string& model_id);

}  // namespace llmbench::report
