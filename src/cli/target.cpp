#include "llmbench/cli/target.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

#include "llmbench/cli/exit_codes.hpp"
#include "llmbench/cli/settings.hpp"

namespace llmbench::cli {

namespace {

// The API key (--api-key-env, or OPENAI_API_KEY when set), then --header.
http::HeaderList request_headers(const ParsedSettings& p) {
  http::HeaderList h;
  std::string env = p.raw.api_key_env;
  if (env.empty() && std::getenv("OPENAI_API_KEY") != nullptr) env = "OPENAI_API_KEY";
  if (!env.empty()) {
    if (const char* key = std::getenv(env.c_str()); key != nullptr && *key != '\0') {
      h.emplace_back("Authorization", std::string("Bearer ") + key);
    }
  }
  h.insert(h.end(), p.headers.begin(), p.headers.end());
  return h;
}

Step<std::unique_ptr<asio::ssl::context>> make_tls(const Settings& s) {
  auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  std::error_code ec;
  if (!s.ca_file.empty()) {
    tls->load_verify_file(s.ca_file, ec);
    if (ec) return fail(kExitUsage, "--ca-file " + s.ca_file + ": " + ec.message());
  } else {
    tls->set_default_verify_paths(ec);
  }
  if (s.insecure) {
    spdlog::warn("--insecure: the server's TLS certificate is NOT verified");
    tls->set_verify_mode(asio::ssl::verify_none);
  } else {
    tls->set_verify_mode(asio::ssl::verify_peer);
  }
  return tls;
}

Step<http::Target> start_mock(const Settings& s, std::unique_ptr<mock::MockServer>& server) {
  mock::MockConfig mc = s.mock_config;
  mc.host = "127.0.0.1";
  mc.port = 0;
  mc.seed = s.seed;
  server = std::make_unique<mock::MockServer>(mc);
  const Expected<std::uint16_t> port = server->start();
  if (!port) return fail(kExitFailure, port.error());
  http::Target t;
  t.host = "127.0.0.1";
  t.port = *port;
  t.base_path = mc.api_prefix;
  spdlog::info("built-in server listening on {}", t.origin());
  return t;
}

}  // namespace

Step<TargetSetup> resolve_target(const ParsedSettings& p) {
  const Settings& s = p.raw;
  TargetSetup t;
  if (s.mock) {
    auto target = start_mock(s, t.mock);
    if (!target) return Unexpected(target.error());
    t.target = std::move(*target);
  } else if (p.url) {
    t.target = *p.url;
  } else {
    t.target.host = s.host;
    t.target.port = static_cast<std::uint16_t>(s.port);
  }
  if (t.target.tls) {
    auto tls = make_tls(s);
    if (!tls) return Unexpected(tls.error());
    t.tls = std::move(*tls);
  }
  t.headers = request_headers(p);
  for (const auto& [name, value] : t.headers) {
    if (redact_header(name + ": x") == name + ": x") continue;  // not a credential
    t.secrets.push_back(value);
    if (value.starts_with("Bearer ")) t.secrets.push_back(value.substr(7));
  }
  t.fetch.headers = t.headers;
  t.fetch.tls = t.tls.get();
  t.fetch.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(std::min(s.timeout_s, 10.0) * 1000));
  spdlog::debug("target {}{}{}", t.target.origin(), t.target.base_path.empty() ? "" : " under ", t.target.base_path);
  return t;
}

}  // namespace llmbench::cli
