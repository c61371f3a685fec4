#pragma once
// Step 1 of a run: where the requests go — the built-in server started on
// loopback, or the --url / --host/--port target — with TLS and the headers
// every request carries.
#include <asio/ssl.hpp>

#include <memory>

#include "llmbench/cli/failure.hpp"
#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/http/fetch.hpp"
#include "llmbench/http/url.hpp"
#include "llmbench/mock/server.hpp"

namespace llmbench::cli {

struct TargetSetup {
  http::Target target;
  std::unique_ptr<mock::MockServer> mock;        // --mock: running until stopped
  std::unique_ptr<asio::ssl::context> tls;       // https:// targets
  http::HeaderList headers;                      // every request's: the API key and --header
  std::vector<std::string> secrets;              // the credential values among them
  http::FetchOptions fetch;                      // control-plane requests
};

Step<TargetSetup> resolve_target(const ParsedSettings& p);

}  // namespace llmbench::cli
