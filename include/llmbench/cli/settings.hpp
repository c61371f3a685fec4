#pragma once
// Every user-facing setting, with one table that drives the command line,
// config files (--config), --dump-config and the results' `config` echo.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace llmbench::cli {

struct Settings {
  // target
  std::string host = "localhost";
  int port = 8001;
  std::string url;
  std::string endpoint = "chat";
  std::string model;
  std::string api_key_env;
  std::vector<std::string> headers;
  std::string ca_file;
  bool insecure = false;
  // spec mode (the guide's flags and defaults)
  int runs = 5;
  std::vector<std::string> prompts;
  std::string output;
  double timeout_s = 30;
  int max_tokens = 0;  // 0: each prompt's own default
  bool stream = true;
  int warmup = 1;
  double wait_ready_s = 0;
  bool ignore_eos = false;
  // load mode
  int threads = 0;     // 0: one per core
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
  bool keepalive = true;
  std::string slo;
  std::string sweep;
  double idle_timeout_s = 0;
  std::uint64_t max_event_bytes = 1u << 20;
  bool stamp_lag = false;
  // built-in server
  bool mock = false;
  double mock_decode_tps = 50;
  double mock_prompt_tps = 2000;
  double mock_ttft_ms = 0;
  int mock_slots = 4;
  double mock_jitter = 0;
  std::string mock_fault;
  int mock_fault_every = 1;
  double mock_load_seconds = 0;
  int mock_threads = 1;
  // output
  int verbosity = 0;  // -v: +1, -q: -1
  bool no_progress = false;
};

// One row of the table.
struct Field {
  using Ptr = std::variant<int Settings::*, std::uint64_t Settings::*, double Settings::*, bool Settings::*,
                           std::string Settings::*, std::vector<std::string> Settings::*>;
  std::string_view name;    // the JSON key; the flag is "--" + name with '_' -> '-'
  std::string_view flag;    // the command-line spelling, e.g. "--timeout"
  Ptr ptr;
  std::string_view group;
  std::string_view help;
  bool secret = false;      // never echoed in results or --dump-config
};

const std::vector<Field>& settings_table();

// The effective settings as JSON (secrets redacted), for --dump-config and the
// results file. --config reads it back.
std::string settings_to_json(const Settings& s, bool pretty = true);

// Loads a config file over `s`. On error returns false and sets a one-line
// message naming the file, the field and what was expected.
bool load_config_file(const std::string& path, Settings& s, std::vector<std::string>& fields_set,
                      std::string& error);

// "Authorization: Bearer x" -> "Authorization: [redacted]" (any header whose
// name suggests a credential); other headers unchanged.
std::string redact_header(std::string_view header);

// True when the settings ask for load mode rather than the guide's spec mode.
bool is_load_mode(const Settings& s);

}  // namespace llmbench::cli
