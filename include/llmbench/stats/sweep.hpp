#pragma once
// Where a sweep saturates the server.
#include <span>

#include "llmbench/stats/metric_set.hpp"

namespace llmbench::stats {

// The knee of a sweep: the index of the smallest stage beyond which
// throughput grows less than 5 % while p99 latency (E2E or TTFT) keeps
// growing; -1 when there is none (or fewer than two stages).
int find_knee(std::span<const MetricSet* const> stages) noexcept;

}  // namespace llmbench::stats
