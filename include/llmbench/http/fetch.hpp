#pragma once
// Blocking one-shot requests for the control plane: GET /v1/models, /health,
// /props, POST /tokenize. Never used on the measured path.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "llmbench/http/request.hpp"
#include "llmbench/http/url.hpp"

namespace asio::ssl {
class context;
}

namespace llmbench::http {

struct FetchResult {
  bool ok = false;          // a complete HTTP response arrived (any status)
  int status = 0;
  std::string body;         // de-chunked
  std::string content_type;
  std::string error;        // why !ok: "connection refused", "timed out after 5 s", ...
};

struct FetchOptions {
  std::chrono::milliseconds timeout{5000};
  HeaderList headers;
  asio::ssl::context* tls = nullptr;  // required for https targets
  std::size_t max_body_bytes = 16u << 20;
  // Called with each read's raw bytes (headers and chunking included) and
  // the steady-clock time (util/clock.hpp's now_ns()) after it returned: a
  // caller that times a streamed reply (llmbench depth) parses them itself.
  std::function<void(std::string_view bytes, std::int64_t t_ns)> on_read;
};

FetchResult fetch(const Target& target, std::string_view method, std::string_view path,
                  std::string_view body, const FetchOptions& opts);

}  // namespace llmbench::http
