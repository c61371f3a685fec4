#pragma once
// What a run measured, as the aggregator builds it and the reporters read it.
#include <array>
#include <cstdint>
#include <string>
#include <optional>
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/load/stop_rules.hpp"
#include "llmbench/record/record.hpp"
#include "llmbench/stats/client_limits.hpp"
#include "llmbench/stats/histogram.hpp"
#include "llmbench/stats/metric_set.hpp"
#include "llmbench/stats/time_series.hpp"
#include "llmbench/stats/timeline.hpp"

namespace llmbench {

struct PhaseCounts {
  std::uint64_t warmup = 0;
  std::uint64_t measured = 0;
  std::uint64_t cooldown = 0;
};

struct PromptResult {
  stats::MetricSet measured;
  PhaseCounts phases;
  std::vector<RequestRecord> records;  // kept in spec mode (one per run)
};

// One model of a --model mix: its requests' figures, as `overall` has them
// for all (parallel to RunPlan::models; name and weight are the plan's).
struct ModelResult {
  stats::MetricSet measured;
  PhaseCounts phases;
};

struct StageResult {
  StagePlan plan;
  std::uint32_t index = 0;
  int repeat = 0;   // which of plan.repeat runs of this stage (0-based)
  int repeats = 1;
  std::vector<PromptResult> prompts;  // parallel to RunPlan::groups
  stats::MetricSet overall;
  PhaseCounts phases;
  std::uint64_t scheduled = 0;        // tickets handed out
  std::uint64_t ended = 0;            // records received (any phase)
  double elapsed_s = 0;
  bool interrupted = false;                 // by SIGINT/SIGTERM
  std::optional<StopReason> stopped_early;  // --abort-after / --max-error-rate
  // The first few distinct messages of each kind of failure (any phase),
  // as the server or the connection gave them, secrets redacted.
  std::array<std::vector<std::string>, kErrorKindCount> error_messages;
  // The "model" the responses named (a few distinct ids, first seen first),
  // beside the one asked for: a server may serve another file than named.
  std::vector<std::string> served_models;
  std::uint64_t ring_full_waits = 0;
  std::uint64_t connections_opened = 0;
  // Reads that returned bytes, by their timestamp's source (--timestamps),
  // and connections whose socket refused kernel stamps; every phase.
  std::uint64_t kernel_stamped_reads = 0;
  std::uint64_t user_stamped_reads = 0;
  std::uint64_t unstamped_connections = 0;
  stats::Histogram delivery_lag_ns;     // --stamp-lag: every stamped event, every phase
  stats::Histogram first_token_lag_ns;  // --stamp-lag: each response's first content event
  // The client's own load: the busiest worker thread's CPU time over its
  // wall time, and the rules it broke (stats/client_limits.hpp).
  double worker_cpu_share_max = 0;
  std::size_t workers = 0;  // worker threads the stage ran on
  std::vector<stats::ClientLimitReason> client_limited_reasons;
  [[nodiscard]] bool client_limited() const noexcept { return !client_limited_reasons.empty(); }

  // When things happened (times relative to the run's start).
  double start_s = 0;                        // the stage's start
  std::int64_t planned_start_ns = -1;        // --start-at: when it was to start (steady clock), -1: none
  std::int64_t began_ns = 0;                 // when this process got to it (steady clock)
  std::optional<stats::Window> window;       // the exact measured window (--duration), on the run's clock
  std::int64_t run_start_ns = 0;
  double timeseries_interval_s = 0;
  std::vector<stats::TimeBucket> timeseries;
  stats::SteadyState steady;
  std::optional<stats::Timeline::FullConcurrency> full_concurrency;  // closed loop bounded by --requests
  std::vector<ModelResult> models;  // parallel to RunPlan::models (empty without a mix)
};

// Several stages together (a sweep's top-level figures).
struct RunTotals {
  std::vector<stats::MetricSet> prompts;  // parallel to RunPlan::groups
  stats::MetricSet overall;
  stats::Histogram delivery_lag_ns;
  stats::Histogram first_token_lag_ns;
  std::uint64_t scheduled = 0;
  std::uint64_t succeeded = 0;
};

RunTotals total_over_stages(const std::vector<StageResult>& stages, std::size_t groups);

// The prompt groups that were attempted but never succeeded: the guide's
// Overall (a mean over the prompts that did) then covers fewer prompts than
// asked, and two runs' Overalls are not comparable.
std::vector<std::size_t> failed_prompts(const StageResult& stage);

// The served models of every stage together, distinct, first seen first.
std::vector<std::string> served_models(const std::vector<StageResult>& stages);

// Each model's figures over every stage (parallel to RunPlan::models).
std::vector<stats::MetricSet> total_models(const std::vector<StageResult>& stages, std::size_t models);

// The per-prompt sets of one stage, as pointers for stats::mean_of_prompt_means.
std::vector<const stats::MetricSet*> prompt_sets(const StageResult& stage);
std::vector<const stats::MetricSet*> prompt_sets(const RunTotals& totals);

}  // namespace llmbench
