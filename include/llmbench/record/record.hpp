#pragma once
// The fixed-size records that worker threads hand to the aggregator.
//
// Everything here is trivially copyable: a record is written once by the worker
// that ran the request and copied through an SpscRing. Times are integer
// nanoseconds from the run's start on the steady clock; -1 means "not reached".
#include <array>
#include <cstdint>
#include <string_view>

namespace llmbench {

// Why a request failed. One path classifies every failure (as wrk does), so a
// failed request is a record, never an exception.
enum class ErrorKind : std::uint8_t {
  none = 0,
  connect,      // could not open the TCP (or TLS) connection
  timeout,      // --timeout or the idle timeout expired
  http_4xx,     // status 400..499 except 429
  http_429,     // rate limited
  http_5xx,     // status >= 500
  protocol,     // malformed HTTP, SSE or JSON; wrong content type; oversized event
  reset,        // the peer reset the connection mid-response
  incomplete,   // the stream ended without its end marker
  error_event,  // the server sent an error object inside the stream
  empty,        // a complete reply without any generated content (content:"", no tool call)
  cancelled,    // still in flight when the run ended
  count_
};
inline constexpr std::size_t kErrorKindCount = static_cast<std::size_t>(ErrorKind::count_);

constexpr std::string_view to_string(ErrorKind k) noexcept {
  switch (k) {
    case ErrorKind::none: return "none";
    case ErrorKind::connect: return "connect";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::http_4xx: return "http_4xx";
    case ErrorKind::http_429: return "http_429";
    case ErrorKind::http_5xx: return "http_5xx";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::reset: return "reset";
    case ErrorKind::incomplete: return "incomplete";
    case ErrorKind::error_event: return "error_event";
    case ErrorKind::empty: return "empty";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::count_: break;
  }
  return "unknown";
}

// Where a request's completion-token count came from.
enum class TokenSource : std::uint8_t { events = 0, usage, timings };

constexpr std::string_view to_string(TokenSource s) noexcept {
  switch (s) {
    case TokenSource::events: return "events";
    case TokenSource::usage: return "usage";
    case TokenSource::timings: return "timings";
  }
  return "events";
}

// Why the server ended a reply, as its last event or body said: OpenAI's
// `finish_reason` or llama.cpp native's `stop_type`. `length` is a limit
// (max_tokens, or the context filling up); whether it came before the
// requested max_tokens is decided with the request's max_tokens
// (stats::truncated).
enum class FinishReason : std::uint8_t {
  unknown = 0,  // not said (yet)
  stop,         // the model's own stop: "stop", native "eos"/"word"
  length,       // "length", native "limit"
  other,        // "tool_calls", "content_filter", ...
};

constexpr std::string_view to_string(FinishReason f) noexcept {
  switch (f) {
    case FinishReason::unknown: return "unknown";
    case FinishReason::stop: return "stop";
    case FinishReason::length: return "length";
    case FinishReason::other: return "other";
  }
  return "unknown";
}

// Which window of a stage a request belongs to, decided by its intended start.
enum class Phase : std::uint8_t { warmup = 0, measured, cooldown };
inline constexpr std::size_t kPhaseCount = 3;

// llama.cpp's `timings` object, kept as the server's own view of the request.
struct ServerTimings {
  bool present = false;
  double cache_n = 0;
  double prompt_n = 0;
  double prompt_ms = 0;
  double prompt_per_token_ms = 0;
  double prompt_per_second = 0;
  double predicted_n = 0;
  double predicted_ms = 0;
  double predicted_per_token_ms = 0;
  double predicted_per_second = 0;
  double draft_n = -1;           // only with speculative decoding
  double draft_n_accepted = -1;  // only with speculative decoding
};

inline constexpr std::size_t kErrorMessageBytes = 160;
inline constexpr std::size_t kServedModelBytes = 96;

// One per request, written by the worker when the request ends.
struct RequestRecord {
  std::uint64_t request_id = 0;
  std::uint32_t stage = 0;
  std::uint32_t prompt = 0;  // index into the plan's prompt list
  Phase phase = Phase::measured;
  ErrorKind error = ErrorKind::none;
  TokenSource token_source = TokenSource::events;
  bool reused_connection = false;
  bool stream = true;
  std::uint16_t http_status = 0;
  FinishReason finish = FinishReason::unknown;
  bool context_truncated = false;  // llama.cpp native said "truncated": true (the context filled up)

  std::int64_t intended_ns = -1;     // when the schedule wanted it sent
  std::int64_t start_ns = -1;        // when the request path picked it up
  std::int64_t connect_ns = 0;       // time spent connecting (0 on a reused connection)
  std::int64_t turnaround_ns = -1;   // closed loop: this client's previous response end -> this start
  std::int64_t sent_ns = -1;         // first byte written
  std::int64_t first_byte_ns = -1;   // read that carried the response's first byte (TTFB)
  std::int64_t headers_ns = -1;      // read that completed the response headers
  std::int64_t first_token_ns = -1;  // read that carried the first content event (reasoning included)
  std::int64_t first_output_ns = -1; // read that carried the first visible output (content, not reasoning)
  std::int64_t last_token_ns = -1;   // read that carried the last content event
  std::int64_t end_ns = -1;          // read that completed the response (or the failure)

  std::uint32_t completion_tokens = 0;  // per token_source
  std::uint32_t prompt_tokens = 0;      // 0 when the server did not say
  std::uint32_t content_events = 0;     // events that carried generated content
  std::uint32_t reasoning_events = 0;   // ... of which reasoning (reasoning_content / reasoning)
  std::uint32_t output_events = 0;      // ... of which visible output (content, text, tool calls)
  std::uint32_t reasoning_tokens = 0;   // usage's reasoning_tokens, else completion_tokens spread over the events
  std::int32_t cached_tokens = -1;      // usage.prompt_tokens_details.cached_tokens; -1: not sent
  std::uint32_t events = 0;             // all SSE events, including role/usage/[DONE]
  // stream_options.continuous_usage_stats (vLLM, SGLang): content events
  // that carried a cumulative `usage`, and the tokens those counts added up.
  std::uint32_t usage_events = 0;
  std::uint32_t usage_event_tokens = 0;
  std::uint32_t retry_after_s = 0;      // from a 429/503 Retry-After header
  // Multi-turn sessions (--turns): which session (the ticket that began it)
  // and which of its turns, from 1; 0 outside a session.
  std::uint32_t session = 0;
  std::uint16_t turn = 0;

  ServerTimings timings;
  std::array<char, kErrorMessageBytes> error_message{};  // NUL-terminated, truncated
  // The response's own "model" (the first event that carried one), which may
  // differ from the one asked for: NUL-terminated, truncated.
  std::array<char, kServedModelBytes> served_model{};
  // Events that carried a tool call (`tool_calls` deltas, or a message with
  // them): counted in content_events and output_events too, and apart here.
  std::uint32_t tool_call_events = 0;

  [[nodiscard]] bool ok() const noexcept { return error == ErrorKind::none; }
  // Every content event said how many tokens it carried (usage in each), and
  // they add up to the count of record: each read's tokens are known exactly,
  // not spread evenly over the events.
  [[nodiscard]] bool tokens_known_per_event() const noexcept {
    return content_events > 0 && usage_events == content_events && token_source == TokenSource::usage &&
           usage_event_tokens == completion_tokens;
  }
  [[nodiscard]] std::string_view message() const noexcept {
    return std::string_view(error_message.data());
  }
  void set_message(std::string_view m) noexcept;
  [[nodiscard]] std::string_view model() const noexcept { return std::string_view(served_model.data()); }
  void set_model(std::string_view m) noexcept;
};

inline void RequestRecord::set_message(std::string_view m) noexcept {
  const std::size_t n = m.size() < kErrorMessageBytes - 1 ? m.size() : kErrorMessageBytes - 1;
  for (std::size_t i = 0; i < n; ++i) error_message[i] = m[i];
  error_message[n] = '\0';
}

inline void RequestRecord::set_model(std::string_view m) noexcept {
  const std::size_t n = m.size() < kServedModelBytes - 1 ? m.size() : kServedModelBytes - 1;
  for (std::size_t i = 0; i < n; ++i) served_model[i] = m[i];
  served_model[n] = '\0';
}

// What a stream sends besides its one RequestRecord, through the same ring,
// so that every statistic reaches the aggregator by one route.
enum class SampleKind : std::uint8_t {
  // A socket read that carried content events. Events decoded from one read
  // share its timestamp: `count` events, the first `value_ns` after the
  // request's previous token read (-1: it carried the request's first
  // token), the others 0 after it. Sent when the request has ended, when its
  // token count is known: `tokens` is this read's share of it, and `ok`
  // says whether the request succeeded (ITL covers the same requests as
  // TTFT; throughput counts every token that arrived).
  token_read = 0,
  // --stamp-lag: one stamped event's delivery lag (read timestamp minus the
  // server's stamp_ns), every event of every request. `first_token` marks a
  // response's first content event.
  delivery_lag,
};

struct StreamSample {
  std::uint32_t stage = 0;
  std::uint32_t prompt = 0;
  Phase phase = Phase::measured;
  SampleKind kind = SampleKind::token_read;
  bool first_token = false;
  bool ok = false;             // the request succeeded (set when it has ended)
  std::uint32_t count = 0;
  double tokens = 0;           // token_read: the tokens these events carried
  std::int64_t t_ns = -1;      // the read's timestamp (the kernel's receive time when it had one)
  std::int64_t user_ns = -1;   // the clock read after that read returned: user_ns - t_ns is the client's lag
  std::int64_t value_ns = -1;  // token_read: gap from the previous token read; delivery_lag: the lag
};

}  // namespace llmbench
