#pragma once
// A config file's "stages" list (a step profile: each stage its own load and
// bounds) made into stage plans, every mistake one line naming the stage's
// index and key.
#include <vector>

#include "llmbench/cli/settings.hpp"
#include "llmbench/load/plan.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::cli {

// Empty when the settings have no "stages". A stage's bounds default to the
// run's (--duration, --requests, --warmup-seconds, --cooldown-seconds), its
// open-loop cap is the run's --max-concurrency.
Expected<std::vector<StagePlan>> resolve_config_stages(const Settings& s);

}  // namespace llmbench::cli
