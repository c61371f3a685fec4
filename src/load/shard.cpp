#include "llmbench/load/shard.hpp"

#include <algorithm>

#include "llmbench/util/clock.hpp"

namespace llmbench {

std::size_t share(std::size_t total, std::size_t parts, std::size_t i) noexcept {
  if (parts == 0) return total;
  return total / parts + (i < total % parts ? 1 : 0);
}

StagePlan shard_stage(const StagePlan& stage, ShardPlan s) noexcept {
  if (s.count <= 1 || stage.mode == LoadMode::spec) return stage;
  StagePlan out = stage;
  if (stage.mode == LoadMode::closed) {
    out.concurrency = static_cast<int>(share(static_cast<std::size_t>(std::max(0, stage.concurrency)), s.count, s.index));
    out.requests = share(stage.requests, s.count, s.index);  // the CLI refuses a count below N
  } else if (stage.max_concurrency > 0) {
    out.max_concurrency = static_cast<int>(
        std::max<std::size_t>(1, share(static_cast<std::size_t>(stage.max_concurrency), s.count, s.index)));
  }
  return out;
}

ArrivalSlice open_arrivals(ShardPlan s, std::size_t worker, std::size_t workers) noexcept {
  const std::size_t n = std::max<std::size_t>(1, s.count);
  const std::size_t w = std::max<std::size_t>(1, workers);
  // Shard I owns I, I + N, I + 2N, ...; its worker k of W takes the k-th of
  // those and every W-th after it.
  return ArrivalSlice{s.index + n * worker, n * w};
}

std::int64_t next_planned_start_ns(const StagePlan& stage, std::int64_t planned_ns) noexcept {
  if (planned_ns < 0 || stage.duration_s <= 0) return -1;
  return planned_ns + seconds_to_ns(stage.warmup_s) + seconds_to_ns(stage.duration_s) +
         seconds_to_ns(stage.cooldown_s) + kStageGapNs;
}

}  // namespace llmbench
