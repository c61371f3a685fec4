#pragma once
// The prompts of a run, as the plan holds them: each one's request bytes,
// built once (plan_builder.cpp), and, with --turns, the conversations that
// sessions send turn by turn (load/session.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/cli/target.hpp"
#include "llmbench/http/request.hpp"
#include "llmbench/load/plan.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::cli {

// One prompt as sent: its request bytes, built once.
struct PromptSpec {
  std::string key;
  std::string text;
  std::vector<protocol::ChatMessage> messages;
  int max_tokens = 0;
  bool ignore_eos = false;
  std::uint16_t group = 0;
  std::uint32_t input_tokens_hint = 0;
  std::string tools_json{};  // chat: a dataset row's tools and tool_choice, as JSON
  std::string tool_choice_json{};
};

// `model`: its index in plan.models when the plan has a mix (load/model_mix.hpp).
PromptItem make_item(const RunPlan& plan, PromptSpec spec, const http::HeaderList& headers, std::uint16_t model = 0);

// --turns N with --input-tokens: conversations of N synthetic user turns,
// each of the asked length (fitted with /tokenize like every synthetic
// prompt; a shared prefix, if any, starts turn 1 only). A statistics group
// per turn index.
void add_synthetic_sessions(const ParsedSettings& p, const TargetSetup& t, RunPlan& plan);

// --turns N with --dataset: each conversation's first N user turns (ShareGPT
// human turns; JSON Lines user messages, with any system message before the
// first kept in turn 1). Recorded assistant replies are not sent: a session
// carries the server's own. A statistics group per turn index.
Status add_dataset_sessions(const ParsedSettings& p, const TargetSetup& t, RunPlan& plan);

// The messages of a JSON Lines row cut into user turns: each turn is what
// came since the last user message (system or tool messages included),
// assistant messages left out; anything after the last user message is
// dropped.
std::vector<std::vector<protocol::ChatMessage>> user_turns(const std::vector<protocol::ChatMessage>& messages);

}  // namespace llmbench::cli
