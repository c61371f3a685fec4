#include "llmbench/cli/probe.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "llmbench/cli/exit_codes.hpp"
#include "llmbench/protocol/control_plane.hpp"

namespace llmbench::cli {

namespace {

// Polls GET /health until it answers 200 or `seconds` pass. Connection
// refused counts as "not ready yet" (the server may still be starting).
// llama-server's 503 body: {"error":{"code":503,"message":"Loading model",...}}.
std::string health_state(const http::FetchResult& r) {
  if (!r.ok) return r.error;
  std::string state = std::to_string(r.status);
  if (const auto msg = protocol::error_message(r.body)) return state + " " + *msg;
  return r.body.empty() ? state : state + ": " + r.body.substr(0, 120);
}

Status wait_until_ready(const TargetSetup& t, double seconds) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  auto pause = std::chrono::milliseconds(100);
  auto next_note = start + std::chrono::seconds(3);
  for (;;) {
    const http::FetchResult r = http::fetch(t.target, "GET", "/health", "", t.fetch);
    if (r.ok && r.status == 200) return {};
    const std::string state = health_state(r);
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_note) {  // a line every few seconds: the user sees it is waiting, and for what
      spdlog::info("waiting for {}: {} ({:.0f} s)", t.target.url("/health"), state,
                   std::chrono::duration<double>(now - start).count());
      next_note = now + std::chrono::seconds(5);
    }
    if (now + pause >= deadline) return Unexpected(state);
    // Polling an external server that is loading its model: there is nothing
    // to wait on but time.
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

Step<std::string> fetch_models(const TargetSetup& t) {
  const http::FetchResult models = http::fetch(t.target, "GET", "/v1/models", "", t.fetch);
  if (!models.ok) return fail(kExitUnreachable, unreachable_advice(t.target) + " (" + models.error + ")");
  if (models.status == 503) {
    return fail(kExitUnreachable, "the server at " + t.target.origin() +
                                      " is still loading its model (HTTP 503); wait, or add --wait-ready SECONDS");
  }
  if (models.status == 401 || models.status == 403) {
    return fail(kExitUnreachable, "GET /v1/models answered HTTP " + std::to_string(models.status) +
                                      ": set the API key with --api-key-env NAME");
  }
  return models.status == 200 ? models.body : std::string();
}

}  // namespace

std::string unreachable_advice(const http::Target& target) {
  return "API not responding at " + target.origin() +
         "\n  - Check the server (or its container) is running: docker ps" +
         "\n  - Verify the port: curl " + target.url("/v1/models") +
         "\n  - A server still loading its model answers 503: add --wait-ready SECONDS";
}

Step<ServerInfo> probe_server(const ParsedSettings& p, const TargetSetup& t) {
  const Settings& s = p.raw;
  if (s.wait_ready_s > 0) {
    if (Status ready = wait_until_ready(t, s.wait_ready_s); !ready) {
      return fail(kExitUnreachable, "the server at " + t.target.origin() + " was not ready after " +
                                        fmt::format("{:g}", s.wait_ready_s) + " s (last: " + ready.error() + ")");
    }
  }
  const Step<std::string> models = fetch_models(t);
  if (!models) return Unexpected(models.error());
  ServerInfo info;
  // A one-model `name=weight` is that name; a mix keeps its text (each
  // request names its own model: RunPlan::models).
  info.model = p.models.size() == 1 ? p.models.front().name : s.model;
  if (info.model.empty()) {
    info.model = protocol::first_model_id(*models).value_or("");
    if (info.model.empty()) spdlog::warn("GET /v1/models gave no model id; requests name no model (use --model)");
    if (!info.model.empty()) spdlog::debug("model {} (the first GET /v1/models lists)", info.model);
  }
  if (const http::FetchResult props = http::fetch(t.target, "GET", "/props", "", t.fetch); props.ok && props.status == 200) {
    info.props_json = protocol::props_json(props.body).value_or("");
  }
  return info;
}

}  // namespace llmbench::cli
