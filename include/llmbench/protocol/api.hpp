#pragma once
// The three API flavours llmbench speaks, and the request bodies for each.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmbench::protocol {

enum class ApiFlavor : std::uint8_t {
  chat,         // POST /v1/chat/completions (OpenAI chat)
  completions,  // POST /v1/completions (OpenAI legacy completions)
  native,       // POST /completion (llama.cpp's own API)
};

std::string_view to_string(ApiFlavor f) noexcept;
std::optional<ApiFlavor> parse_flavor(std::string_view name) noexcept;
std::string_view default_path(ApiFlavor f) noexcept;

struct ChatMessage {
  std::string role;
  std::string content;
};

// What one request asks for; turned into a JSON body once per prompt.
struct GenerationRequest {
  ApiFlavor flavor = ApiFlavor::chat;
  std::string model;                  // omitted from the body when empty
  std::vector<ChatMessage> messages;  // chat; for the others joined into `prompt`
  std::string prompt;                 // completions/native; chat sends it as one user message
  int max_tokens = 0;                 // 0: let the server decide
  bool stream = true;
  std::optional<double> temperature = 0.0;
  bool ignore_eos = false;            // llama.cpp/vLLM: generate exactly max_tokens
  std::optional<std::uint64_t> seed;
  std::optional<bool> cache_prompt;   // llama-server's prompt cache switch; nullopt: not sent
  // stream_options.continuous_usage_stats: vLLM and SGLang put `usage` in every
  // event, so each event's token count is known; llama-server ignores it.
  bool continuous_usage = false;
};

// The JSON body. Streaming chat asks for usage in the last event
// (stream_options.include_usage), so the server's own token count is used.
std::string build_body(const GenerationRequest& req);

}  // namespace llmbench::protocol
