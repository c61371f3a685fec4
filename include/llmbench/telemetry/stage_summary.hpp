#pragma once
// The server's and the machine's figures over one stage, derived from the
// run's telemetry (run_telemetry.hpp): plain numbers, each present only when
// its source was, so two runs compare field by field.
//
// Windows. Gauges (queue depth, busy slots, KV use, CPU) are summarised over
// the stage's measured window [from_s, to_s]. Counter rates come from the
// sampler's points inside that window when it has two or more (the exact
// --duration window), else from the edge scrapes around the whole stage.
// The server's generated tokens are always the edge scrapes' difference: the
// whole stage, every phase, which is what the client's count covers too.
#include <optional>
#include <vector>

#include "llmbench/telemetry/run_telemetry.hpp"

namespace llmbench::telemetry {

struct StageTelemetry {
  double from_s = 0;
  double to_s = 0;
  std::optional<double> server_prompt_tokens_per_s;
  std::optional<double> server_generation_tokens_per_s;
  std::optional<double> decode_calls_per_s;
  std::optional<double> tokens_per_decode;
  std::optional<double> queue_depth_p50;  // requests deferred / waiting
  std::optional<double> queue_depth_max;
  std::optional<double> busy_slots_p50;   // /slots, else requests running
  std::optional<double> busy_slots_max;
  std::optional<double> kv_usage_p50;     // 0..1
  std::optional<double> kv_usage_max;
  std::optional<double> server_generated_tokens;  // edge to edge
  std::optional<double> client_generated_tokens;  // every response of the stage, every phase
  std::optional<double> cpu_busy_p50;     // host, all CPUs, 0..1
  std::optional<double> cpu_busy_max;
  std::optional<double> cpu_mhz_mean;     // mean over the window of the per-sample mean
  std::optional<double> cpu_mhz_min;      // the lowest per-core minimum seen
  std::optional<double> hugepages_in_use_max;  // host pages (total - free)
  std::optional<double> process_cpu_s;    // user + system seconds over the window
  std::optional<double> process_rss_max_bytes;
  std::optional<double> process_threads_max;
  std::optional<double> gpu_utilization_max;  // the busiest GPU, 0..1
  std::optional<double> gpu_power_w_max;      // summed over GPUs at each sample
  std::optional<double> gpu_energy_j_per_output_token;  // window: energy / server's generated tokens
  bool counter_reset = false;             // a server counter went down: it restarted

  // Server minus client generated tokens, when both are known.
  [[nodiscard]] std::optional<double> generated_tokens_difference() const;
};

// `before` / `after`: the edge scrapes around the stage (nullptr if none).
[[nodiscard]] StageTelemetry summarize_stage(const TelemetryResult& t, const EdgeScrape* before,
                                             const EdgeScrape* after, double from_s, double to_s,
                                             std::optional<double> client_generated_tokens);

}  // namespace llmbench::telemetry
