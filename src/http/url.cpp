#include "llmbench/http/url.hpp"

#include <charconv>

namespace llmbench::http {

std::string Target::origin() const {
  return std::string(tls ? "https://" : "http://") + host_header();
}

std::string Target::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  const bool default_port = (tls && port == 443) || (!tls && port == 80);
  if (!default_port) h += ":" + std::to_string(port);
  return h;
}

std::string Target::path(std::string_view p) const {
  std::string out = base_path;
  out.append(p);
  return out;
}

std::optional<Target> parse_url(std::string_view url, std::string& error) {
  Target t;
  if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else if (url.starts_with("https://")) {
    url.remove_prefix(8);
    t.tls = true;
  } else {
    error = "URL must start with http:// or https://";
    return std::nullopt;
  }
  t.port = t.tls ? 443 : 80;
  const std::size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    error = "credentials in the URL are not supported (use --api-key-env)";
    return std::nullopt;
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated IPv6 address in URL";
      return std::nullopt;
    }
    t.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        error = "unexpected text after IPv6 address in URL";
        return std::nullopt;
      }
      port_text = rest.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    t.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (t.host.empty()) {
    error = "URL has no host";
    return std::nullopt;
  }
  if (!port_text.empty() || authority.ends_with(":")) {
    unsigned v = 0;
    const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || v == 0 || v > 65535) {
      error = "invalid port in URL: '" + std::string(port_text) + "'";
      return std::nullopt;
    }
    t.port = static_cast<std::uint16_t>(v);
  }
  // Accept ".../v1" as the base the user copied from their client config:
  // endpoint paths already start with /v1.
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.ends_with("/v1")) path.remove_suffix(3);
  if (path.find_first_of("?#") != std::string_view::npos) {
    error = "URL must not carry a query or fragment";
    return std::nullopt;
  }
  t.base_path = std::string(path);
  return t;
}

}  // namespace llmbench::http
