#pragma once
// --ramp rate=A..B | concurrency=A..B and --ramp-shape linear|exponential,
// parsed once into a RampPlan and checked against the flags it replaces.
#include <optional>
#include <string>

#include "llmbench/cli/settings.hpp"
#include "llmbench/load/plan.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::cli {

struct RampSpec {
  LoadMode mode = LoadMode::open;  // rate: open loop; concurrency: closed loop
  RampPlan ramp;
};

// nullopt when --ramp is not given; an error is one line naming the flag
// and what was wrong.
Expected<std::optional<RampSpec>> resolve_ramp(const Settings& s);

// A ramp's one stage ("ramp rate=1..50"): the stage's load is the larger end.
StagePlan ramp_stage(const RampSpec& r, const Settings& s);

}  // namespace llmbench::cli
