#pragma once
// What a run measured, as the aggregator builds it and the reporters read it.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/record/record.hpp"
#include "llmbench/stats/histogram.hpp"
#include "llmbench/stats/running_stats.hpp"

namespace llmbench {

// Statistics of the measured window for one prompt (or all prompts) of a stage.
struct MetricSet {
  std::uint64_t requests = 0;   // measured requests that ended (any outcome)
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;     // ended with an error other than `cancelled`
  std::uint64_t cancelled = 0;  // still in flight when the stage ended
  std::array<std::uint64_t, kErrorKindCount> errors{};
  std::uint64_t output_tokens = 0;  // completion tokens of successful requests
  std::uint64_t input_tokens = 0;
  std::uint64_t good = 0;  // succeeded and within every --slo bound (goodput)
  std::array<std::uint64_t, 3> token_sources{};  // successful requests per TokenSource

  stats::Histogram ttft_ns;           // first byte sent -> first content event
  stats::Histogram ttft_intended_ns;  // intended send -> first content event (open loop)
  stats::Histogram itl_ns;            // every gap between content events
  stats::Histogram tpot_ns;           // (last - first content event) / (tokens - 1)
  stats::Histogram e2e_ns;            // first byte sent -> last byte read
  stats::Histogram e2e_intended_ns;   // intended send -> last byte read
  stats::Histogram lag_ns;            // intended send -> picked up by the request path (open loop)
  stats::Histogram connect_ns;        // requests that opened a connection
  stats::Histogram tps_milli;         // per-request tokens/s x 1000 (percentiles in load mode)
  stats::RunningStats tps;            // per-request tokens/s (exact mean and std)
  stats::RunningStats decode_tps;     // per-request (tokens-1)/(last-first)

  std::int64_t first_start_ns = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_end_ns = std::numeric_limits<std::int64_t>::min();

  void add(const RequestRecord& r);
  void add_gap(const GapRecord& g);
  void merge(const MetricSet& o);

  [[nodiscard]] double success_rate() const noexcept {
    const std::uint64_t n = succeeded + failed;
    return n == 0 ? 0.0 : static_cast<double>(succeeded) / static_cast<double>(n);
  }
  // Seconds from the first measured token (or start of a request that got
  // none) to the last measured request's end.
  [[nodiscard]] double window_s() const noexcept;
  [[nodiscard]] double request_throughput() const noexcept;
  [[nodiscard]] double output_tokens_per_second() const noexcept;
};

struct PhaseCounts {
  std::uint64_t warmup = 0;
  std::uint64_t measured = 0;
  std::uint64_t cooldown = 0;
};

struct PromptResult {
  MetricSet measured;
  PhaseCounts phases;
  std::vector<RequestRecord> records;  // kept in spec mode (one per run)
};

struct StageResult {
  StagePlan plan;
  std::uint32_t index = 0;
  std::vector<PromptResult> prompts;  // parallel to RunPlan::groups
  MetricSet overall;
  PhaseCounts phases;
  std::uint64_t scheduled = 0;        // tickets handed out
  std::uint64_t ended = 0;            // records received (any phase)
  double elapsed_s = 0;
  bool interrupted = false;
  std::uint64_t ring_full_waits = 0;
  std::uint64_t connections_opened = 0;
  stats::Histogram delivery_lag_ns;     // --stamp-lag: every stamped event, every phase
  stats::Histogram first_token_lag_ns;  // --stamp-lag: each response's first content event
};

}  // namespace llmbench
