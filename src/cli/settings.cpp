#include "llmbench/cli/settings.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "llmbench/report/json_writer.hpp"

namespace llmbench::cli {

namespace {
using S = Settings;
}  // namespace

const std::vector<Field>& settings_table() {
  static const std::vector<Field> table = {
      // target
      {"host", "--host", &S::host, "Target", "API host (default: localhost)"},
      {"port", "--port", &S::port, "Target", "API port (default: 8001)"},
      {"url", "--url", &S::url, "Target", "Base URL instead of --host/--port: http://host:port[/prefix] or https://..."},
      {"endpoint", "--endpoint", &S::endpoint, "Target",
       "chat (POST /v1/chat/completions), completions (POST /v1/completions) or native (llama.cpp POST /completion)"},
      {"model", "--model", &S::model, "Target", "Model name to send (default: the first id GET /v1/models lists)"},
      {"api_key_env", "--api-key-env", &S::api_key_env, "Target",
       "Environment variable holding an API key, sent as 'Authorization: Bearer ...' (default: OPENAI_API_KEY when set)"},
      {"headers", "--header", &S::headers, "Target", "Extra request header 'Name: value' (repeatable)", true},
      {"ca_file", "--ca-file", &S::ca_file, "Target", "PEM file of CA certificates for https:// targets"},
      {"insecure", "--insecure", &S::insecure, "Target", "Do not verify the server's TLS certificate (not recommended)"},
      // spec mode
      {"runs", "--runs", &S::runs, "Spec mode", "Number of runs per prompt (default: 5)"},
      {"prompts", "--prompts", &S::prompts, "Spec mode", "Comma-separated prompt keys to test (default: all six)"},
      {"output", "--output", &S::output, "Output", "Output JSON filename"},
      {"timeout_s", "--timeout", &S::timeout_s, "Spec mode", "Request timeout in seconds (default: 30)"},
      {"max_tokens", "--max-tokens", &S::max_tokens, "Spec mode", "max_tokens for every request (default: each prompt's own)"},
      {"stream", "--stream", &S::stream, "Spec mode", "Stream responses (default; --no-stream for one JSON body)"},
      {"warmup", "--warmup", &S::warmup, "Spec mode", "Warm-up requests before measuring (default: 1)"},
      {"wait_ready_s", "--wait-ready", &S::wait_ready_s, "Spec mode",
       "Poll GET /health for up to SECONDS until the server has loaded its model"},
      {"ignore_eos", "--ignore-eos", &S::ignore_eos, "Spec mode", "Ask the server to generate exactly max_tokens"},
      // load mode
      {"threads", "--threads", &S::threads, "Load mode", "Worker threads (default: one per core)"},
      {"concurrency", "--concurrency", &S::concurrency, "Load mode", "Closed loop: requests in flight at all times"},
      {"rate", "--rate", &S::rate, "Load mode", "Open loop: requests per second"},
      {"arrival", "--arrival", &S::arrival, "Load mode", "Open-loop arrivals: constant, poisson (default) or gamma"},
      {"burstiness", "--burstiness", &S::burstiness, "Load mode", "Gamma shape for --arrival gamma (< 1 burstier)"},
      {"seed", "--seed", &S::seed, "Load mode", "Seed for arrivals and synthetic prompts (default: 1)"},
      {"max_concurrency", "--max-concurrency", &S::max_concurrency, "Load mode", "Open loop: cap on requests in flight"},
      {"requests", "--requests", &S::requests, "Load mode", "Measured requests per stage"},
      {"duration_s", "--duration", &S::duration_s, "Load mode", "Measured seconds per stage"},
      {"warmup_s", "--warmup-seconds", &S::warmup_s, "Load mode", "Seconds of load before measuring, per stage"},
      {"cooldown_s", "--cooldown-seconds", &S::cooldown_s, "Load mode", "Seconds of load after measuring, per stage"},
      {"dataset", "--dataset", &S::dataset, "Load mode", "Prompts from a JSON Lines or ShareGPT file"},
      {"input_tokens", "--input-tokens", &S::input_tokens, "Load mode", "Synthetic prompts: MEAN[:STDDEV] input tokens"},
      {"output_tokens", "--output-tokens", &S::output_tokens, "Load mode", "Synthetic prompts: MEAN[:STDDEV] output tokens"},
      {"keepalive", "--keepalive", &S::keepalive, "Load mode", "Reuse connections (default; --no-keepalive: one per request)"},
      {"slo", "--slo", &S::slo, "Load mode", "Goodput bounds: ttft_ms=..,tpot_ms=..,e2e_ms=.."},
      {"sweep", "--sweep", &S::sweep, "Load mode", "concurrency=1,2,4,..., rate=1,2,5,... or auto"},
      {"idle_timeout_s", "--idle-timeout", &S::idle_timeout_s, "Load mode", "Fail a request after SECONDS without a byte"},
      {"max_event_bytes", "--max-event-bytes", &S::max_event_bytes, "Load mode", "Largest SSE event accepted (default: 1 MiB)"},
      {"stamp_lag", "--stamp-lag", &S::stamp_lag, "Load mode",
       "Measure delivery lag: events carry their send time as \"stamp_ns\" (CLOCK_MONOTONIC, same host), "
       "as llmbench_bench_server --stamp sends"},
      // built-in server
      {"mock", "--mock", &S::mock, "Built-in server", "Start the built-in llama-server imitation on 127.0.0.1 and benchmark it"},
      {"mock_decode_tps", "--mock-decode-tps", &S::mock_decode_tps, "Built-in server", "Its tokens/s per slot (default: 50)"},
      {"mock_prompt_tps", "--mock-prompt-tps", &S::mock_prompt_tps, "Built-in server", "Its prompt tokens/s (default: 2000)"},
      {"mock_ttft_ms", "--mock-ttft-ms", &S::mock_ttft_ms, "Built-in server", "Its extra delay before the first token"},
      {"mock_slots", "--mock-slots", &S::mock_slots, "Built-in server", "Its parallel slots (default: 4)"},
      {"mock_jitter", "--mock-jitter", &S::mock_jitter, "Built-in server", "Relative random variation of its token gaps, 0..1"},
      {"mock_fault", "--mock-fault", &S::mock_fault, "Built-in server", "Inject a fault (see `llmbench mock-server --help`)"},
      {"mock_fault_every", "--mock-fault-every", &S::mock_fault_every, "Built-in server", "Fault every K-th completion request"},
      {"mock_load_seconds", "--mock-load-seconds", &S::mock_load_seconds, "Built-in server",
       "Answer 503 'Loading model' for this long"},
      {"mock_threads", "--mock-threads", &S::mock_threads, "Built-in server", "Its I/O threads (default: 1)"},
      // output
      {"no_progress", "--no-progress", &S::no_progress, "Output", "No live progress line on stderr"},
  };
  return table;
}

namespace {

bool is_secret_header(std::string_view header) {
  const auto colon = header.find(':');
  std::string name(header.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name.find("auth") != std::string::npos || name.find("key") != std::string::npos ||
         name.find("token") != std::string::npos || name.find("cookie") != std::string::npos ||
         name.find("secret") != std::string::npos;
}

}  // namespace

std::string redact_header(std::string_view header) {
  const auto colon = header.find(':');
  if (colon == std::string_view::npos) {
    // Malformed: the name is at most the first word; the rest may be a value.
    const auto space = header.find_first_of(" \t");
    if (space == std::string_view::npos) return std::string(header);
    return std::string(header.substr(0, space)) + " [redacted]";
  }
  if (!is_secret_header(header)) return std::string(header);
  return std::string(header.substr(0, colon)) + ": [redacted]";
}

std::string settings_to_json(const Settings& s, bool pretty) {
  report::JsonWriter w(pretty ? 2 : 0);
  w.begin_object();
  for (const Field& f : settings_table()) {
    w.key(f.name);
    std::visit(
        [&](auto ptr) {
          using T = std::remove_cvref_t<decltype(s.*ptr)>;
          const T& v = s.*ptr;
          if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            w.begin_array();
            for (const std::string& e : v) w.value(f.name == "headers" ? redact_header(e) : e);
            w.end_array();
          } else if constexpr (std::is_same_v<T, int>) {
            w.value(static_cast<std::int64_t>(v));
          } else {
            w.value(v);
          }
        },
        f.ptr);
  }
  w.end_object();
  return w.take();
}

namespace {

std::string line_of_key(const std::string& text, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\"";
  const auto pos = text.find(needle);
  if (pos == std::string::npos) return "";
  return ":" + std::to_string(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n') + 1);
}

std::string valid_names() {
  std::string out;
  for (const Field& f : settings_table()) {
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out;
}

// Sets one field from a JSON value; an empty return means it worked.
std::string assign(const Field& f, simdjson::dom::element v, Settings& s) {
  using simdjson::dom::element_type;
  return std::visit(
      [&](auto ptr) -> std::string {
        using T = std::remove_cvref_t<decltype(s.*ptr)>;
        T& dst = s.*ptr;
        if constexpr (std::is_same_v<T, bool>) {
          if (!v.is_bool()) return "expected true or false";
          dst = v.get_bool().value();
        } else if constexpr (std::is_same_v<T, int>) {
          if (!v.is_int64()) return "expected an integer";
          const std::int64_t x = v.get_int64().value();
          if (x < std::numeric_limits<int>::min() || x > std::numeric_limits<int>::max()) return "integer out of range";
          dst = static_cast<int>(x);
        } else if constexpr (std::is_same_v<T, std::uint64_t>) {
          if (v.is_uint64()) {
            dst = v.get_uint64().value();
          } else {
            return "expected a non-negative integer";
          }
        } else if constexpr (std::is_same_v<T, double>) {
          if (!v.is_number()) return "expected a number";
          const double d = v.get_double().value();
          if (!std::isfinite(d)) return "expected a finite number";
          dst = d;
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (!v.is_string()) return "expected a string";
          dst = std::string(v.get_string().value());
        } else {
          dst.clear();
          if (v.is_string()) {  // "a,b,c" as on the command line
            std::string item;
            std::stringstream ss{std::string(v.get_string().value())};
            while (std::getline(ss, item, ',')) {
              if (!item.empty()) dst.push_back(item);
            }
            return "";
          }
          if (!v.is_array()) return "expected an array of strings";
          for (simdjson::dom::element e : v.get_array()) {
            if (!e.is_string()) return "expected an array of strings";
            dst.emplace_back(e.get_string().value());
          }
        }
        return "";
      },
      f.ptr);
}

}  // namespace

bool load_config_file(const std::string& path, Settings& s, std::vector<std::string>& fields_set, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "--config " + path + ": cannot open the file";
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    error = path + ": the file is empty (expected a JSON object of settings)";
    return false;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (const auto err = parser.parse(text).get(root); err) {
    error = path + ": not valid JSON (" + simdjson::error_message(err) + ")";
    return false;
  }
  if (!root.is_object()) {
    error = path + ": expected a JSON object of settings at the top level";
    return false;
  }
  for (const simdjson::dom::key_value_pair kv : root.get_object()) {
    const std::string_view key = kv.key;
    const simdjson::dom::element value = kv.value;
    const auto& table = settings_table();
    const auto it = std::find_if(table.begin(), table.end(), [&](const Field& f) { return f.name == key; });
    if (it == table.end()) {
      if (key == "verbosity" || key.starts_with("_")) continue;  // comments and --dump-config extras
      error = path + line_of_key(text, key) + ": unknown field \"" + std::string(key) + "\" (valid fields: " +
              valid_names() + ")";
      return false;
    }
    if (const std::string why = assign(*it, value, s); !why.empty()) {
      error = path + line_of_key(text, key) + ": field \"" + std::string(key) + "\": " + why;
      return false;
    }
    fields_set.emplace_back(key);
  }
  return true;
}

bool is_load_mode(const Settings& s) {
  return s.concurrency > 0 || s.rate > 0 || !s.sweep.empty() || s.requests > 0 || s.duration_s > 0 ||
         !s.dataset.empty() || !s.input_tokens.empty();
}

}  // namespace llmbench::cli
