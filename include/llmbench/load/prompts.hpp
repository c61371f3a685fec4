#pragma once
// The guide's six built-in prompts.
#include <span>
#include <string>
#include <string_view>

namespace llmbench {

struct BuiltinPrompt {
  std::string_view key;
  std::string_view tests;        // what the guide says it exercises
  std::string_view text;
  int max_tokens;                // fixed default: long enough to measure, short enough to be quick
};

std::span<const BuiltinPrompt> builtin_prompts() noexcept;
const BuiltinPrompt* find_builtin_prompt(std::string_view key) noexcept;
// "memory_sequential, cache_loops, ..." for error messages.
std::string builtin_prompt_keys();

}  // namespace llmbench
