#pragma once
// Byte-level pieces of llama-server's responses: header blocks in its exact
// order, chunked framing, numbers printed the way nlohmann::json prints them,
// and error bodies. Everything appends to a caller-owned buffer, so a stream
// reuses one buffer for all its tokens.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace llmbench::mock::wire {

// What llama-server b10587 reports as system_fingerprint / build_info.
inline constexpr std::string_view kFingerprint = "b10587-3f545becc";
inline constexpr std::string_view kDoneChunk = "e\r\ndata: [DONE]\n\n\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

std::string_view status_text(int status) noexcept;

// How a head ends: llama-server puts `Keep-Alive: timeout=5, max=100` on 2xx
// JSON and streams, and `Connection: close` on errors (while, in fact, keeping
// the connection open). `close` is also used when this response is the last on
// the connection.
struct HeadOptions {
  std::string_view origin;          // echoed in Access-Control-Allow-Origin
  std::string_view keep_alive;      // "timeout=5, max=100"
  bool connection_close = false;
  std::string_view extra_headers;   // whole lines ("Name: value\r\n"), after the CORS line
};

// HTTP/1.1 <status>, Server, Access-Control-Allow-Origin, [extra],
// Content-Type, Content-Length, Keep-Alive | Connection: close.
void append_head(std::string& out, int status, std::string_view content_type, std::size_t content_length,
                 const HeadOptions& o);
inline constexpr std::string_view kJsonType = "application/json; charset=utf-8";
inline constexpr std::string_view kMetricsType = "text/plain; version=0.0.4";

// A stream's head: X-Accel-Buffering, text/event-stream, chunked, Keep-Alive.
void append_stream_head(std::string& out, const HeadOptions& o);

// "<lowercase hex size>\r\n<payload>\r\n".
void append_chunk(std::string& out, std::string_view payload);

void append_int(std::string& out, std::int64_t v);
// Shortest round-trip form, with ".0" on integral values (nlohmann's style).
void append_double(std::string& out, double v);
// Like %g with 6 significant digits (llama-server's /metrics values).
void append_metric_double(std::string& out, double v);

// {"error":{"code":N,"message":"...","type":"..."}} — llama-server's order for
// errors raised while handling a request.
void append_error_body(std::string& out, int code, std::string_view message, std::string_view type);
// {"error":{"message":"...","type":"...","code":N}} — its order for errors
// from the HTTP layer (404, 503 while loading).
void append_http_error_body(std::string& out, int code, std::string_view message, std::string_view type);

}  // namespace llmbench::mock::wire
