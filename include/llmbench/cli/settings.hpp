#pragma once
// Every user-facing setting, with one table that drives the command line,
// config files (--config), --dump-config and the results' `config` echo.
// The built-in server's options are its own MockConfig, declared once in
// mock/config.hpp: the table reaches into it, and `llmbench mock-server`
// binds the same rows without their "mock" prefix.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "llmbench/mock/config.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::cli {

// One entry of a config file's "stages" list: a stage with its own load
// and bounds (a step profile). Negative warm-up/cool-down: the run's own.
struct StageSetting {
  int concurrency = 0;
  double rate = 0;
  std::string ramp;        // "rate=A..B" | "concurrency=A..B"
  std::string ramp_shape;  // "" (linear) | "linear" | "exponential"
  double duration_s = 0;
  std::uint64_t requests = 0;
  double warmup_s = -1;
  double cooldown_s = -1;
};

struct Settings {
  // target
  std::string host = "localhost";
  int port = 8001;
  std::string url;
  std::string endpoint = "chat";
  std::string model;
  std::string api_key_env;
  std::string continuous_usage = "auto";  // auto, on, off
  std::vector<std::string> headers;
  std::string ca_file;
  bool insecure = false;
  // spec mode (the guide's flags and defaults)
  int runs = 5;
  std::vector<std::string> prompts;
  std::string output;
  std::string csv;   // one row per request
  std::string html;  // the run's report as one self-contained page
  std::vector<std::string> export_to;  // --export vllm FILE: {"vllm", FILE}
  double timeout_s = 30;
  int max_tokens = 0;  // 0: each prompt's own default
  bool stream = true;
  int warmup = 1;
  double wait_ready_s = 0;
  bool ignore_eos = false;
  std::string cache_prompt;  // "on", "off" or "" (the server's default)
  bool erase_slots = false;  // empty llama-server's slots before each measured spec run
  // load mode
  int threads = 0;     // 0: chosen per stage from its load
  int concurrency = 0;
  double rate = 0;
  std::string arrival = "poisson";
  double burstiness = 1.0;
  std::uint64_t seed = 1;
  int max_concurrency = 0;
  std::uint64_t requests = 0;
  double duration_s = 0;
  double warmup_s = 0;
  double cooldown_s = 0;
  std::string dataset;
  std::string input_tokens;
  std::string output_tokens;
  int prefix_tokens = 0;     // --prefix-tokens P: every synthetic prompt starts with a shared prefix of P tokens
  int prefix_groups = 1;     // --prefix-groups G: G distinct prefixes, one chosen per prompt by the seed
  int turns = 0;             // --turns N: multi-turn sessions of N turns (datasets: up to N of each conversation's)
  std::string think_time;    // --think-time S[:SD]: seconds between a reply's end and the session's next turn
  int max_history_tokens = 0;  // --max-history-tokens: a session's history keeps its newest turns within this
  std::string trace;         // --trace FILE: Mooncake JSON Lines or Azure CSV
  double trace_speed = 1.0;  // time compression: 2 replays twice as fast
  std::string trace_window;  // "START:END", seconds of the trace
  bool keepalive = true;
  std::string slo;
  std::string client_limits;  // overrides of stats::ClientLimits, "read_lag_ms=2,..."
  bool strict = false;        // exit 6 when a stage was client-limited
  std::string sweep;
  std::vector<StageSetting> stages;  // config files only: "stages": [{...}, ...]
  std::string ramp;        // --ramp rate=A..B | concurrency=A..B
  std::string ramp_shape;  // linear (the default, also when empty) or exponential
  double idle_timeout_s = 0;
  std::uint64_t max_event_bytes = 1u << 20;
  bool stamp_lag = false;
  double timeseries_interval_s = 1.0;
  int repeat = 1;
  double abort_after_s = 5;
  double max_error_rate = 0;
  std::string timestamps = "kernel";
  // scale-out (see shard_settings.hpp)
  std::string shard;     // "I/N"
  int shards = 0;        // N, the index from JOB_COMPLETION_INDEX or Slurm
  std::string start_at;  // RFC 3339, or "+SECONDS"
  // the server's and the machine's side (telemetry)
  std::string server_metrics = "auto";
  double metrics_interval_s = 1.0;
  int server_pid = 0;
  // built-in server
  bool mock = false;
  mock::MockConfig mock_config;
  // output
  int verbosity = 0;  // -v: +1, -q: -1
  bool no_progress = false;
};

// A setting's place: a member of Settings, or of its MockConfig.
template <class T>
using SettingsMember = T Settings::*;
template <class T>
using MockMember = T mock::MockConfig::*;

// One row of the table.
struct Field {
  using Ptr = std::variant<SettingsMember<int>, SettingsMember<std::uint64_t>, SettingsMember<double>,
                           SettingsMember<bool>, SettingsMember<std::string>, SettingsMember<std::vector<std::string>>,
                           MockMember<int>, MockMember<std::uint16_t>, MockMember<std::uint64_t>, MockMember<double>,
                           MockMember<bool>, MockMember<std::string>>;
  std::string_view name;    // the JSON key
  std::string_view flag;    // the command-line spelling, e.g. "--timeout"
  Ptr ptr;
  std::string_view group;
  std::string_view help;
  bool secret = false;      // never echoed in results or --dump-config
};

// Calls fn with the value a row refers to (S: Settings or const Settings).
template <class S, class F>
decltype(auto) visit_field(const Field& f, S& s, F&& fn) {
  return std::visit(
      [&](auto ptr) -> decltype(auto) {
        if constexpr (requires { s.*ptr; }) {
          return fn(s.*ptr);
        } else {
          return fn(s.mock_config.*ptr);
        }
      },
      f.ptr);
}

const std::vector<Field>& settings_table();

// The built-in server's options as `llmbench mock-server` spells them
// (--decode-tps); the main command has the ones marked `in_run` as
// --mock-decode-tps, key "mock_decode_tps".
struct MockOption {
  std::string_view field;   // MockConfig's member name, as validate() reports it
  std::string_view flag;    // for mock-server
  Field::Ptr ptr;           // a MockMember
  std::string_view help;
  bool in_run = false;      // also on the main command, with the "mock" prefix
};
const std::vector<MockOption>& mock_options();

// The effective settings as JSON (secrets redacted), for --dump-config and the
// results file. --config reads it back.
std::string settings_to_json(const Settings& s, bool pretty = true);

// Loads a config file over `s`; returns the keys it set. An error is one
// line naming the file (and line), the field and what was expected.
Expected<std::vector<std::string>> load_config_file(const std::string& path, Settings& s);

// "Authorization: Bearer x" -> "Authorization: [redacted]" (any header whose
// name suggests a credential); other headers unchanged.
std::string redact_header(std::string_view header);

// True when the settings ask for load mode rather than the guide's spec mode.
bool is_load_mode(const Settings& s);

// The flag spelling of a field name, e.g. "timeout_s" -> "--timeout".
std::string flag_of(std::string_view field_name);

}  // namespace llmbench::cli
