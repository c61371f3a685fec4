#include "llmbench/cli/control_plane.hpp"

#include <simdjson.h>

#include <chrono>
#include <thread>

namespace llmbench::cli {

std::optional<std::string> first_model_id(const std::string& models_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(models_json).get(root)) return std::nullopt;
  simdjson::dom::array list;
  if (!root["data"].get(list)) {
    for (simdjson::dom::element m : list) {
      std::string_view id;
      if (!m["id"].get(id) && !id.empty()) return std::string(id);
    }
  }
  if (!root["models"].get(list)) {  // Ollama, and llama-server's extra list
    for (simdjson::dom::element m : list) {
      std::string_view id;
      if ((!m["name"].get(id) || !m["model"].get(id)) && !id.empty()) return std::string(id);
    }
  }
  return std::nullopt;
}

bool wait_until_ready(const http::Target& target, double seconds, const http::FetchOptions& opts,
                      std::string& last_state) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  auto pause = std::chrono::milliseconds(100);
  for (;;) {
    const http::FetchResult r = http::fetch(target, "GET", "/health", "", opts);
    if (r.ok && r.status == 200) return true;
    last_state = r.ok ? "HTTP " + std::to_string(r.status) + (r.body.empty() ? "" : ": " + r.body.substr(0, 120)) : r.error;
    if (std::chrono::steady_clock::now() + pause >= deadline) return false;
    // Polling an external server that is loading its model: there is nothing
    // to wait on but time.
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

std::string unreachable_advice(const http::Target& target) {
  return "API not responding at " + target.origin() +
         "\n  - Check the server (or its container) is running: docker ps" +
         "\n  - Verify the port: curl " + target.origin() + target.path("/v1/models") +
         "\n  - A server still loading its model answers 503: add --wait-ready SECONDS";
}

}  // namespace llmbench::cli
