#include "llmbench/load/prompts.hpp"

#include <array>

namespace llmbench {

namespace {
// Each prompt is written for what the guide says it tests. The max_tokens are
// chosen so one run takes a few seconds at CPU speeds (20-50 tok/s): enough
// tokens for the decode rate to dominate TTFT, few enough that 6 x 5 runs end
// in minutes.
constexpr std::array<BuiltinPrompt, 6> kPrompts{{
    {"memory_sequential", "Memory bandwidth, TLB efficiency",
     "Count from 1 to 20, writing each number as a word on its own line, then count back down "
     "from 20 to 1 the same way.",
     128},
    {"cache_loops", "CPU cache efficiency",
     "Repeat the sentence \"The quick brown fox jumps over the lazy dog.\" ten times, numbering "
     "each repetition.",
     128},
    {"compute_arithmetic", "Raw compute performance",
     "Calculate step by step: 17 multiplied by 23, then add 156, then divide by 7, then subtract "
     "the square of 9. Show every intermediate result.",
     128},
    {"memory_structured", "Memory allocation patterns",
     "Generate a JSON array of 5 objects describing fictional employees. Each object has the keys "
     "\"id\", \"name\", \"department\", \"salary\" and \"skills\" (an array of three strings).",
     192},
    {"throughput_sustained", "Sustained generation speed",
     "List 30 different fruits, one per line, each followed by a short description of its taste "
     "and color.",
     256},
    {"memory_bandwidth", "Large memory transfers",
     "Write a detailed, continuous essay about the history of computing, from mechanical "
     "calculators to modern processors, covering at least ten distinct milestones in order.",
     384},
}};
}  // namespace

std::span<const BuiltinPrompt> builtin_prompts() noexcept { return kPrompts; }

const BuiltinPrompt* find_builtin_prompt(std::string_view key) noexcept {
  for (const auto& p : kPrompts) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

std::string builtin_prompt_keys() {
  std::string s;
  for (const auto& p : kPrompts) {
    if (!s.empty()) s += ", ";
    s += p.key;
  }
  return s;
}

}  // namespace llmbench
