#pragma once
// Decodes one streamed event (or one whole non-streamed body) of any flavour.
//
// Flavour-agnostic on purpose: the keys that matter do not collide between
// OpenAI chat, OpenAI completions and llama.cpp's native API, so one walk over
// the top-level object serves all three, reading each field once in document
// order (simdjson on-demand). Only what the benchmark needs is extracted:
// whether generated content arrived, end markers, usage, llama.cpp timings and
// error objects. Text is never unescaped except for error messages.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "llmbench/record/record.hpp"

namespace llmbench::protocol {

struct EventInfo {
  bool done_marker = false;          // the `[DONE]` sentinel
  bool native_stop = false;          // llama.cpp /completion: "stop": true
  bool finish_reason = false;        // some choice carried a non-null finish_reason
  std::uint32_t content_pieces = 0;  // choices (or native content) carrying generated text
  // What kind of text those pieces were (a choice may carry both): reasoning
  // (`reasoning_content` / `reasoning`: llama-server --reasoning-format,
  // vLLM, DeepSeek) or visible output (`content`, completions `text`, native
  // `content`, tool calls). Their sum can exceed content_pieces.
  std::uint32_t reasoning_pieces = 0;
  std::uint32_t output_pieces = 0;
  bool has_usage = false;
  std::uint32_t completion_tokens = 0;
  std::uint32_t prompt_tokens = 0;
  std::int32_t reasoning_tokens = -1;  // usage.completion_tokens_details.reasoning_tokens; -1: not sent
  std::int32_t cached_tokens = -1;     // usage.prompt_tokens_details.cached_tokens; -1: not sent
  bool has_native_counts = false;    // native: tokens_predicted / tokens_evaluated
  std::uint32_t tokens_predicted = 0;
  std::uint32_t tokens_evaluated = 0;
  ServerTimings timings;             // timings.present when the event had them
  bool is_error = false;
  int error_code = 0;
  std::string_view error_message;  // valid until the next decode()
  // A top-level "stamp_ns" (non-negative integer): the send time that
  // bench/llmbench_bench_server --stamp puts in every event, for --stamp-lag.
  std::int64_t stamp_ns = -1;
  // How the reply ended: a choice's finish_reason, or native "stop_type";
  // native "truncated": true (the context filled up); the top-level "model"
  // (valid until the next decode(); never set on a template match).
  FinishReason finish = FinishReason::unknown;
  bool truncated = false;
  std::string_view model;
  // The bodies of the endpoints that generate nothing: how many elements the
  // top-level `data` (embeddings: objects with an `embedding` array) and
  // `results` (rerank: objects with a numeric `relevance_score`) arrays had;
  // -1: no such array. An element without its vector or score is a protocol
  // error (invalid_json with a message), as a missing array is for the caller.
  std::int32_t embeddings = -1;
  std::int32_t scores = -1;
  // The event's one visible output string as it is in the JSON, escapes
  // kept (a session's reply is spliced into its next request this way,
  // never unescaped); empty when the event has none, or several. Valid
  // until the next decode().
  std::string_view output_raw;
  // Choices whose delta (or message) carried a non-empty `tool_calls`: part
  // of content_pieces and output_pieces, counted apart too.
  std::uint32_t tool_call_pieces = 0;

  void clear() noexcept { *this = EventInfo{}; }
};

enum class DecodeStatus : std::uint8_t { ok, invalid_json };

// The last plain content event of one stream, cut around its one content
// string. A stream's events usually differ only in that string (and, once a
// second, in llama.cpp's "created"): an event whose bytes equal the prefix and
// the suffix, with a valid JSON string body between them, has the same
// structure and so decodes to the same EventInfo except for whether the
// string is empty. Two memcmps instead of a parse. One per stream; its
// buffers are reused, so it allocates only while growing.
struct EventTemplate {
  std::string prefix;  // the event up to and including the string's opening quote
  std::string suffix;  // from the string's closing quote to the end
  EventInfo info;      // what the event decoded to (content_pieces == 1)
  bool valid = false;
  std::uint32_t misses = 0;  // full decodes since the last match
  std::uint64_t hits = 0;
};

class EventDecoder {
 public:
  EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // `readable_after`: how many bytes past json's end may be read. With fewer
  // than simdjson's padding the bytes are first copied into a padded scratch.
  // With `tpl` (one per stream), an event matching it is decoded from it, and
  // a full decode of a plain content event refreshes it.
  DecodeStatus decode(std::string_view json, std::size_t readable_after, EventInfo& out,
                      EventTemplate* tpl = nullptr) noexcept;
  DecodeStatus decode(std::string_view json, EventInfo& out) noexcept { return decode(json, 0, out); }

  // What was wrong with the last invalid input.
  [[nodiscard]] std::string_view error() const noexcept { return error_; }

 private:
  const char* padded(std::string_view json, std::size_t readable_after, std::size_t& capacity);
  simdjson::error_code read_error(simdjson::ondemand::value v, EventInfo& out) noexcept;

  simdjson::ondemand::parser parser_;
  std::string scratch_;
  std::string message_;  // owned copy of an error message
  std::string_view error_;
};

}  // namespace llmbench::protocol
