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
  // Two appends: `":" + std::to_string(port)` makes GCC 12 report a bogus
  // -Wrestrict inside libstdc++ (GCC PR 105651).
  if (!default_port) h.append(1, ':').append(std::to_string(port));
  return h;
}

std::string Target::path(std::string_view p) const {
  std::string out = base_path;
  out.append(p);
  return out;
}

namespace {

Status parse_port(std::string_view text, Target& t) {
  unsigned v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v == 0 || v > 65535) {
    return Unexpected("invalid port in URL: '" + std::string(text) + "'");
  }
  t.port = static_cast<std::uint16_t>(v);
  return {};
}

// "host", "host:port", "[v6]" or "[v6]:port".
Status parse_authority(std::string_view authority, Target& t) {
  if (authority.find('@') != std::string_view::npos) {
    return Unexpected("credentials in the URL are not supported (use --api-key-env)");
  }
  std::string_view port_text;
  bool has_port = false;
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Unexpected("unterminated IPv6 address in URL");
    t.host = std::string(authority.substr(1, close - 1));
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return Unexpected("unexpected text after IPv6 address in URL");
    has_port = !rest.empty();
    if (has_port) port_text = rest.substr(1);
  } else {
    const std::size_t colon = authority.rfind(':');
    t.host = std::string(authority.substr(0, colon));
    has_port = colon != std::string_view::npos;
    if (has_port) port_text = authority.substr(colon + 1);
  }
  if (t.host.empty()) return Unexpected("URL has no host");
  return has_port ? parse_port(port_text, t) : Status{};
}

}  // namespace

Expected<Target> parse_url(std::string_view url) {
  Target t;
  if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else if (url.starts_with("https://")) {
    url.remove_prefix(8);
    t.tls = true;
  } else {
    return Unexpected("URL must start with http:// or https://");
  }
  t.port = t.tls ? 443 : 80;
  const std::size_t slash = url.find('/');
  if (Status st = parse_authority(url.substr(0, slash), t); !st) return Unexpected(st.error());
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) return Unexpected("URL must not carry a query or fragment");
  // Accept ".../v1" as the base the user copied from their client config:
  // endpoint paths already start with /v1.
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.ends_with("/v1")) path.remove_suffix(3);
  t.base_path = std::string(path);
  return t;
}

}  // namespace llmbench::http
