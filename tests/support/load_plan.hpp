#pragma once
// Building blocks for tests that run the engine: a streamed chat prompt added
// to a plan, and a closed-loop stage. Header-only: the concurrency tests use
// it without linking test_support.cpp.
#include <cstdint>
#include <string>

#include "llmbench/http/request.hpp"
#include "llmbench/load/plan.hpp"
#include "llmbench/protocol/api.hpp"

namespace llmbench::test {

// A streamed POST /v1/chat/completions of `prompt` to plan.target (set it
// first), in a statistics group of its own named `key`.
inline void add_chat_prompt(RunPlan& plan, const std::string& key, const std::string& prompt, int max_tokens) {
  protocol::GenerationRequest g;
  g.prompt = prompt;
  g.max_tokens = max_tokens;
  PromptItem item;
  item.key = key;
  item.max_tokens = max_tokens;
  item.group = static_cast<std::uint16_t>(plan.groups.size());
  item.request = http::build_request("POST", plan.target, "/v1/chat/completions", {}, protocol::build_body(g),
                                     "text/event-stream");
  plan.prompts.push_back(item);
  plan.groups.push_back(PromptGroup{key, prompt, max_tokens});
}

inline StagePlan closed_stage(int concurrency, std::uint64_t requests) {
  StagePlan st;
  st.mode = LoadMode::closed;
  st.concurrency = concurrency;
  st.requests = requests;
  return st;
}

}  // namespace llmbench::test
