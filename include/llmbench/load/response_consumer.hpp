#pragma once
// Turns the bytes of one response into one RequestRecord.
//
// This is the whole per-read path short of the socket: HTTP parsing (llhttp),
// SSE framing, event decoding and the timing rules, fed one socket read at a
// time with the timestamp taken when that read completed. It owns no socket,
// so tests drive it with captured bytes split anywhere.
//
// Timing rules (DESIGN.md): every event decoded from one read shares that
// read's timestamp. TTFT ends at the first event that carries generated
// content (reasoning included); TTFO at the first event with visible output
// (content, not reasoning). A role-only event, an empty `content`, usage and
// [DONE] are not tokens. E2E ends at the read that completed the response.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/http/response_parser.hpp"
#include "llmbench/protocol/api.hpp"
#include "llmbench/protocol/event_decoder.hpp"
#include "llmbench/record/record.hpp"
#include "llmbench/sse/framer.hpp"

namespace llmbench {

enum class ConsumeState : std::uint8_t { need_more, done };

// What one read contributed (the same figures go into its token_read sample).
struct ReadTokens {
  std::uint32_t content_events = 0;  // content events decoded from this read
  std::int64_t gap_ns = -1;          // from the previous token read; -1 if none before
};

class ResponseConsumer {
 public:
  ResponseConsumer(protocol::EventDecoder& decoder, std::size_t max_event_bytes);
  ResponseConsumer(const ResponseConsumer&) = delete;
  ResponseConsumer& operator=(const ResponseConsumer&) = delete;

  // Where this consumer's stream samples go (the request path's staging
  // area, flushed into the worker's ring when the request ends): one
  // token_read sample per read that carried content events — the one place
  // an inter-token gap is measured — and, with `delivery_lag` (--stamp-lag),
  // one delivery_lag sample per event with a "stamp_ns" (the server's
  // CLOCK_MONOTONIC send time): its read's timestamp minus that stamp, how
  // late the timestamps llmbench takes are. Null: no samples (tests).
  void stage_samples(std::vector<StreamSample>* out, bool delivery_lag) noexcept;

  // Starts a response for `rec` (whose ids and send times are already set).
  // `flavor` says what a successful body must hold: embeddings and rerank
  // answer with one JSON body of vectors or scores and generate no tokens.
  void start(RequestRecord& rec, bool stream, protocol::ApiFlavor flavor = protocol::ApiFlavor::chat) noexcept;

  // A session's turn (load/session.hpp): the reply's visible output, as the
  // events' raw JSON string bodies, is appended to `out` (cleared by start(),
  // capped at kMaxReplyBytes; its capacity is kept, so nothing is allocated
  // per token once it has grown). Null: nothing is captured.
  void capture_reply(std::string* out) noexcept { reply_ = out; }

  // One socket read. `readable_limit` bounds the memory the bytes sit in (for
  // zero-copy JSON parsing); t_ns is the read's timestamp (the kernel's
  // receive time when it had one); user_ns the clock read after the read
  // returned, kept in the read's samples beside t_ns (-1: t_ns is that).
  ConsumeState on_read(std::string_view bytes, const char* readable_limit, std::int64_t t_ns,
                       ReadTokens& tokens, std::int64_t user_ns = -1);
  ConsumeState on_read(std::string_view bytes, std::int64_t t_ns, ReadTokens& tokens) {
    return on_read(bytes, bytes.data() + bytes.size(), t_ns, tokens);
  }
  // The peer closed the connection (orderly EOF).
  ConsumeState on_eof(std::int64_t t_ns);
  // The connection failed (reset, timeout, cancel) before the response ended.
  void fail(ErrorKind kind, std::string_view message, std::int64_t t_ns) noexcept;

  [[nodiscard]] bool done() const noexcept { return done_; }
  // Nothing of a response arrived: the server closed a kept-alive connection
  // before reading our request, so it is safe to send it again elsewhere.
  [[nodiscard]] bool nothing_received() const noexcept { return !parser_.started(); }
  // The connection may carry another request.
  [[nodiscard]] bool reusable() const noexcept { return reusable_; }

  // Parser callbacks (public for ResponseParser's sake).
  void on_headers(const http::ResponseHead& head);
  bool on_body(std::string_view bytes);

 private:
  enum class BodyMode : std::uint8_t { sse, json, error };
  void on_event(const sse::Event& ev);
  void apply(const protocol::EventInfo& info);
  void complete(std::int64_t t_ns);
  void finish_error_body();
  void finish_json_body();
  void finish_retrieval_body();
  void set_error(ErrorKind kind, std::string_view message) noexcept;
  void settle_tokens() noexcept;
  void flag_empty();
  void settle_reasoning() noexcept;

  protocol::EventDecoder& decoder_;
  http::ResponseParser<ResponseConsumer> parser_;
  sse::Framer framer_;
  RequestRecord* rec_ = nullptr;
  std::string body_;  // JSON or error body, bounded by max_event_bytes
  std::size_t max_body_bytes_;
  protocol::EventInfo info_;
  protocol::EventTemplate template_;  // this stream's last plain content event
  BodyMode mode_ = BodyMode::sse;
  bool stream_ = true;
  protocol::ApiFlavor flavor_ = protocol::ApiFlavor::chat;
  bool saw_end_marker_ = false;
  bool done_ = false;
  bool reusable_ = false;
  // Per-read scratch, valid during on_read.
  std::int64_t now_ns_ = 0;
  std::int64_t user_ns_ = 0;
  std::uint32_t read_content_events_ = 0;
  std::uint32_t read_usage_tokens_ = 0;  // tokens this read's events' cumulative usage added
  const char* readable_limit_ = nullptr;
  bool has_usage_ = false;
  std::uint32_t usage_completion_ = 0;
  std::int32_t usage_reasoning_ = -1;  // usage's completion_tokens_details.reasoning_tokens
  std::uint32_t usage_so_far_ = 0;     // the last cumulative completion_tokens on a content event
  std::uint32_t native_predicted_ = 0;
  bool has_native_counts_ = false;
  void stage(SampleKind kind, std::int64_t value_ns, std::uint32_t count, bool first_token);

  std::vector<StreamSample>* samples_ = nullptr;
  std::string* reply_ = nullptr;
  bool delivery_lag_ = false;
  std::int64_t monotonic_offset_ns_ = 0;  // CLOCK_MONOTONIC at our clock's zero
};

}  // namespace llmbench
