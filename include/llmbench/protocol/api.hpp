#pragma once
// The API flavours llmbench speaks, and the request bodies for each.
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
  embeddings,   // POST /v1/embeddings (OpenAI): one vector per input, no generation
  rerank,       // POST /v1/rerank (llama-server, Jina/Cohere shape): one score per document
};

// Whether the endpoint generates tokens. The two that do not (embeddings,
// rerank) answer with one JSON body: no stream, no TTFT/ITL/TPOT, no output
// tokens; their figures are E2E, requests/s and input tokens/s.
constexpr bool generates(ApiFlavor f) noexcept { return f != ApiFlavor::embeddings && f != ApiFlavor::rerank; }

std::string_view to_string(ApiFlavor f) noexcept;
std::optional<ApiFlavor> parse_flavor(std::string_view name) noexcept;
std::string_view default_path(ApiFlavor f) noexcept;

struct ChatMessage {
  std::string role;
  std::string content;
  // The message as a dataset gave it (minified) when it is more than a role
  // and one string of content: content parts (text, image_url with a URL or
  // base64 data), tool_calls, tool_call_id. Sent as it is; `content` then
  // holds its text parts, for the flavours that send one prompt.
  std::string raw_json{};
};

// What one request asks for; turned into a JSON body once per prompt.
struct GenerationRequest {
  ApiFlavor flavor = ApiFlavor::chat;
  std::string model;                  // omitted from the body when empty
  std::vector<ChatMessage> messages;  // chat; for the others joined into `prompt`
  std::string prompt;                 // completions/native/embeddings/rerank; chat sends it as one user message
  int max_tokens = 0;                 // 0: let the server decide
  bool stream = true;
  std::optional<double> temperature = 0.0;
  bool ignore_eos = false;            // llama.cpp/vLLM: generate exactly max_tokens
  std::optional<std::uint64_t> seed;
  std::optional<bool> cache_prompt;   // llama-server's prompt cache switch; nullopt: not sent
  // stream_options.continuous_usage_stats: vLLM and SGLang put `usage` in every
  // event, so each event's token count is known; llama-server ignores it.
  bool continuous_usage = false;
  // llama.cpp's native /completion names no model, except for a router
  // (llama-server's router mode), which picks the model by it.
  bool model_in_native = false;
  // Chat: a dataset row's "tools" and "tool_choice" (minified JSON), sent as
  // they are; empty: not sent.
  std::string tools_json;
  std::string tool_choice_json;
};

// The JSON body. Embeddings send the prompt as `input`; rerank sends a query
// and documents cut from the prompt (rerank_parts). Neither sends the
// generation fields (max_tokens, temperature, stream, ...). Streaming chat asks for usage in the last event
// (stream_options.include_usage), so the server's own token count is used.
std::string build_body(const GenerationRequest& req);

// A rerank request made from one prompt: the query is its first words (up
// to kRerankQueryWords), the documents are the whole prompt cut at word
// boundaries into up to kRerankDocuments parts of about equal length, so the
// server scores every prompt token once as a document (plus the query with
// each). A prompt of fewer words gives fewer documents, never an empty one.
inline constexpr std::size_t kRerankQueryWords = 12;
inline constexpr std::size_t kRerankDocuments = 4;
struct RerankParts {
  std::string query;
  std::vector<std::string> documents;
};
RerankParts rerank_parts(std::string_view prompt);

}  // namespace llmbench::protocol
