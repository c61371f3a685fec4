#include "llmbench/cli/session_plan.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "llmbench/cli/plan_builder.hpp"
#include "llmbench/load/dataset.hpp"
#include "llmbench/load/session.hpp"
#include "llmbench/load/synthetic.hpp"

namespace llmbench::cli {

namespace {

constexpr std::size_t kSessionPrompts = 256;  // as many prompts as a synthetic run without sessions
constexpr std::size_t kMinConversations = 16;
constexpr int kDefaultMaxTokens = 256;

SessionPlan session_plan(const ParsedSettings& p) {
  SessionPlan sp;
  sp.think_mean_s = p.session->think_s.mean;
  sp.think_stddev_s = p.session->think_s.stddev;
  sp.max_history_tokens = p.session->max_history_tokens;
  return sp;
}

void add_turn_groups(RunPlan& plan, std::size_t turns, const std::string& what) {
  for (std::size_t k = 1; k <= turns; ++k) {
    plan.groups.push_back(PromptGroup{"turn " + std::to_string(k), "turn " + std::to_string(k) + " of " + what, 0});
  }
}

// Adds one turn's prompt; false if its request has no place for a history.
bool add_turn(RunPlan& plan, PromptSpec spec, const http::HeaderList& headers, std::uint32_t hint,
              std::vector<std::uint32_t>& conversation) {
  PromptItem item = make_item(plan, std::move(spec), headers);
  item.input_tokens_hint = hint;
  if (!locate_session_splice(item, plan.flavor)) return false;
  conversation.push_back(static_cast<std::uint32_t>(plan.prompts.size()));
  plan.prompts.push_back(std::move(item));
  return true;
}

}  // namespace

std::vector<std::vector<protocol::ChatMessage>> user_turns(const std::vector<protocol::ChatMessage>& messages) {
  std::vector<std::vector<protocol::ChatMessage>> turns;
  std::vector<protocol::ChatMessage> pending;
  for (const protocol::ChatMessage& m : messages) {
    if (m.role == "assistant") continue;
    pending.push_back(m);
    if (m.role == "user") turns.push_back(std::exchange(pending, {}));
  }
  return turns;
}

void add_synthetic_sessions(const ParsedSettings& p, const TargetSetup& t, RunPlan& plan) {
  const Settings& s = p.raw;
  const auto turns = static_cast<std::size_t>(p.session->turns);
  const std::size_t conversations = std::max(kMinConversations, kSessionPrompts / turns);
  const TokenCounter counter = server_token_counter(t, p.flavor);
  const auto first = make_synthetic_prompts(*p.input_tokens, p.output_tokens, conversations, s.seed, counter, p.prefix);
  std::vector<SyntheticPrompt> later;
  if (turns > 1) later = make_synthetic_prompts(*p.input_tokens, p.output_tokens, conversations * (turns - 1), s.seed + 1, counter);
  const auto first_group = static_cast<std::uint16_t>(plan.groups.size());
  add_turn_groups(plan, turns, std::to_string(turns) + "-turn sessions, input tokens " + s.input_tokens + " a turn");
  SessionPlan sp = session_plan(p);
  for (std::size_t c = 0; c < conversations; ++c) {
    std::vector<std::uint32_t> conversation;
    for (std::size_t k = 0; k < turns; ++k) {
      const SyntheticPrompt& sy = k == 0 ? first[c] : later[c * (turns - 1) + k - 1];
      const int mt = s.max_tokens > 0 ? s.max_tokens : (sy.entry.max_tokens > 0 ? sy.entry.max_tokens : kDefaultMaxTokens);
      PromptSpec spec{"session:" + std::to_string(c) + ".turn:" + std::to_string(k + 1), sy.entry.prompt, {}, mt,
                      s.ignore_eos || p.output_tokens.has_value(), static_cast<std::uint16_t>(first_group + k)};
      add_turn(plan, std::move(spec), t.headers, sy.input_tokens, conversation);
    }
    sp.conversations.push_back(std::move(conversation));
  }
  sp.max_turns = static_cast<std::uint16_t>(turns);
  plan.session = std::move(sp);
}

Status add_dataset_sessions(const ParsedSettings& p, const TargetSetup& t, RunPlan& plan) {
  const Settings& s = p.raw;
  auto entries = load_dataset(s.dataset);
  if (!entries) return Unexpected(entries.error());
  const auto max_turns = static_cast<std::size_t>(p.session->turns);
  std::vector<std::vector<std::vector<protocol::ChatMessage>>> all;
  std::size_t longest = 0;
  for (DatasetEntry& e : *entries) {
    std::vector<std::vector<protocol::ChatMessage>> turns;
    if (!e.messages.empty()) {
      turns = user_turns(e.messages);
    } else {
      turns.push_back({protocol::ChatMessage{"user", e.prompt}});
      for (std::string& later : e.later_turns) turns.push_back({protocol::ChatMessage{"user", std::move(later)}});
    }
    if (turns.size() > max_turns) turns.resize(max_turns);
    longest = std::max(longest, turns.size());
    all.push_back(std::move(turns));
  }
  if (longest == 0) return Unexpected(s.dataset + ": no conversation has a user turn (--turns)");
  const auto first_group = static_cast<std::uint16_t>(plan.groups.size());
  add_turn_groups(plan, longest, "the conversations of " + s.dataset);
  SessionPlan sp = session_plan(p);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const DatasetEntry& e = (*entries)[i];
    int mt = s.max_tokens > 0 ? s.max_tokens : e.max_tokens;
    if (mt <= 0) mt = e.reference_output_chars > 0 ? std::max(1, static_cast<int>(e.reference_output_chars / 4)) : kDefaultMaxTokens;
    std::vector<std::uint32_t> conversation;
    for (std::size_t k = 0; k < all[i].size(); ++k) {
      PromptSpec spec{"dataset:" + std::to_string(i) + ".turn:" + std::to_string(k + 1), {}, std::move(all[i][k]), mt,
                      s.ignore_eos, static_cast<std::uint16_t>(first_group + k)};
      if (!spec.messages.empty()) spec.text = spec.messages.back().content;
      if (!add_turn(plan, std::move(spec), t.headers, 0, conversation)) break;
    }
    if (!conversation.empty()) sp.conversations.push_back(std::move(conversation));
  }
  if (sp.conversations.empty()) return Unexpected(s.dataset + ": no conversation could be sent as a session (--turns)");
  std::size_t multi = 0;
  for (const auto& c : sp.conversations) multi += c.size() > 1;
  spdlog::info("sessions: {} conversations from {}, {} of them with more than one turn (up to {})",
               sp.conversations.size(), s.dataset, multi, longest);
  sp.max_turns = static_cast<std::uint16_t>(longest);
  plan.session = std::move(sp);
  return {};
}

}  // namespace llmbench::cli
