#include "llmbench/cli/settings.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <fstream>
#include <limits>
#include <sstream>

#include "llmbench/report/json_writer.hpp"

namespace llmbench::cli {

namespace {
using S = Settings;
using M = mock::MockConfig;

std::vector<Field> base_rows() {
  return {
      // target
      {"host", "--host", &S::host, "Target", "API host (default: localhost)"},
      {"port", "--port", &S::port, "Target", "API port (default: 8001)"},
      {"url", "--url", &S::url, "Target", "Base URL instead of --host/--port: http://host:port[/prefix] or https://..."},
      {"endpoint", "--endpoint", &S::endpoint, "Target",
       "chat (POST /v1/chat/completions), completions (POST /v1/completions), native (llama.cpp POST /completion), "
       "embeddings (POST /v1/embeddings) or rerank (llama-server POST /v1/rerank); the last two: load mode only, "
       "no streaming, figures E2E, requests/s and input tokens/s"},
      {"model", "--model", &S::model, "Target",
       "Model name to send (default: the first id GET /v1/models lists); in load mode also a weighted mix, "
       "a=0.7,b=0.3 (a,b: equal shares), each request sent to one model drawn by --seed, figures also per model"},
      {"api_key_env", "--api-key-env", &S::api_key_env, "Target",
       "Environment variable holding an API key, sent as 'Authorization: Bearer ...' (default: OPENAI_API_KEY when set)"},
      {"headers", "--header", &S::headers, "Target", "Extra request header 'Name: value' (repeatable)", true},
      {"continuous_usage", "--continuous-usage", &S::continuous_usage, "Target",
       "auto|on|off: ask for usage in every streamed event (stream_options.continuous_usage_stats: vLLM, SGLang), "
       "so each event's token count is exact (default auto: on for http://, off for https:// hosted APIs, which may "
       "refuse unknown fields)"},
      {"ca_file", "--ca-file", &S::ca_file, "Target", "PEM file of CA certificates for https:// targets"},
      {"insecure", "--insecure", &S::insecure, "Target", "Do not verify the server's TLS certificate (not recommended)"},
      // spec mode
      {"runs", "--runs", &S::runs, "Spec mode", "Number of runs per prompt (default: 5)"},
      {"prompts", "--prompts", &S::prompts, "Spec mode", "Comma-separated prompt keys to test (default: all six)"},
      {"output", "--output", &S::output, "Output", "Output JSON filename"},
      {"csv", "--csv", &S::csv, "Output", "One CSV row per request (every phase): times, TTFT, TPOT, E2E, tokens, status"},
      {"html", "--html", &S::html, "Output", "The run's report as one self-contained HTML page of charts"},
      {"export", "--export", &S::export_to, "Output",
       "--export vllm FILE: a load run's stages as vLLM bench serve's result JSON"},
      {"timeout_s", "--timeout", &S::timeout_s, "Spec mode", "Request timeout in seconds (default: 30)"},
      {"max_tokens", "--max-tokens", &S::max_tokens, "Spec mode", "max_tokens for every request (default: each prompt's own)"},
      {"stream", "--stream", &S::stream, "Spec mode", "Stream responses (default; --no-stream for one JSON body)"},
      {"warmup", "--warmup", &S::warmup, "Spec mode",
       "Warm-up requests per prompt, right before its measured runs (default: 1)"},
      {"wait_ready_s", "--wait-ready", &S::wait_ready_s, "Spec mode",
       "Poll GET /health for up to SECONDS until the server has loaded its model"},
      {"ignore_eos", "--ignore-eos", &S::ignore_eos, "Spec mode", "Ask the server to generate exactly max_tokens"},
      {"cache_prompt", "--cache-prompt", &S::cache_prompt, "Spec mode",
       "on|off: every request sends llama-server's cache_prompt (off: the whole prompt is evaluated each time; "
       "default: not sent, the server's own default, on)"},
      {"erase_slots", "--erase-slots", &S::erase_slots, "Spec mode",
       "Before each measured run, empty every slot's prompt cache (POST /slots/{id}?action=erase; llama-server "
       "needs --slot-save-path)"},
      // load mode
      {"threads", "--threads", &S::threads, "Load mode", "Worker threads (default: 1 per 1,000 streams or 5,000 req/s, at most one per core)"},
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
      {"prefix_tokens", "--prefix-tokens", &S::prefix_tokens, "Load mode",
       "Synthetic prompts start with a shared prefix of P tokens (a system prompt many users share), before their own "
       "--input-tokens"},
      {"prefix_groups", "--prefix-groups", &S::prefix_groups, "Load mode",
       "G distinct shared prefixes, one chosen per prompt by the seed; figures per group (default: 1)"},
      {"turns", "--turns", &S::turns, "Load mode",
       "Multi-turn sessions of N turns (synthetic prompts), or of up to N user turns of each --dataset conversation: "
       "turn k carries the earlier turns and the replies the server sent; figures per turn"},
      {"think_time", "--think-time", &S::think_time, "Load mode",
       "S[:SD]: seconds between a reply's end and the session's next turn (normal, cut at 0; default: 0)"},
      {"max_history_tokens", "--max-history-tokens", &S::max_history_tokens, "Load mode",
       "A session's history keeps only its newest turns within this many tokens (default: 0, all)"},
      {"trace", "--trace", &S::trace, "Load mode",
       "Replay a request trace: arrivals at its times, its input and output lengths (Mooncake JSON Lines "
       "or Azure CSV, told by content); replaces --rate/--concurrency/--duration"},
      {"trace_speed", "--trace-speed", &S::trace_speed, "Load mode",
       "Trace time compression: 2 replays twice as fast (default: 1)"},
      {"trace_window", "--trace-window", &S::trace_window, "Load mode",
       "START:END: replay only the trace's arrivals in these seconds from its first, re-based to 0"},
      {"keepalive", "--keepalive", &S::keepalive, "Load mode", "Reuse connections (default; --no-keepalive: one per request)"},
      {"slo", "--slo", &S::slo, "Load mode", "Goodput bounds: ttft_ms=..,tpot_ms=..,e2e_ms=.."},
      {"sweep", "--sweep", &S::sweep, "Load mode", "concurrency=1,2,4,..., rate=1,2,5,... or auto"},
      {"ramp", "--ramp", &S::ramp, "Load mode",
       "rate=A..B (open loop, req/s) or concurrency=A..B (closed loop, clients): the load moves from A to B "
       "over --duration (warm-up at A, cool-down at B)"},
      {"ramp_shape", "--ramp-shape", &S::ramp_shape, "Load mode",
       "linear (default) or exponential (geometric from A to B; both above 0)"},
      {"idle_timeout_s", "--idle-timeout", &S::idle_timeout_s, "Load mode", "Fail a request after SECONDS without a byte"},
      {"max_event_bytes", "--max-event-bytes", &S::max_event_bytes, "Load mode", "Largest SSE event accepted (default: 1 MiB)"},
      {"stamp_lag", "--stamp-lag", &S::stamp_lag, "Load mode",
       "Measure delivery lag: events carry their send time as \"stamp_ns\" (CLOCK_MONOTONIC, same host), "
       "as llmbench_bench_server --stamp sends"},
      {"abort_after_s", "--abort-after", &S::abort_after_s, "Load mode",
       "Stop a stage when every request has failed to connect for SECONDS (default: 5; 0: never); exit code 3"},
      {"max_error_rate", "--max-error-rate", &S::max_error_rate, "Load mode",
       "Stop a stage once more than this share (0..1) of at least 20 requests failed (default: 0, never); exit code 7"},
      {"client_limits", "--client-limits", &S::client_limits, "Load mode",
       "When the client counts as the bottleneck: read_lag_ms=1,schedule_lag_ms=5,turnaround_ms=5,worker_cpu=0.9 "
       "(p99s; worker_cpu: the busiest worker thread's share of a core)"},
      {"strict", "--strict", &S::strict, "Load mode",
       "Exit with code 6 when the client was the bottleneck in any stage (results still written)"},
      {"repeat", "--repeat", &S::repeat, "Load mode",
       "Run every load stage N times (fresh connections each time) for run-to-run intervals (default: 1)"},
      {"timeseries_interval_s", "--timeseries-interval", &S::timeseries_interval_s, "Output",
       "Seconds per bucket of each stage's time series (default: 1)"},
      {"timestamps", "--timestamps", &S::timestamps, "Load mode",
       "Each read's time: kernel (default: the kernel's receive time, where the socket gives one) or user "
       "(the clock read after the read); spec mode too"},
      // scale-out
      {"shard", "--shard", &S::shard, "Scale-out",
       "Run shard I of N (0-based, 'I/N'): open loop, arrivals I, I+N, ...; closed loop, a share of the "
       "concurrency (default: from JOB_COMPLETION_INDEX with --shards, or Slurm's array/task variables)"},
      {"shards", "--shards", &S::shards, "Scale-out",
       "N shards, this one's index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or Slurm"},
      {"start_at", "--start-at", &S::start_at, "Scale-out",
       "Start the stages at this wall-clock time: RFC 3339 (2026-01-02T15:04:05Z) or +SECONDS from now"},
      // telemetry
      {"server_metrics", "--server-metrics", &S::server_metrics, "Telemetry",
       "The server's Prometheus metrics: auto (default: GET /metrics on the target, skipped if it has none), "
       "off, or a URL"},
      {"metrics_interval_s", "--metrics-interval", &S::metrics_interval_s, "Telemetry",
       "Seconds between samples of /metrics, /slots, the host and the server process (default: 1)"},
      {"server_pid", "--server-pid", &S::server_pid, "Telemetry",
       "The server's process id, sampled from /proc (default: found from the target's port when it is local)"},
      // built-in server (its own options follow, from mock_options())
      {"mock", "--mock", &S::mock, "Built-in server", "Start the built-in llama-server imitation on 127.0.0.1 and benchmark it"},
  };
}

// "decode_tps" -> key "mock_decode_tps"; "--decode-tps" -> "--mock-decode-tps".
// The strings live as long as the table (a deque never moves its elements).
void add_mock_rows(std::vector<Field>& rows) {
  static std::deque<std::string> storage;
  for (const MockOption& o : mock_options()) {
    if (!o.in_run) continue;
    const std::string& key = storage.emplace_back("mock_" + std::string(o.field));
    const std::string& flag = storage.emplace_back("--mock-" + std::string(o.flag.substr(2)));
    rows.push_back(Field{key, flag, o.ptr, "Built-in server", o.help});
  }
}

}  // namespace

namespace {
// A data table, returned whole (the function-length rule exempts tables).
std::vector<MockOption> mock_rows() {
  return {
      {"host", "--host", &M::host, "Bind address (default: 127.0.0.1)"},
      {"port", "--port", &M::port, "Port (default: 0, any free port; printed at start)"},
      {"decode_tps", "--decode-tps", &M::decode_tps, "Tokens/s per slot while decoding (default: 50)", true},
      {"prompt_tps", "--prompt-tps", &M::prompt_tps, "Prompt tokens/s, also the input of /v1/embeddings and /v1/rerank (default: 2000)", true},
      {"ttft_ms", "--ttft-ms", &M::ttft_ms, "Extra delay before the first token", true},
      {"prompt_cache", "--prompt-cache", &M::prompt_cache,
       "Prompt cache: a slot reuses the prefix a prompt shares with its last one (default: on)", true},
      {"slots", "--slots", &M::slots, "Parallel slots, like llama-server --parallel (default: 4)", true},
      {"jitter", "--jitter", &M::jitter, "Relative random variation of each token gap, 0..1", true},
      {"seed", "--seed", &M::seed, "Seed for the jitter, the generated text and the embedding vectors and rerank scores"},
      {"n_ctx_slot", "--ctx-per-slot", &M::n_ctx_slot,
       "Context per slot (default: 4096): a longer prompt gets 400 exceed_context_size_error, "
       "a generation that fills it ends with finish_reason \"length\"",
       true},
      {"eos_after_tokens", "--eos-after-tokens", &M::eos_after_tokens,
       "The model stops by itself (finish_reason \"stop\") after N tokens unless a request sets ignore_eos "
       "(default: 0, never)",
       true},
      {"default_max_tokens", "--default-max-tokens", &M::default_max_tokens,
       "Tokens when a request sets none (default: 256)"},
      {"fault", "--fault", &M::fault,
       "Inject a fault (several, comma-separated, are taken in turn; see `llmbench mock-server --help`)", true},
      {"fault_every", "--fault-every", &M::fault_every,
       "Apply the fault to every K-th completion request (default: 1)", true},
      {"fault_after_tokens", "--fault-after-tokens", &M::fault_after_tokens,
       "Mid-stream faults strike after N tokens (default: 3)"},
      {"dribble_gap_us", "--dribble-gap-us", &M::dribble_gap_us, "Pause between single-byte writes for 'dribble'"},
      {"load_seconds", "--load-seconds", &M::load_seconds, "Answer 503 'Loading model' for this long after start", true},
      {"model_path", "--model-path", &M::model_path, "Model path the server reports"},
      {"alias", "--alias", &M::alias, "Model alias (llama-server --alias)"},
      {"api_prefix", "--api-prefix", &M::api_prefix, "Serve every endpoint under this path (llama-server --api-prefix)"},
      {"threads", "--threads", &M::threads, "I/O threads (default: 1)", true},
      {"stamp", "--stamp", &M::stamp,
       "Each token event carries \"stamp_ns\": CLOCK_MONOTONIC when it was written (the truth for --stamp-lag)", true},
      {"metrics", "--metrics", &M::metrics,
       "Serve GET /metrics (llama-server --metrics); without it /metrics answers 501 as the real server does", true},
      {"slot_actions", "--slot-actions", &M::slot_actions,
       "Serve POST /slots/{id}?action=erase (llama-server --slot-save-path); without it slot actions answer 501",
       true},
      // Issue 11: first-token times and tokens per event.
      {"reasoning_tokens", "--reasoning-tokens", &M::reasoning_tokens,
       "Chat streams send their first N tokens as delta.reasoning_content (llama-server --reasoning-format deepseek)",
       true},
      {"tokens_per_event", "--tokens-per-event", &M::tokens_per_event,
       "Streamed events carry K tokens' text each (vLLM stream interval, speculative decoding; default: 1)", true},
      {"continuous_usage", "--continuous-usage", &M::continuous_usage,
       "Honour stream_options.continuous_usage_stats: usage in every token event, as vLLM does (llama-server "
       "ignores it; default: off)",
       true},
      // Issue 14: a router serving several models.
      {"models", "--models", &M::models,
       "Serve these models, comma-separated, like llama-server's router mode: requests are routed by their "
       "\"model\" (the reply names it), an unknown one gets the router's 400 \"model not found\", and GET /v1/models "
       "lists them (default: one model, any name accepted)",
       true},
      {"tool_calls", "--tool-calls", &M::tool_calls,
       "A chat request with \"tools\" gets a call of its first tool: its tokens stream as delta.tool_calls "
       "pieces of the arguments, finish_reason \"tool_calls\" (default: off, tools ignored)",
       true},
  };
}
}  // namespace

const std::vector<MockOption>& mock_options() {
  static const std::vector<MockOption> table = mock_rows();
  return table;
}

const std::vector<Field>& settings_table() {
  static const std::vector<Field> table = [] {
    std::vector<Field> rows = base_rows();
    add_mock_rows(rows);
    rows.push_back({"no_progress", "--no-progress", &S::no_progress, "Output", "No live progress line on stderr"});
    return rows;
  }();
  return table;
}

std::string flag_of(std::string_view field_name) {
  for (const Field& f : settings_table()) {
    if (f.name == field_name) return std::string(f.flag);
  }
  std::string s = "--" + std::string(field_name);
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
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
    visit_field(f, s, [&](const auto& v) {
      using T = std::remove_cvref_t<decltype(v)>;
      if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        w.begin_array();
        for (const std::string& e : v) w.value(f.name == "headers" ? redact_header(e) : e);
        w.end_array();
      } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, std::uint16_t>) {
        w.value(static_cast<std::int64_t>(v));
      } else {
        w.value(v);
      }
    });
  }
  if (!s.stages.empty()) {
    w.key("stages").begin_array();
    for (const StageSetting& st : s.stages) {
      w.begin_object();
      if (st.concurrency > 0) w.field("concurrency", static_cast<std::int64_t>(st.concurrency));
      if (st.rate > 0) w.field("rate", st.rate);
      if (!st.ramp.empty()) w.field("ramp", st.ramp);
      if (!st.ramp_shape.empty()) w.field("ramp_shape", st.ramp_shape);
      if (st.duration_s > 0) w.field("duration", st.duration_s);
      if (st.requests > 0) w.field("requests", st.requests);
      if (st.warmup_s >= 0) w.field("warmup", st.warmup_s);
      if (st.cooldown_s >= 0) w.field("cooldown", st.cooldown_s);
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  return w.take();
}

bool is_load_mode(const Settings& s) {
  return s.concurrency > 0 || s.rate > 0 || !s.sweep.empty() || !s.ramp.empty() || !s.stages.empty() || s.requests > 0 || s.duration_s > 0 ||
         !s.dataset.empty() || !s.input_tokens.empty() || !s.trace.empty();
}

}  // namespace llmbench::cli
