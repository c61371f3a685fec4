#pragma once
// Reading a completion request body the way llama-server does: which fields
// count, their defaults, and the errors (with llama-server's status, type and
// message) for a body it would reject.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/mock/events.hpp"

namespace llmbench::mock {

// ChatML around each message ("<|im_start|>role\n ... <|im_end|>\n") and the
// assistant primer at the end, in toy tokens; plus BOS for every prompt.
inline constexpr int kChatTokensPerMessage = 4;
inline constexpr int kChatPrimerTokens = 3;
inline constexpr std::int32_t kImStartId = kVocabSize;      // <|im_start|>
inline constexpr std::int32_t kImEndId = kVocabSize + 1;    // <|im_end|>

struct CompletionRequest {
  Api api = Api::chat;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  bool continuous_usage = false;  // stream_options.continuous_usage_stats (vLLM, SGLang)
  int max_tokens = -1;         // n_predict / max_tokens / max_completion_tokens; -1 when absent
  int prompt_tokens = 0;       // toy-tokenizer count, BOS and chat template included
  // The prompt's token ids as the slot would hold them (prompt_tokens of
  // them): what the prompt cache compares with a slot's last prompt.
  std::vector<std::int32_t> prompt_ids;
  bool cache_prompt = true;    // llama-server's per-request switch (default true)
  std::optional<std::int64_t> seed;
  double temperature = 0.800000011920929;  // accepted, echoed, otherwise ignored
  bool ignore_eos = false;                  // the mock stops early only with eos_after_tokens (or empty_reply)
  std::string prompt;          // native only: the prompt text, echoed in the final event
  std::string model;           // the request's "model" ("" when absent): a router routes by it
  bool has_tools = false;      // a non-empty "tools" array
  std::string tool_name;       // its first tool's function.name ("" when it has none)
};

struct RequestError {
  int status = 400;
  std::string message;
  std::string_view type;
};

struct ParsedCompletion {
  CompletionRequest request;
  std::optional<RequestError> error;
};

// Parses `body` (the bytes after the HTTP head) for endpoint `api`.
ParsedCompletion parse_completion(Api api, std::string_view body);

// llama-server's message for a body that is not JSON (nlohmann's wording).
std::string json_parse_error_message(std::string_view body);

// Parsed /tokenize body.
struct TokenizeRequest {
  std::string content;
  bool with_pieces = false;
  bool add_special = false;
  bool parse_special = true;  // llama-server's default: "<|im_start|>" is one token
  std::optional<RequestError> error;
};
TokenizeRequest parse_tokenize(std::string_view body);

// POST /apply-template: the messages rendered with the chat template
// (ChatML, as read_messages counts it), ending in the assistant primer.
struct ApplyTemplateRequest {
  std::string prompt;
  std::optional<RequestError> error;
};
ApplyTemplateRequest parse_apply_template(std::string_view body);

}  // namespace llmbench::mock
