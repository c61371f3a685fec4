#pragma once
// Settings parsed once into the typed values the run needs ("parse, don't
// validate"): nothing downstream parses a flag's text again.
#include <optional>
#include <string>
#include <vector>

#include "llmbench/cli/ramp_settings.hpp"
#include "llmbench/cli/settings.hpp"
#include "llmbench/cli/shard_settings.hpp"
#include "llmbench/cli/trace_settings.hpp"
#include "llmbench/http/read_timestamps.hpp"
#include "llmbench/http/request.hpp"
#include "llmbench/http/url.hpp"
#include "llmbench/load/plan.hpp"
#include "llmbench/load/synthetic.hpp"
#include "llmbench/protocol/api.hpp"
#include "llmbench/stats/slo.hpp"
#include "llmbench/telemetry/run_telemetry.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::cli {

struct SweepSpec {
  enum class Kind : std::uint8_t { none, concurrency, rate, automatic } kind = Kind::none;
  std::vector<double> values;
};

// --turns, --think-time, --max-history-tokens.
struct SessionSpec {
  int turns = 0;
  LengthSpec think_s;  // mean 0: no think time
  std::uint32_t max_history_tokens = 0;
};

struct ParsedSettings {
  Settings raw;  // as given: echoed in the results (secrets redacted)
  protocol::ApiFlavor flavor = protocol::ApiFlavor::chat;
  Arrival arrival = Arrival::poisson;
  SweepSpec sweep;
  stats::Slo slo;
  stats::ClientLimits client_limits;
  std::optional<http::Target> url;  // --url
  http::HeaderList headers;         // --header, split into name and value
  std::optional<LengthSpec> input_tokens;
  std::optional<LengthSpec> output_tokens;
  PrefixSpec prefix;  // --prefix-tokens / --prefix-groups
  std::optional<SessionSpec> session;  // --turns
  std::optional<TraceReplay> trace;  // --trace, read and windowed
  std::optional<RampSpec> ramp;      // --ramp, --ramp-shape
  std::vector<StagePlan> config_stages;  // a config file's "stages" (stage_settings.hpp)
  bool load_mode = false;
  std::optional<bool> cache_prompt;  // --cache-prompt on|off; nullopt: not sent
  std::optional<bool> continuous_usage;  // --continuous-usage on|off; nullopt: auto (by the target's scheme)
  http::ReadTimestamps timestamps = http::ReadTimestamps::kernel;
  ShardSettings scale;  // --shard / --shards / --start-at
  telemetry::MetricsSource server_metrics;  // --server-metrics
  // --model: a weighted mix (model_settings.hpp), or one model given as
  // `name=weight`; empty for a plain name, sent as it is.
  std::vector<ModelShare> models;
};

// Checks ranges and combinations and parses every flag's text; an error is
// one line naming the flag.
// The shard comes from `env` when no --shard is given; "+SECONDS" in
// --start-at counts from `now_unix_ns`. The one-argument form reads the
// process's environment and clock.
Expected<ParsedSettings> parse_settings(const Settings& s);
Expected<ParsedSettings> parse_settings(const Settings& s, const EnvLookup& env, std::int64_t now_unix_ns);

// Parses --sweep; an empty text is Kind::none.
Expected<SweepSpec> parse_sweep(const std::string& text);
// Parses --slo "ttft_ms=..,tpot_ms=..,e2e_ms=..".
Expected<stats::Slo> parse_slo(const std::string& text);

}  // namespace llmbench::cli
