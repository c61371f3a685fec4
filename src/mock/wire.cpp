#include "llmbench/mock/wire.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "llmbench/util/json_escape.hpp"

namespace llmbench::mock::wire {

using util::append_json_string;

std::string_view status_text(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

namespace {
void append_status_line(std::string& out, int status) {
  out += "HTTP/1.1 ";
  append_int(out, status);
  out += ' ';
  out += status_text(status);
  out += "\r\n";
}

void append_common(std::string& out, int status, const HeadOptions& o) {
  append_status_line(out, status);
  out += "Server: llama.cpp\r\nAccess-Control-Allow-Origin: ";
  out += o.origin;
  out += "\r\n";
  out += o.extra_headers;
}

void append_persistence(std::string& out, const HeadOptions& o) {
  if (o.connection_close) {
    out += "Connection: close\r\n\r\n";
    return;
  }
  out += "Keep-Alive: ";
  out += o.keep_alive;
  out += "\r\n\r\n";
}
}  // namespace

void append_head(std::string& out, int status, std::string_view content_type, std::size_t content_length,
                 const HeadOptions& o) {
  append_common(out, status, o);
  out += "Content-Type: ";
  out += content_type;
  out += "\r\nContent-Length: ";
  append_int(out, static_cast<std::int64_t>(content_length));
  out += "\r\n";
  append_persistence(out, o);
}

void append_stream_head(std::string& out, const HeadOptions& o) {
  append_common(out, 200, o);
  out += "X-Accel-Buffering: no\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n";
  append_persistence(out, o);
}

void append_chunk(std::string& out, std::string_view payload) {
  std::array<char, 16> hex{};
  const auto r = std::to_chars(hex.data(), hex.data() + hex.size(), payload.size(), 16);
  out.append(hex.data(), r.ptr);
  out += "\r\n";
  out += payload;
  out += "\r\n";
}

void append_int(std::string& out, std::int64_t v) {
  std::array<char, 24> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), r.ptr);
}

void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";  // nlohmann prints NaN and infinities as null
    return;
  }
  std::array<char, 32> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  const std::string_view s(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()));
  out += s;
  if (s.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void append_metric_double(std::string& out, double v) {
  std::array<char, 32> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%g", v);
  if (n > 0) out.append(buf.data(), static_cast<std::size_t>(n));
}

void append_error_body(std::string& out, int code, std::string_view message, std::string_view type) {
  out += R"({"error":{"code":)";
  append_int(out, code);
  out += R"(,"message":)";
  append_json_string(out, message);
  out += R"(,"type":)";
  append_json_string(out, type);
  out += "}}";
}

void append_http_error_body(std::string& out, int code, std::string_view message, std::string_view type) {
  out += R"({"error":{"message":)";
  append_json_string(out, message);
  out += R"(,"type":)";
  append_json_string(out, type);
  out += R"(,"code":)";
  append_int(out, code);
  out += "}}";
}

}  // namespace llmbench::mock::wire
