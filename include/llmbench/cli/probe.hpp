#pragma once
// Step 2 of a run: talk to the server outside the measured path — wait until
// it has loaded its model (--wait-ready), learn which model it serves
// (GET /v1/models) and how it describes itself (GET /props).
#include <string>

#include "llmbench/cli/failure.hpp"
#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/cli/target.hpp"

namespace llmbench::cli {

struct ServerInfo {
  std::string model;       // --model, else the first id /v1/models lists ("" if none)
  std::string props_json;  // GET /props as compact JSON, "" when it did not answer with one
};

Step<ServerInfo> probe_server(const ParsedSettings& p, const TargetSetup& t);

// The guide's "API not responding" advice, for a server that is not reachable.
std::string unreachable_advice(const http::Target& target);

}  // namespace llmbench::cli
