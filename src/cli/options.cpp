#include "llmbench/cli/options.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "llmbench/load/prompts.hpp"
#include "llmbench/mock/config.hpp"
#include "llmbench/protocol/api.hpp"

namespace llmbench::cli {

std::string flag_of(std::string_view field_name) {
  for (const Field& f : settings_table()) {
    if (f.name == field_name) return std::string(f.flag);
  }
  std::string s = "--" + std::string(field_name);
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

void bind_settings(CLI::App& app, Settings& s, BoundOptions& bound) {
  bound.by_field.clear();
  for (const Field& f : settings_table()) {
    const std::string flag(f.flag);
    const std::string help(f.help);
    CLI::Option* opt = std::visit(
        [&](auto ptr) -> CLI::Option* {
          using T = std::remove_cvref_t<decltype(s.*ptr)>;
          T& dst = s.*ptr;
          if constexpr (std::is_same_v<T, bool>) {
            // Flags that default to true get a --no- form.
            if (f.name == "stream" || f.name == "keepalive") {
              return app.add_flag(flag + ",!--no-" + flag.substr(2), dst, help);
            }
            return app.add_flag(flag, dst, help);
          } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            CLI::Option* o = app.add_option(flag, dst, help);
            if (f.name == "prompts") o->delimiter(',');
            return o;
          } else {
            return app.add_option(flag, dst, help);
          }
        },
        f.ptr);
    opt->group(std::string(f.group));
    bound.by_field.push_back(opt);
  }
  app.add_flag("-v,--verbose", [&s](std::int64_t n) { s.verbosity += static_cast<int>(n); }, "More log output (repeatable)")
      ->group("Output");
  app.add_flag("-q,--quiet", [&s](std::int64_t n) { s.verbosity -= static_cast<int>(n); },
               "Only the report and errors; no progress")
      ->group("Output");
  app.add_option("--config", bound.config_path, "Load settings from a JSON file (flags given here override it)")
      ->group("Configuration");
  app.add_flag("--dump-config", bound.dump_config, "Print the effective settings as JSON (for --config) and exit")
      ->group("Configuration");
}

bool resolve_settings(const Settings& from_cli, const BoundOptions& bound, Settings& out, std::string& error) {
  out = Settings{};
  if (!bound.config_path.empty()) {
    std::vector<std::string> fields;
    if (!load_config_file(bound.config_path, out, fields, error)) return false;
  }
  const auto& table = settings_table();
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (bound.by_field[i]->count() == 0) continue;
    std::visit([&](auto ptr) { out.*ptr = from_cli.*ptr; }, table[i].ptr);
  }
  out.verbosity = from_cli.verbosity;
  return true;
}

namespace {

bool parse_number_list(std::string_view text, std::vector<double>& out) {
  std::stringstream ss{std::string(text)};
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size() || !std::isfinite(v) || v <= 0) return false;
    out.push_back(v);
  }
  return !out.empty();
}

}  // namespace

bool parse_sweep(const std::string& text, SweepSpec& out, std::string& error) {
  out = SweepSpec{};
  if (text.empty()) return true;
  if (text == "auto") {
    out.kind = SweepSpec::Kind::automatic;
    return true;
  }
  const auto eq = text.find('=');
  const std::string what = text.substr(0, eq);
  if (eq == std::string::npos || (what != "concurrency" && what != "rate") ||
      !parse_number_list(std::string_view(text).substr(eq + 1), out.values)) {
    error = "--sweep '" + text + "': expected concurrency=1,2,4,..., rate=1,2,5,... or auto";
    return false;
  }
  out.kind = what == "concurrency" ? SweepSpec::Kind::concurrency : SweepSpec::Kind::rate;
  if (out.kind == SweepSpec::Kind::concurrency) {
    for (const double v : out.values) {
      if (v != std::floor(v) || v > 1'000'000) {
        error = "--sweep '" + text + "': concurrency values must be whole numbers";
        return false;
      }
    }
  }
  return true;
}

bool parse_slo(const std::string& text, Slo& out, std::string& error) {
  out = Slo{};
  if (text.empty()) return true;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto eq = item.find('=');
    const std::string key = item.substr(0, eq);
    char* end = nullptr;
    const double v = eq == std::string::npos ? 0 : std::strtod(item.c_str() + eq + 1, &end);
    const bool number_ok = eq != std::string::npos && end == item.c_str() + item.size() && std::isfinite(v) && v > 0;
    double* dst = key == "ttft_ms" ? &out.ttft_ms : key == "tpot_ms" ? &out.tpot_ms : key == "e2e_ms" ? &out.e2e_ms : nullptr;
    if (dst == nullptr || !number_ok) {
      error = "--slo '" + text + "': expected ttft_ms=N,tpot_ms=N,e2e_ms=N (positive milliseconds), got '" + item + "'";
      return false;
    }
    *dst = v;
  }
  return true;
}

bool validate_settings(const Settings& s, std::string& error) {
  const auto fail = [&error](std::string msg) {
    error = std::move(msg);
    return false;
  };
  if (s.url.empty() && (s.port < 1 || s.port > 65535)) return fail("--port " + std::to_string(s.port) + ": expected 1..65535");
  if (s.runs < 1) return fail("--runs " + std::to_string(s.runs) + ": expected at least 1");
  if (!(s.timeout_s > 0)) return fail("--timeout: expected a positive number of seconds");
  if (s.max_tokens < 0) return fail("--max-tokens: expected a positive number (or 0 for each prompt's own)");
  if (s.warmup < 0) return fail("--warmup: expected 0 or more requests");
  if (s.wait_ready_s < 0) return fail("--wait-ready: expected 0 or more seconds");
  if (!protocol::parse_flavor(s.endpoint)) {
    return fail("--endpoint '" + s.endpoint + "': expected chat, completions or native");
  }
  for (std::size_t i = 0; i < s.prompts.size(); ++i) {
    const std::string& key = s.prompts[i];
    if (!find_builtin_prompt(key)) {
      return fail("--prompts: unknown prompt key '" + key + "' (valid keys: " + builtin_prompt_keys() + ")");
    }
    if (std::find(s.prompts.begin(), s.prompts.begin() + static_cast<std::ptrdiff_t>(i), key) !=
        s.prompts.begin() + static_cast<std::ptrdiff_t>(i)) {
      return fail("--prompts: '" + key + "' given twice");
    }
  }
  if (s.arrival != "constant" && s.arrival != "poisson" && s.arrival != "gamma") {
    return fail("--arrival '" + s.arrival + "': expected constant, poisson or gamma");
  }
  if (!(s.burstiness > 0)) return fail("--burstiness: expected a positive gamma shape");
  if (s.threads < 0) return fail("--threads: expected 0 (one per core) or more");
  if (s.threads > 256) return fail("--threads " + std::to_string(s.threads) + ": at most 256");
  if (s.concurrency < 0) return fail("--concurrency: expected a positive number");
  if (s.rate < 0 || !std::isfinite(s.rate)) return fail("--rate: expected a positive number of requests/s");
  if (s.concurrency > 0 && s.rate > 0) return fail("--concurrency and --rate: choose one (closed or open loop)");
  if (s.max_concurrency < 0) return fail("--max-concurrency: expected 0 (no cap) or more");
  if (s.duration_s < 0 || s.warmup_s < 0 || s.cooldown_s < 0) return fail("--duration/--warmup-seconds/--cooldown-seconds: expected 0 or more seconds");
  if (s.idle_timeout_s < 0) return fail("--idle-timeout: expected 0 or more seconds");
  if (s.max_event_bytes < 64) return fail("--max-event-bytes: expected at least 64");
  if (!s.dataset.empty() && !s.input_tokens.empty()) return fail("--dataset and --input-tokens: choose one prompt source");
  if (!s.output_tokens.empty() && s.input_tokens.empty()) return fail("--output-tokens needs --input-tokens");
  for (const std::string& h : s.headers) {
    const auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0 || h.find_first_of("\r\n") != std::string::npos) {
      return fail("--header '" + redact_header(h) + "': expected 'Name: value'");
    }
  }
  SweepSpec sweep;
  if (!parse_sweep(s.sweep, sweep, error)) return false;
  Slo slo;
  if (!parse_slo(s.slo, slo, error)) return false;
  if (is_load_mode(s) && s.requests == 0 && s.duration_s <= 0) {
    return fail("load mode needs a bound: --requests N and/or --duration SECONDS");
  }
  if (sweep.kind == SweepSpec::Kind::automatic && s.duration_s <= 0 && s.requests == 0) {
    return fail("--sweep auto needs --duration or --requests for each stage");
  }
  if (s.mock_slots < 1 || s.mock_threads < 1 || s.mock_fault_every < 1 || !(s.mock_decode_tps > 0) || !(s.mock_prompt_tps > 0)) {
    return fail("--mock-*: slots, threads and fault-every need at least 1, speeds must be positive");
  }
  if (!s.mock_fault.empty() && mock::parse_fault_list(s.mock_fault).empty()) {
    return fail("--mock-fault '" + s.mock_fault + "': expected one of " + mock_fault_list());
  }
  return true;
}

std::string mock_fault_list() {
  std::string out;
  for (const std::string_view f : mock::fault_modes()) {
    if (!out.empty()) out += ", ";
    out += f;
  }
  return out;
}

void bind_mock_options(CLI::App& cmd, mock::MockConfig& cfg) {
  cmd.add_option("--host", cfg.host, "Bind address (default: 127.0.0.1)");
  cmd.add_option("--port", cfg.port, "Port (default: 0, any free port; printed at start)");
  cmd.add_option("--decode-tps", cfg.decode_tps, "Tokens/s per slot while decoding (default: 50)");
  cmd.add_option("--prompt-tps", cfg.prompt_tps, "Prompt tokens/s (default: 2000)");
  cmd.add_option("--ttft-ms", cfg.ttft_ms, "Extra delay before the first token");
  cmd.add_option("--jitter", cfg.jitter, "Relative random variation of each token gap, 0..1");
  cmd.add_option("--seed", cfg.seed, "Seed for the jitter");
  cmd.add_option("--slots", cfg.slots, "Parallel slots, like llama-server --parallel (default: 4)");
  cmd.add_option("--ctx-per-slot", cfg.n_ctx_slot, "Context per slot (default: 4096)");
  cmd.add_option("--default-max-tokens", cfg.default_max_tokens, "Tokens when a request sets none (default: 256)");
  cmd.add_option("--load-seconds", cfg.load_seconds, "Answer 503 'Loading model' for this long after start");
  cmd.add_option("--model-path", cfg.model_path, "Model path the server reports");
  cmd.add_option("--alias", cfg.alias, "Model alias (llama-server --alias)");
  cmd.add_flag("!--keep-streams-open", cfg.close_after_stream,
               "Keep connections open after streamed responses (llama-server closes them)");
  cmd.add_option("--threads", cfg.threads, "I/O threads (default: 1)");
  cmd.add_option("--fault", cfg.fault, "Inject a fault (several, comma-separated, are taken in turn): " + mock_fault_list());
  cmd.add_option("--fault-every", cfg.fault_every, "Apply the fault to every K-th completion request (default: 1)");
  cmd.add_option("--fault-after-tokens", cfg.fault_after_tokens, "Mid-stream faults strike after N tokens (default: 3)");
  cmd.add_option("--dribble-gap-us", cfg.dribble_gap_us, "Pause between single-byte writes for 'dribble'");
}

}  // namespace llmbench::cli
