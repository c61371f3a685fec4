#pragma once
// The bodies of completion responses, streamed and not, in llama-server's
// exact key order (see tests/fixtures/llama-server/README.md, "Streaming
// format" and "Non-streamed bodies").
//
// A stream builds its per-request constants (id, created, model) into one
// tail string when it starts; every token event is then a fixed prefix, the
// piece's pre-escaped text and that tail, framed as one HTTP chunk in buffers
// the stream reuses, so the token path neither allocates nor escapes.
#include <cstdint>
#include <string>
#include <string_view>

#include "llmbench/mock/text.hpp"

namespace llmbench::mock {

enum class Api : std::uint8_t {
  chat,         // POST /v1/chat/completions
  completions,  // POST /v1/completions
  native,       // POST /completion
};

// What happened to one request, as llama-server's `timings` reports it.
struct Timings {
  int cache_n = 0;
  int prompt_n = 0;
  double prompt_ms = 0;     // slot pick to first token
  int predicted_n = 0;
  double predicted_ms = 0;  // first token to last token
};

// Request values the native API echoes in `generation_settings`.
struct SettingsEcho {
  std::int64_t seed = 4294967295;  // llama-server's "unset" (LLAMA_DEFAULT_SEED)
  double temperature = 0.800000011920929;
  int n_predict = -1;
  bool ignore_eos = false;
  bool stream = false;
};

// The end of a generation.
struct Outcome {
  int prompt_tokens = 0;
  int completion_tokens = 0;
  bool truncated = false;      // stopped by the slot's context, not by max_tokens
  bool eos = false;            // the model's own stop (end-of-sequence): finish_reason "stop", stop_type "eos"
  bool has_new_line = false;
  int slot_id = 0;
  Timings timings;
  bool include_usage = false;  // chat streams: stream_options.include_usage
};

void append_timings(std::string& out, const Timings& t);
void append_usage(std::string& out, int completion_tokens, int prompt_tokens, int cached_tokens);
// The native API's `generation_settings` object.
void append_generation_settings(std::string& out, const SettingsEcho& s);

// Per-request constants plus the native API's echo.
struct Envelope {
  Api api = Api::chat;
  std::string id;            // "chatcmpl-" + 32 alphanumerics
  std::int64_t created = 0;  // unix seconds
  std::string_view model;
  std::string_view prompt;   // native: the prompt text, echoed as "<s> " + prompt
  int prompt_tokens = 0;     // native: `tokens_evaluated` of every event
  SettingsEcho settings;
  bool stamp = false;        // MockConfig::stamp: token events carry "stamp_ns"
  int reasoning_tokens = 0;  // MockConfig::reasoning_tokens: chat streams' first N tokens are reasoning_content
  // Chat and completions token events carry `usage` with the tokens so far
  // (continuous_usage_stats asked, and MockConfig::continuous_usage on).
  bool usage_every_event = false;
  int cached_tokens = 0;     // that usage's prompt_tokens_details.cached_tokens
  // MockConfig::tool_calls and a chat request with tools: the reply calls
  // `tool_name` with arguments {"text": <the generated text>}, streamed as
  // tool_calls deltas; the last of its `n_tokens` tokens closes them.
  bool tool_call = false;
  std::string_view tool_name;
  int n_tokens = 0;
};

class EventEncoder {
 public:
  explicit EventEncoder(const Envelope& env);

  // Appends one token's HTTP chunk; the first chat chunk also carries the
  // role event. `index` is 0-based: the event's first token; `so_far` the
  // tokens generated with this event's (its usage, when sent).
  void token_chunk(std::string& out, const Piece& piece, int index, int so_far);
  // The final event(s) as one chunk, then [DONE] (not native) and the
  // terminating zero-size chunk.
  void final_chunks(std::string& out, const Outcome& o);
  // An event whose JSON is cut short (fault `bad_json_event`).
  void broken_event_chunk(std::string& out);
  // A valid token event carrying `bytes` bytes of text (fault `huge_event`).
  void huge_event_chunk(std::string& out, std::size_t bytes);
  // The error event llama-server sends when generation fails mid-stream.
  void error_event_chunk(std::string& out);
  // The message of that error for this endpoint.
  [[nodiscard]] std::string_view output_error_message() const noexcept;

  // Non-streamed body; `content_json` is the generated text, JSON-escaped.
  void body(std::string& out, std::string_view content_json, const Outcome& o) const;

 private:
  void token_event(std::string& out, std::string_view json_text, int index, std::int32_t id, int so_far) const;
  void chat_final(std::string& out, const Outcome& o) const;
  void native_final(std::string& out, const Outcome& o, std::string_view content_json) const;
  void completions_final(std::string& out, const Outcome& o, std::string_view content_json) const;
  void tool_call_event(std::string& out, std::string_view json_text, int index, int so_far) const;
  void append_arguments(std::string& out, std::string_view inner_json) const;

  const Envelope& env_;
  std::string stream_tail_;  // chat/completions: the keys after "choices" in every stream event
  std::string event_;        // scratch, reused for every event
  mutable std::string args_;  // scratch: a tool call's arguments before they are escaped again
};

}  // namespace llmbench::mock
