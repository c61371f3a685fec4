#include "llmbench/cli/parsed_settings.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <cmath>
#include <sstream>

#include "llmbench/cli/model_settings.hpp"
#include "llmbench/cli/options.hpp"
#include "llmbench/cli/stage_settings.hpp"
#include "llmbench/load/prompts.hpp"

namespace llmbench::cli {

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

Status check_target(const Settings& s, ParsedSettings& p) {
  if (s.url.empty() && (s.port < 1 || s.port > 65535)) {
    return Unexpected("--port " + std::to_string(s.port) + ": expected 1..65535");
  }
  if (!s.url.empty()) {
    auto url = http::parse_url(s.url);
    if (!url) return Unexpected("--url: " + url.error());
    p.url = std::move(*url);
  }
  const auto flavor = protocol::parse_flavor(s.endpoint);
  if (!flavor) return Unexpected("--endpoint '" + s.endpoint + "': expected chat, completions, native, embeddings or rerank");
  p.flavor = *flavor;
  for (const std::string& h : s.headers) {
    const auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0 || h.find_first_of("\r\n") != std::string::npos) {
      return Unexpected("--header '" + redact_header(h) + "': expected 'Name: value'");
    }
    std::string value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    p.headers.emplace_back(h.substr(0, colon), std::move(value));
  }
  return {};
}

Status check_spec(const Settings& s) {
  if (s.runs < 1) return Unexpected("--runs " + std::to_string(s.runs) + ": expected at least 1");
  if (!(s.timeout_s > 0)) return Unexpected("--timeout: expected a positive number of seconds");
  if (s.max_tokens < 0) return Unexpected("--max-tokens: expected a positive number (or 0 for each prompt's own)");
  if (s.warmup < 0) return Unexpected("--warmup: expected 0 or more requests");
  if (s.wait_ready_s < 0) return Unexpected("--wait-ready: expected 0 or more seconds");
  for (std::size_t i = 0; i < s.prompts.size(); ++i) {
    const std::string& key = s.prompts[i];
    if (!find_builtin_prompt(key)) {
      return Unexpected("--prompts: unknown prompt key '" + key + "' (valid keys: " + builtin_prompt_keys() + ")");
    }
    const auto before = s.prompts.begin() + static_cast<std::ptrdiff_t>(i);
    if (std::find(s.prompts.begin(), before, key) != before) return Unexpected("--prompts: '" + key + "' given twice");
  }
  return {};
}

// Cache hygiene (spec mode's repeated runs of one prompt and llama-server's
// prompt cache): --cache-prompt decides what every request asks for;
// --erase-slots works between spec runs only.
Status check_cache(const Settings& s, ParsedSettings& p) {
  if (s.cache_prompt == "on") p.cache_prompt = true;
  else if (s.cache_prompt == "off") p.cache_prompt = false;
  else if (!s.cache_prompt.empty()) return Unexpected("--cache-prompt '" + s.cache_prompt + "': expected on or off");
  if (s.continuous_usage == "on") p.continuous_usage = true;
  else if (s.continuous_usage == "off") p.continuous_usage = false;
  else if (s.continuous_usage != "auto") {
    return Unexpected("--continuous-usage '" + s.continuous_usage + "': expected auto, on or off");
  }
  if (s.erase_slots && p.load_mode) {
    return Unexpected("--erase-slots is for spec mode: it empties the slots between one run and the next, "
                      "which a load stage does not have");
  }
  return {};
}

Expected<Arrival> parse_arrival(const std::string& text) {
  if (text == "constant") return Arrival::constant;
  if (text == "poisson") return Arrival::poisson;
  if (text == "gamma") return Arrival::gamma;
  return Unexpected("--arrival '" + text + "': expected constant, poisson or gamma");
}

Status check_load_numbers(const Settings& s) {
  if (!(s.burstiness > 0)) return Unexpected("--burstiness: expected a positive gamma shape");
  if (s.threads < 0) return Unexpected("--threads: expected 0 (chosen from the load) or more");
  if (s.threads > 256) return Unexpected("--threads " + std::to_string(s.threads) + ": at most 256");
  if (s.concurrency < 0) return Unexpected("--concurrency: expected a positive number");
  if (s.rate < 0 || !std::isfinite(s.rate)) return Unexpected("--rate: expected a positive number of requests/s");
  if (s.concurrency > 0 && s.rate > 0) return Unexpected("--concurrency and --rate: choose one (closed or open loop)");
  if (s.max_concurrency < 0) return Unexpected("--max-concurrency: expected 0 (no cap) or more");
  if (s.duration_s < 0 || s.warmup_s < 0 || s.cooldown_s < 0) {
    return Unexpected("--duration/--warmup-seconds/--cooldown-seconds: expected 0 or more seconds");
  }
  if (s.idle_timeout_s < 0) return Unexpected("--idle-timeout: expected 0 or more seconds");
  if (s.max_event_bytes < 64) return Unexpected("--max-event-bytes: expected at least 64");
  if (s.abort_after_s < 0 || !std::isfinite(s.abort_after_s)) return Unexpected("--abort-after: expected 0 or more seconds");
  if (s.max_error_rate < 0 || s.max_error_rate > 1) return Unexpected("--max-error-rate: expected a share from 0 to 1");
  if (s.repeat < 1 || s.repeat > 1000) return Unexpected("--repeat " + std::to_string(s.repeat) + ": expected 1..1000");
  if (!(s.timeseries_interval_s >= 0.01) || !std::isfinite(s.timeseries_interval_s)) {
    return Unexpected("--timeseries-interval: expected at least 0.01 seconds");
  }
  return {};
}

Status check_timestamps(const Settings& s, ParsedSettings& p) {
  const auto t = http::parse_read_timestamps(s.timestamps);
  if (!t) return Unexpected("--timestamps '" + s.timestamps + "': expected kernel or user");
  p.timestamps = *t;
  return {};
}

Status check_prompt_source(const Settings& s, ParsedSettings& p) {
  if (!s.dataset.empty() && !s.input_tokens.empty()) return Unexpected("--dataset and --input-tokens: choose one prompt source");
  if (!s.output_tokens.empty() && s.input_tokens.empty()) return Unexpected("--output-tokens needs --input-tokens");
  if (!s.input_tokens.empty()) {
    auto in = parse_length_spec(s.input_tokens);
    if (!in) return Unexpected("--input-tokens: " + in.error());
    p.input_tokens = *in;
  }
  if (!s.output_tokens.empty()) {
    auto out = parse_length_spec(s.output_tokens);
    if (!out) return Unexpected("--output-tokens: " + out.error());
    p.output_tokens = *out;
  }
  if (s.prefix_tokens < 0) return Unexpected("--prefix-tokens " + std::to_string(s.prefix_tokens) + ": expected >= 1");
  if (s.prefix_groups < 1 || s.prefix_groups > 1000) {
    return Unexpected("--prefix-groups " + std::to_string(s.prefix_groups) + ": expected 1 to 1000");
  }
  if (s.prefix_tokens > 0 && s.input_tokens.empty()) {
    return Unexpected("--prefix-tokens needs --input-tokens (it prefixes synthetic prompts)");
  }
  if (s.prefix_groups > 1 && s.prefix_tokens == 0) return Unexpected("--prefix-groups needs --prefix-tokens");
  p.prefix = PrefixSpec{static_cast<std::uint32_t>(s.prefix_tokens), static_cast<std::uint32_t>(s.prefix_groups)};
  return {};
}

// "S" or "S:SD", seconds, both 0 or more.
Expected<LengthSpec> parse_think_time(const std::string& text) {
  const std::string bad = "--think-time '" + text + "': expected SECONDS or SECONDS:STDDEV, 0 or more";
  const std::size_t colon = text.find(':');
  LengthSpec out;
  try {
    std::size_t used = 0;
    const std::string mean = text.substr(0, colon);
    out.mean = std::stod(mean, &used);
    if (used != mean.size()) return Unexpected(bad);
    if (colon != std::string::npos) {
      const std::string sd = text.substr(colon + 1);
      out.stddev = std::stod(sd, &used);
      if (used != sd.size()) return Unexpected(bad);
    }
  } catch (const std::exception&) {
    return Unexpected(bad);
  }
  if (!(out.mean >= 0) || !(out.stddev >= 0) || !std::isfinite(out.mean) || !std::isfinite(out.stddev) ||
      out.mean > 3600) {
    return Unexpected(bad + " (at most 3600)");
  }
  return out;
}

// --turns, --think-time, --max-history-tokens: sessions need a load run of
// synthetic or dataset prompts that generates text.
Status check_session(const Settings& s, ParsedSettings& p) {
  if (s.turns == 0) {
    if (!s.think_time.empty()) return Unexpected("--think-time needs --turns (it is the pause between a session's turns)");
    if (s.max_history_tokens != 0) return Unexpected("--max-history-tokens needs --turns");
    return {};
  }
  if (s.turns < 0 || s.turns > 256) return Unexpected("--turns " + std::to_string(s.turns) + ": expected 1 to 256");
  if (s.max_history_tokens < 0) return Unexpected("--max-history-tokens: expected 0 (all) or more");
  if (s.input_tokens.empty() && s.dataset.empty()) {
    return Unexpected("--turns needs --input-tokens (synthetic turns) or --dataset (its conversations)");
  }
  if (!p.load_mode || !s.trace.empty()) return Unexpected("--turns needs a load run (--concurrency or --rate), not a trace");
  if (!protocol::generates(p.flavor)) return Unexpected("--turns: --endpoint " + s.endpoint + " has no replies to carry");
  SessionSpec spec;
  spec.turns = s.turns;
  spec.max_history_tokens = static_cast<std::uint32_t>(s.max_history_tokens);
  if (!s.think_time.empty()) {
    auto think = parse_think_time(s.think_time);
    if (!think) return Unexpected(think.error());
    spec.think_s = *think;
  }
  p.session = spec;
  return {};
}

Status check_load(const Settings& s, ParsedSettings& p) {
  auto arrival = parse_arrival(s.arrival);
  if (!arrival) return Unexpected(arrival.error());
  p.arrival = *arrival;
  if (Status st = check_load_numbers(s); !st) return st;
  if (Status st = check_prompt_source(s, p); !st) return st;
  auto sweep = parse_sweep(s.sweep);
  if (!sweep) return Unexpected(sweep.error());
  p.sweep = std::move(*sweep);
  auto slo = parse_slo(s.slo);
  if (!slo) return Unexpected(slo.error());
  p.slo = *slo;
  auto limits = stats::parse_client_limits(s.client_limits);
  if (!limits) return Unexpected(limits.error());
  p.client_limits = *limits;
  auto trace = resolve_trace(s);
  if (!trace) return Unexpected(trace.error());
  p.trace = std::move(*trace);
  auto ramp = resolve_ramp(s);
  if (!ramp) return Unexpected(ramp.error());
  p.ramp = *ramp;
  auto stages = resolve_config_stages(s);
  if (!stages) return Unexpected(stages.error());
  p.config_stages = std::move(*stages);
  p.load_mode = is_load_mode(s);
  if (!p.load_mode && !protocol::generates(p.flavor)) {
    // Spec mode's report is tokens/s of one client's generation; these
    // endpoints generate nothing, so it would be a table of absent figures.
    return Unexpected("--endpoint " + s.endpoint +
                      " generates no tokens, so spec mode has nothing to report: use load mode "
                      "(--concurrency N or --rate R, with --requests N or --duration SECONDS)");
  }
  if (!protocol::generates(p.flavor) && (p.slo.ttft_ms > 0 || p.slo.tpot_ms > 0)) {
    // No request would ever meet a bound on a time that does not exist.
    return Unexpected("--slo: --endpoint " + s.endpoint + " has no TTFT or TPOT (nothing is generated); use e2e_ms=N");
  }
  if (Status st = check_session(s, p); !st) return st;
  if (p.load_mode && !p.trace && p.config_stages.empty() && s.requests == 0 && s.duration_s <= 0) {
    return Unexpected(p.sweep.kind == SweepSpec::Kind::automatic
                          ? "--sweep auto needs --duration or --requests for each stage"
                          : "load mode needs a bound: --requests N and/or --duration SECONDS");
  }
  if (!s.export_to.empty() && (s.export_to.size() != 2 || s.export_to[0] != "vllm")) {
    return Unexpected("--export takes a format and a file: --export vllm FILE");
  }
  if (!s.export_to.empty() && !p.load_mode) {
    return Unexpected("--export vllm needs a load run (--concurrency, --rate or --sweep): vLLM's fields describe load stages");
  }
  return {};
}

// A config file's stages over shards: each closed stage's clients and count
// must split, and a concurrency ramp cannot (its clients join one by one).
Status check_config_stage_shards(const ParsedSettings& p, const std::string& who) {
  const std::uint32_t n = p.scale.shard.count;
  for (std::size_t i = 0; i < p.config_stages.size(); ++i) {
    const StagePlan& st = p.config_stages[i];
    if (st.mode != LoadMode::closed) continue;
    if (st.ramp) return Unexpected(fmt::format("{}: stages[{}] is a concurrency ramp, which cannot be split over shards", who, i));
    if (static_cast<std::uint32_t>(st.concurrency) < n || (st.requests > 0 && st.requests < n)) {
      return Unexpected(fmt::format("{}: stages[{}] (concurrency {}, requests {}) cannot be split over {} shards", who, i,
                                    st.concurrency, st.requests, n));
    }
  }
  return {};
}

// A sharded run must add up to the single-process run: every shard needs a
// part of each stage, and the stage list must be known before the run.
Status check_shards(const ParsedSettings& p) {
  const ShardPlan sh = p.scale.shard;
  if (sh.count <= 1) return {};
  const std::string who = p.scale.source == "--shard" ? "--shard " + p.raw.shard : p.scale.source;
  if (!p.load_mode) return Unexpected(who + ": shards need load mode (--concurrency or --rate, with a bound)");
  if (p.sweep.kind == SweepSpec::Kind::automatic) {
    return Unexpected(who + ": --sweep auto picks its rates from its own measurements, which shards would not share");
  }
  if (p.ramp && p.ramp->mode == LoadMode::closed) {
    return Unexpected(who + ": a concurrency ramp's clients join one at a time and cannot be split over shards "
                            "(a rate ramp can)");
  }
  if (Status st = check_config_stage_shards(p, who); !st) return st;
  const bool closed = p.sweep.kind == SweepSpec::Kind::concurrency ||
                      (p.sweep.kind == SweepSpec::Kind::none && p.raw.rate <= 0 && !p.trace && !p.ramp &&
                       p.config_stages.empty());
  if (!closed) return {};
  double least = std::max(1, p.raw.concurrency);
  for (const double v : p.sweep.values) least = std::min(least, v);
  if (least < sh.count) {
    return Unexpected(fmt::format("{}: concurrency {:g} cannot be split over {} shards", who, least, sh.count));
  }
  if (p.raw.requests > 0 && p.raw.requests < sh.count) {
    return Unexpected(fmt::format("{}: --requests {} cannot be split over {} shards", who, p.raw.requests, sh.count));
  }
  return {};
}

// --model a=0.7,b=0.3: a share of the requests per model, which spec mode
// (every prompt a fixed number of runs, one client) does not have.
Status check_models(const Settings& s, ParsedSettings& p) {
  auto models = parse_model_mix(s.model);
  if (!models) return Unexpected(models.error());
  p.models = std::move(*models);
  if (p.models.size() > 1 && !p.load_mode) {
    return Unexpected("--model '" + s.model + "': a mix of models shares the requests of a load run; use load mode "
                      "(--concurrency N or --rate R, with --requests N or --duration SECONDS)");
  }
  if (p.models.size() > 1 && p.session) {
    // A conversation stays with one model; drawing one per turn would mix
    // histories across models, and per-session draws are not built yet.
    return Unexpected("--model '" + s.model + "': a mix of models cannot be combined with --turns (sessions)");
  }
  return {};
}

Status check_telemetry(const Settings& s, ParsedSettings& p) {
  auto src = telemetry::parse_metrics_source(s.server_metrics);
  if (!src) return Unexpected(src.error());
  p.server_metrics = std::move(*src);
  if (!(s.metrics_interval_s >= 0.05) || !std::isfinite(s.metrics_interval_s) || s.metrics_interval_s > 3600) {
    return Unexpected("--metrics-interval: expected 0.05 to 3600 seconds");
  }
  if (s.server_pid < 0) return Unexpected("--server-pid: expected a process id (or 0 to find it from the port)");
  return {};
}

}  // namespace

Expected<SweepSpec> parse_sweep(const std::string& text) {
  SweepSpec out;
  if (text.empty()) return out;
  if (text == "auto") {
    out.kind = SweepSpec::Kind::automatic;
    return out;
  }
  const auto eq = text.find('=');
  const std::string what = text.substr(0, eq);
  if (eq == std::string::npos || (what != "concurrency" && what != "rate") ||
      !parse_number_list(std::string_view(text).substr(eq + 1), out.values)) {
    return Unexpected("--sweep '" + text + "': expected concurrency=1,2,4,..., rate=1,2,5,... or auto");
  }
  out.kind = what == "concurrency" ? SweepSpec::Kind::concurrency : SweepSpec::Kind::rate;
  if (out.kind == SweepSpec::Kind::concurrency) {
    for (const double v : out.values) {
      if (v != std::floor(v) || v > 1'000'000) {
        return Unexpected("--sweep '" + text + "': concurrency values must be whole numbers");
      }
    }
  }
  return out;
}

Expected<stats::Slo> parse_slo(const std::string& text) {
  stats::Slo out;
  std::stringstream ss(text);
  std::string item;
  while (!text.empty() && std::getline(ss, item, ',')) {
    const auto eq = item.find('=');
    const std::string key = item.substr(0, eq);
    char* end = nullptr;
    const double v = eq == std::string::npos ? 0 : std::strtod(item.c_str() + eq + 1, &end);
    const bool number_ok = eq != std::string::npos && end == item.c_str() + item.size() && std::isfinite(v) && v > 0;
    double* dst = key == "ttft_ms" ? &out.ttft_ms : key == "tpot_ms" ? &out.tpot_ms : key == "e2e_ms" ? &out.e2e_ms : nullptr;
    if (dst == nullptr || !number_ok) {
      return Unexpected("--slo '" + text + "': expected ttft_ms=N,tpot_ms=N,e2e_ms=N (positive milliseconds), got '" +
                        item + "'");
    }
    *dst = v;
  }
  return out;
}

Expected<ParsedSettings> parse_settings(const Settings& s) {
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::system_clock::now().time_since_epoch()).count();
  return parse_settings(s, process_env(), now);
}

Expected<ParsedSettings> parse_settings(const Settings& s, const EnvLookup& env, std::int64_t now_unix_ns) {
  ParsedSettings p;
  p.raw = s;
  if (Status st = check_target(s, p); !st) return Unexpected(st.error());
  if (Status st = check_spec(s); !st) return Unexpected(st.error());
  if (Status st = check_load(s, p); !st) return Unexpected(st.error());
  if (Status st = check_timestamps(s, p); !st) return Unexpected(st.error());
  if (Status st = check_cache(s, p); !st) return Unexpected(st.error());
  if (Status st = check_telemetry(s, p); !st) return Unexpected(st.error());
  if (Status st = check_models(s, p); !st) return Unexpected(st.error());
  if (const auto mock = mock::validate(s.mock_config); !mock) return Unexpected(describe(mock.error(), false));
  auto scale = resolve_shard_settings(s, env, now_unix_ns);
  if (!scale) return Unexpected(scale.error());
  p.scale = std::move(*scale);
  if (Status st = check_shards(p); !st) return Unexpected(st.error());
  return p;
}

}  // namespace llmbench::cli
