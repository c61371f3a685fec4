#include "llmbench/mock/config.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace llmbench::mock {

namespace {
constexpr std::array<std::string_view, 16> kFaultNames = {
    "http_500",        "http_503",       "http_429",       "reset_midstream",     "close_no_done",
    "bad_chunk_size",  "bad_json_event", "huge_event",     "stall_after_headers", "stall_midstream",
    "no_response",     "garbage",        "dribble",        "html_200",            "error_event",
    "empty_reply",
};

std::string fault_list() {
  std::string out;
  for (std::string_view n : kFaultNames) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

bool positive(double v) noexcept { return std::isfinite(v) && v > 0; }

std::optional<std::string> models_problem(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::vector<std::string> seen;
  std::string_view rest = text;
  for (bool more = true; more;) {
    const std::size_t comma = rest.find(',');
    more = comma != std::string_view::npos;
    const std::string_view name = rest.substr(0, comma);
    rest.remove_prefix(more ? comma + 1 : rest.size());
    if (name.empty()) return "a model name in '" + text + "' is empty";
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) return std::string(name) + " is given twice";
    seen.emplace_back(name);
  }
  return std::nullopt;
}
}  // namespace

std::vector<std::string> routed_models(const MockConfig& cfg) {
  std::vector<std::string> out;
  std::string_view rest = cfg.models;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    out.emplace_back(rest.substr(0, comma));
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
  }
  return out;
}

std::span<const std::string_view> fault_modes() noexcept { return kFaultNames; }

std::string_view to_string(FaultMode m) noexcept {
  if (m == FaultMode::none) return "none";
  return kFaultNames[static_cast<std::size_t>(m) - 1];
}

std::optional<FaultMode> parse_fault(std::string_view name) noexcept {
  if (name.empty() || name == "none") return FaultMode::none;
  for (std::size_t i = 0; i < kFaultNames.size(); ++i) {
    if (kFaultNames[i] == name) return static_cast<FaultMode>(i + 1);
  }
  return std::nullopt;
}

std::vector<FaultMode> parse_fault_list(std::string_view text) {
  std::vector<FaultMode> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto m = parse_fault(text.substr(0, comma));
    if (!m) return {};
    if (*m != FaultMode::none) out.push_back(*m);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

Expected<void, ConfigProblem> validate(const MockConfig& cfg) {
  const auto bad = [](std::string_view field, std::string why) { return Unexpected(ConfigProblem{field, std::move(why)}); };
  if (parse_fault_list(cfg.fault).empty() && !cfg.fault.empty() && cfg.fault != "none") {
    return bad("fault", "unknown fault mode in '" + cfg.fault + "' (valid: " + fault_list() +
                            ", or several separated by commas)");
  }
  if (!positive(cfg.decode_tps)) return bad("decode_tps", "must be > 0");
  if (!positive(cfg.prompt_tps)) return bad("prompt_tps", "must be > 0");
  if (!std::isfinite(cfg.ttft_ms) || cfg.ttft_ms < 0) return bad("ttft_ms", "must be >= 0");
  if (!std::isfinite(cfg.jitter) || cfg.jitter < 0 || cfg.jitter > 1) return bad("jitter", "must be within 0..1");
  if (cfg.slots < 1) return bad("slots", "must be >= 1");
  if (cfg.n_ctx_slot < 2) return bad("n_ctx_slot", "must be >= 2");
  if (cfg.eos_after_tokens < 0) return bad("eos_after_tokens", "must be >= 0 (0: never)");
  if (cfg.default_max_tokens < 1) return bad("default_max_tokens", "must be >= 1");
  if (!std::isfinite(cfg.load_seconds) || cfg.load_seconds < 0) return bad("load_seconds", "must be >= 0");
  if (cfg.threads < 1) return bad("threads", "must be >= 1");
  if (cfg.fault_every < 1) return bad("fault_every", "must be >= 1");
  if (cfg.fault_after_tokens < 0) return bad("fault_after_tokens", "must be >= 0");
  if (cfg.reasoning_tokens < 0) return bad("reasoning_tokens", "must be >= 0");
  if (cfg.tokens_per_event < 1) return bad("tokens_per_event", "must be >= 1");
  if (cfg.dribble_gap_us < 0) return bad("dribble_gap_us", "must be >= 0");
  if (!positive(cfg.keep_alive_timeout_s)) return bad("keep_alive_timeout_s", "must be > 0");
  if (cfg.keep_alive_max_requests < 1) return bad("keep_alive_max_requests", "must be >= 1");
  if (cfg.model_path.empty()) return bad("model_path", "must not be empty");
  if (auto why = models_problem(cfg.models)) return bad("models", *why);
  if (!cfg.api_prefix.empty() && (cfg.api_prefix.front() != '/' || cfg.api_prefix.back() == '/')) {
    return bad("api_prefix", "must start with '/' and not end with one (e.g. /proxy)");
  }
  return {};
}

}  // namespace llmbench::mock
