#pragma once
// Where the benchmark sends its requests.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "llmbench/util/expected.hpp"

namespace llmbench::http {

struct Target {
  bool tls = false;
  std::string host = "localhost";  // without brackets for IPv6
  std::uint16_t port = 8001;
  // The prefix every endpoint path is under (a reverse proxy's, or
  // llama-server --api-prefix), without a trailing '/'. build_request() is
  // the one place it is added: everything else passes endpoint paths
  // ("/v1/models") as they are.
  std::string base_path;

  // "http://host:port" (brackets around IPv6 literals), for messages.
  [[nodiscard]] std::string origin() const;
  // The Host header value.
  [[nodiscard]] std::string host_header() const;
  // base_path + path: the request target on the wire.
  [[nodiscard]] std::string path(std::string_view p) const;
  // origin + base_path + path, for messages ("curl http://host:8001/v1/models").
  [[nodiscard]] std::string url(std::string_view p) const { return origin() + path(p); }
};

// Parses "http://host[:port][/base]" or "https://...". A base that ends in
// "/v1" (as users copy it from OPENAI_BASE_URL) is taken as its parent:
// endpoint paths already start with /v1. An error is a one-line reason.
Expected<Target> parse_url(std::string_view url);

}  // namespace llmbench::http
