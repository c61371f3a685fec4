#pragma once
// Stages of a sweep, built from the bounds every stage shares.
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/load/result.hpp"

namespace llmbench {

// What every stage of a run shares: its bounds and the open loop's cap.
struct StageBounds {
  std::uint64_t requests = 0;
  double duration_s = 0;
  double warmup_s = 0;
  double cooldown_s = 0;
  int max_concurrency = 0;
};

StagePlan closed_stage(const StageBounds& b, int concurrency);  // label "concurrency=C"
StagePlan open_stage(const StageBounds& b, double rate_rps);    // label "rate=R"

// `--sweep auto`: one client, then a saturating closed loop; after those
// two, evenly spaced rates between their throughputs.
std::vector<StagePlan> auto_sweep_stages(const StageBounds& b, int saturation_concurrency);
std::vector<StagePlan> auto_sweep_rate_stages(const StageResult& one_client, const StageResult& saturated);

}  // namespace llmbench
