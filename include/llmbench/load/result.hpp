#pragma once
// What a run measured, as the aggregator builds it and the reporters read it.
#include <cstdint>
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/record/record.hpp"
#include "llmbench/stats/histogram.hpp"
#include "llmbench/stats/metric_set.hpp"

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

struct StageResult {
  StagePlan plan;
  std::uint32_t index = 0;
  std::vector<PromptResult> prompts;  // parallel to RunPlan::groups
  stats::MetricSet overall;
  PhaseCounts phases;
  std::uint64_t scheduled = 0;        // tickets handed out
  std::uint64_t ended = 0;            // records received (any phase)
  double elapsed_s = 0;
  bool interrupted = false;
  std::uint64_t ring_full_waits = 0;
  std::uint64_t connections_opened = 0;
  // Reads that returned bytes, by their timestamp's source (--timestamps),
  // and connections whose socket refused kernel stamps; every phase.
  std::uint64_t kernel_stamped_reads = 0;
  std::uint64_t user_stamped_reads = 0;
  std::uint64_t unstamped_connections = 0;
  stats::Histogram delivery_lag_ns;     // --stamp-lag: every stamped event, every phase
  stats::Histogram first_token_lag_ns;  // --stamp-lag: each response's first content event
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

// The per-prompt sets of one stage, as pointers for stats::mean_of_prompt_means.
std::vector<const stats::MetricSet*> prompt_sets(const StageResult& stage);
std::vector<const stats::MetricSet*> prompt_sets(const RunTotals& totals);

}  // namespace llmbench
