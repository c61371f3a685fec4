#pragma once
// Prompts from files: JSON Lines ({"prompt": ..., "max_tokens": N} or
// {"messages": [...], "tools": [...]}, whose messages may carry content parts
// such as images and tool calls, passed through unchanged) and the ShareGPT
// JSON layout (an array of
// {"conversations": [{"from": "human", "value": ...}, {"from": "gpt", ...}]}).
#include <cstdint>
#include <string>
#include <vector>

#include "llmbench/protocol/api.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench {

struct DatasetEntry {
  std::string prompt;                           // for completions/native, and chat without messages
  std::vector<protocol::ChatMessage> messages;  // chat turns when the file gives them
  int max_tokens = 0;                           // 0: not given
  std::uint32_t reference_output_chars = 0;     // ShareGPT: the recorded reply's length
  std::vector<std::string> later_turns;         // ShareGPT: the human turns after the first reply (--turns)
  // JSON Lines: the row's "tools" and "tool_choice" as JSON (minified), passed
  // through to chat requests unchanged; empty when the row has none.
  std::string tools_json;
  std::string tool_choice_json;
};

struct DatasetLimits {
  std::uint64_t max_file_bytes = 2ull << 30;  // refuse larger files outright
  std::size_t max_entries = 1'000'000;        // keep at most this many prompts
};

// Loads a dataset. An error is one line naming the file (and line for JSON
// Lines), the field and what was expected.
Expected<std::vector<DatasetEntry>> load_dataset(const std::string& path, const DatasetLimits& limits = {});

}  // namespace llmbench
