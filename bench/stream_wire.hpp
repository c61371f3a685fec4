#pragma once
// The bench server's bytes: just enough HTTP/1.1 request reading, and the
// responses and SSE chunks shaped like llama.cpp's `llama-server`. Pure
// functions of their arguments, appending to a caller's buffer, so that the
// server's event loop owns every socket and every allocation.
#include <strings.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace bench_wire {

// Every event's fields after "created", as llama-server orders them.
constexpr std::string_view kEventTail = ",\"id\":\"chatcmpl-x\",\"model\":\"bench-model\",\"object\":\"chat.completion.chunk\"";

// The value of header `name` in a request head (request line included), or
// an empty view when it is absent.
inline std::string_view header_value(std::string_view head, std::string_view name) {
  for (std::size_t pos = head.find("\r\n"); pos != std::string_view::npos; pos = head.find("\r\n", pos + 2)) {
    std::string_view line = head.substr(pos + 2);
    line = line.substr(0, line.find("\r\n"));
    if (line.size() <= name.size() || line[name.size()] != ':') continue;
    if (strncasecmp(line.data(), name.data(), name.size()) != 0) continue;
    std::string_view v = line.substr(name.size() + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    return v;
  }
  return {};
}

inline std::size_t content_length(std::string_view head) {
  const std::string_view v = header_value(head, "Content-Length");
  std::size_t n = 0;
  std::from_chars(v.data(), v.data() + v.size(), n);
  return n;
}

inline bool wants_close(std::string_view head) {
  const std::string_view v = header_value(head, "Connection");
  return v.size() >= 5 && strncasecmp(v.data(), "close", 5) == 0;
}

// A whole response with a JSON body.
inline void append_json_response(std::string& out, std::string_view status, std::string_view body, bool close) {
  char len[24];
  const auto r = std::to_chars(len, len + sizeof len, body.size());
  out.append("HTTP/1.1 ").append(status).append("\r\nContent-Type: application/json\r\nContent-Length: ");
  out.append(len, r.ptr).append(close ? "\r\nConnection: close\r\n\r\n" : "\r\nConnection: keep-alive\r\n\r\n");
  out.append(body);
}

// A request body that asks for one JSON answer ("stream":false, the way
// llmbench --no-stream writes it).
inline bool wants_no_stream(std::string_view body) { return body.find("\"stream\":false") != std::string_view::npos; }

// The non-streaming answer: `tokens` tokens of content at once, with usage.
inline void append_completion_response(std::string& out, std::int64_t created_s, std::uint32_t tokens,
                                       std::uint32_t prompt_tokens, bool close) {
  std::string body = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":\"";
  for (std::uint32_t i = 0; i < tokens; ++i) body += " tok";
  char tail[256];
  std::snprintf(tail, sizeof tail,
                "\"}}],\"created\":%lld,\"id\":\"chatcmpl-x\",\"model\":\"bench-model\",\"object\":\"chat.completion\","
                "\"usage\":{\"completion_tokens\":%u,\"prompt_tokens\":%u,\"total_tokens\":%u}}",
                static_cast<long long>(created_s), tokens, prompt_tokens, tokens + prompt_tokens);
  body += tail;
  append_json_response(out, "200 OK", body, close);
}

inline void append_stream_head(std::string& out, bool close) {
  out.append(
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
      "Transfer-Encoding: chunked\r\n");
  out.append(close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n");
}

// A content event up to, not including, its closing brace: the same bytes for
// every token of one response, so they are built once per request.
inline void assign_event_head(std::string& head, std::int64_t created_s) {
  head.assign(R"(data: {"choices":[{"index":0,"delta":{"content":"tok"},"finish_reason":null}],"created":)");
  head.append(std::to_string(created_s)).append(kEventTail);
}

inline void append_chunk_size(std::string& out, std::size_t n) {
  char buf[20];
  const auto r = std::to_chars(buf, buf + sizeof buf, n, 16);
  out.append(buf, r.ptr).append("\r\n");
}

// One chunk of k content events; with `stamp`, each carries "stamp_ns".
inline void append_event_chunk(std::string& out, std::string_view head, std::uint32_t k, bool stamp,
                               std::int64_t stamp_ns) {
  char tail[48];
  std::size_t tail_len = 0;
  if (stamp) {
    std::memcpy(tail, ",\"stamp_ns\":", 12);
    tail_len = static_cast<std::size_t>(std::to_chars(tail + 12, tail + sizeof tail, stamp_ns).ptr - tail);
  }
  std::memcpy(tail + tail_len, "}\n\n", 3);
  tail_len += 3;
  append_chunk_size(out, k * (head.size() + tail_len));
  for (std::uint32_t i = 0; i < k; ++i) out.append(head).append(tail, tail_len);
  out.append("\r\n");
}

// The stop event with usage, "data: [DONE]", and the zero chunk.
inline void append_end_chunks(std::string& out, std::int64_t created_s, std::uint32_t completion_tokens,
                              std::uint32_t prompt_tokens, bool stamp, std::int64_t stamp_ns) {
  char ev[512];
  int len = std::snprintf(ev, sizeof ev,
                          "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"created\":%lld%s,"
                          "\"usage\":{\"completion_tokens\":%u,\"prompt_tokens\":%u,\"total_tokens\":%u}",
                          static_cast<long long>(created_s), kEventTail.data(), completion_tokens, prompt_tokens,
                          completion_tokens + prompt_tokens);
  if (stamp) {
    len += std::snprintf(ev + len, sizeof ev - static_cast<std::size_t>(len), ",\"stamp_ns\":%lld",
                         static_cast<long long>(stamp_ns));
  }
  len += std::snprintf(ev + len, sizeof ev - static_cast<std::size_t>(len), "}\n\ndata: [DONE]\n\n");
  append_chunk_size(out, static_cast<std::size_t>(len));
  out.append(ev, static_cast<std::size_t>(len)).append("\r\n0\r\n\r\n");
}

}  // namespace bench_wire
