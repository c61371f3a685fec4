#pragma once
// What llama-server says about itself in GET /props, the fields a reader of
// the results wants beside the figures: its build, slots, context, model and
// chat template capabilities. Pure; fields it does not give stay empty.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmbench::telemetry {

struct ServerProps {
  std::optional<std::string> build;        // build_info, "b10587-3f545becc"
  std::optional<std::int64_t> total_slots;
  std::optional<std::int64_t> n_ctx;       // default_generation_settings.n_ctx (per slot)
  std::optional<std::string> model_path;
  std::optional<bool> endpoint_metrics;
  std::optional<bool> endpoint_slots;
  std::vector<std::pair<std::string, bool>> chat_template_caps;  // in the server's order
};

// nullopt when the text is not a JSON object.
[[nodiscard]] std::optional<ServerProps> parse_server_props(std::string_view json);

}  // namespace llmbench::telemetry
