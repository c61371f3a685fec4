#pragma once
// Where the benchmark sends its requests.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmbench::http {

struct Target {
  bool tls = false;
  std::string host = "localhost";  // without brackets for IPv6
  std::uint16_t port = 8001;
  std::string base_path;           // prefix before /v1/..., without trailing '/'

  // "http://host:port" (brackets around IPv6 literals), for messages.
  [[nodiscard]] std::string origin() const;
  // The Host header value.
  [[nodiscard]] std::string host_header() const;
  // base_path + path
  [[nodiscard]] std::string path(std::string_view p) const;
};

// Parses "http://host[:port][/base]" or "https://...". On failure returns
// nullopt and sets `error` to a one-line reason.
std::optional<Target> parse_url(std::string_view url, std::string& error);

}  // namespace llmbench::http
