#pragma once
// What a run prints on stderr while it runs: spec mode's per-run lines (as
// the guide's script prints them) and load mode's live progress line.
#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/load/engine.hpp"
#include "llmbench/load/plan.hpp"

namespace llmbench::cli {

// The observers of each stage, as the engine asks for them.
StageObserversFn progress_observers(const ParsedSettings& p, const RunPlan& plan);

}  // namespace llmbench::cli
