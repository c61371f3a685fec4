// GET /props read for the results' `server` block (server_props.hpp).
#include "llmbench/telemetry/server_props.hpp"

#include <simdjson.h>

namespace llmbench::telemetry {

namespace {

template <class T>
std::optional<T> get(simdjson::dom::object o, std::string_view key) {
  T v{};
  if (o[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

std::optional<std::string> get_string(simdjson::dom::object o, std::string_view key) {
  const std::optional<std::string_view> v = get<std::string_view>(o, key);
  if (!v) return std::nullopt;
  return std::string(*v);
}

}  // namespace

std::optional<ServerProps> parse_server_props(std::string_view json) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  simdjson::dom::object root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return std::nullopt;
  ServerProps p;
  p.build = get_string(root, "build_info");
  p.total_slots = get<std::int64_t>(root, "total_slots");
  p.model_path = get_string(root, "model_path");
  p.endpoint_metrics = get<bool>(root, "endpoint_metrics");
  p.endpoint_slots = get<bool>(root, "endpoint_slots");
  simdjson::dom::object settings;
  if (root["default_generation_settings"].get(settings) == simdjson::SUCCESS) {
    p.n_ctx = get<std::int64_t>(settings, "n_ctx");
  }
  simdjson::dom::object caps;
  if (root["chat_template_caps"].get(caps) == simdjson::SUCCESS) {
    for (const auto field : caps) {
      bool v = false;
      if (field.value.get(v) == simdjson::SUCCESS) p.chat_template_caps.emplace_back(std::string(field.key), v);
    }
  }
  return p;
}

}  // namespace llmbench::telemetry
