#pragma once
// Where a sweep saturates the server.
#include <span>

#include "llmbench/stats/metric_set.hpp"

namespace llmbench::stats {

// The knee of a sweep (stages in sweep order): the index of the last stage
// worth running at, -1 when there is none (or fewer than two stages).
//
// Why not "throughput grows < 5 %": against a real llama-server with 4 slots,
// concurrency 4 -> 8 gave +7.7 % tokens/s while TTFT p50 went 36 -> 2,139 ms
// (the extra streams only queue); the old rule said "not reached". Two rules,
// the first that fires:
//   1. Latency explodes: the first stage i where going to i + 1 more than
//      doubles p90 TTFT or p90 E2E (kKneeLatencyGrowth) for less than 10 %
//      more output tokens/s (kKneeThroughputGain). Knee = i.
//   2. Kleinrock's power, output tokens/s / p90 E2E: the stage where it is
//      largest, provided it is not the last stage and power falls by more than
//      10 % after it (a flat or still rising power means no knee yet).
inline constexpr double kKneeLatencyGrowth = 2.0;
inline constexpr double kKneeThroughputGain = 1.10;
int find_knee(std::span<const MetricSet* const> stages) noexcept;

}  // namespace llmbench::stats
