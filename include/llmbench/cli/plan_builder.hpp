#pragma once
// Step 3 of a run: the RunPlan — every request serialised once, the prompt
// groups statistics are kept by, and the stages.
#include "llmbench/cli/failure.hpp"
#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/cli/probe.hpp"
#include "llmbench/cli/target.hpp"
#include "llmbench/load/plan.hpp"
#include "llmbench/load/synthetic.hpp"
#include "llmbench/protocol/api.hpp"

namespace llmbench::cli {

Step<RunPlan> build_plan(const ParsedSettings& p, const TargetSetup& t, const ServerInfo& server);

// Counts a request's whole prompt as the server processes it (chat: through
// its /apply-template; the BOS included); warns once and returns nothing
// after /tokenize's first failure.
TokenCounter server_token_counter(const TargetSetup& t, protocol::ApiFlavor flavor);

}  // namespace llmbench::cli
