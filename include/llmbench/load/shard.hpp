#pragma once
// One shard's part of a stage, and where a sharded run's stages start.
//
// A run spread over N processes (--shard I/N) must add up to the run one
// process would have made:
//  - Open loop: every shard draws the same seeded schedule for the whole
//    rate and sends arrivals I, I + N, I + 2N, ... (open_arrivals()), so the
//    union over shards is exactly the single-process schedule, arrival for
//    arrival, each at its intended time.
//  - Closed loop: the concurrency C is split, shard I running floor(C/N) or
//    one more client (share()); a count bound (--requests) is split alike.
//    An open loop's in-flight cap is split the same way.
// Stages start on one wall-clock schedule in every shard: stage 0 at the
// agreed --start-at instant, each later stage after the nominal length of the
// one before (warm-up + measured + cool-down) plus kStageGapNs for requests
// still draining; a shard that is late starts at once and says by how much.
#include <cstddef>
#include <cstdint>

#include "llmbench/load/plan.hpp"

namespace llmbench {

// `total` split as evenly as possible over `parts`: part i's share.
[[nodiscard]] std::size_t share(std::size_t total, std::size_t parts, std::size_t i) noexcept;

// The stage as shard `s` runs it (concurrency, count bound and cap split).
[[nodiscard]] StagePlan shard_stage(const StagePlan& stage, ShardPlan s) noexcept;

// The open-loop arrivals worker `worker` of `workers` sends in shard `s`:
// the first index and the stride (arrivals first, first + stride, ...).
struct ArrivalSlice {
  std::size_t first = 0;
  std::size_t stride = 1;
};
[[nodiscard]] ArrivalSlice open_arrivals(ShardPlan s, std::size_t worker, std::size_t workers) noexcept;

inline constexpr std::int64_t kStageGapNs = 1'000'000'000;

// When the stage after `stage` is planned to start, given when `stage` was
// planned to start; -1 when it cannot be planned (no start, or a stage
// bounded by count only, whose length nobody knows in advance).
[[nodiscard]] std::int64_t next_planned_start_ns(const StagePlan& stage, std::int64_t planned_ns) noexcept;

}  // namespace llmbench
