#pragma once
// Step 3 of a run: the RunPlan — every request serialised once, the prompt
// groups statistics are kept by, and the stages.
#include "llmbench/cli/failure.hpp"
#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/cli/probe.hpp"
#include "llmbench/cli/target.hpp"
#include "llmbench/load/plan.hpp"

namespace llmbench::cli {

Step<RunPlan> build_plan(const ParsedSettings& p, const TargetSetup& t, const ServerInfo& server);

}  // namespace llmbench::cli
