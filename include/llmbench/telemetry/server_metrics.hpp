#pragma once
// The inference server's own figures, read from its /metrics exposition and
// mapped onto one canonical snapshot, whichever server wrote them.
//
// The name table (src/telemetry/server_metrics.cpp) knows llama-server's
// `llamacpp:` names (both the b9928 set and the newer b10587 one, with the
// cached-prompt and speculative counters, and the KV-cache gauges older builds
// had), vLLM's `vllm:` names (V1 engine, and the deprecated
// gpu_cache_usage_perc), SGLang's `sglang:` names and TGI's `tgi_` names.
// Every field is optional: a server that does not export a figure leaves it
// empty, never zero. A family with several series (vLLM's and SGLang's
// model_name / engine labels, one per data-parallel engine) is summed for
// counts and averaged for ratios. Families that fed no field, or fed one with
// only part of their series (a histogram's _sum, one `method` of TGI's
// inference counter), are kept whole in `other`.
//
// server_rates() derives throughput from two snapshots: counter increases
// over the window, a counter that went down (server restart) counted from 0
// (stats::counter_increase).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/telemetry/prometheus.hpp"

namespace llmbench::telemetry {

enum class ServerKind : std::uint8_t { unknown, llama_cpp, vllm, sglang, tgi };

[[nodiscard]] std::string_view to_string(ServerKind k) noexcept;

struct ServerMetrics {
  ServerKind kind = ServerKind::unknown;  // from the first known name prefix

  // Gauges.
  std::optional<double> requests_running;        // being decoded/prefilled now
  std::optional<double> requests_waiting;        // queued for a slot / batch
  std::optional<double> kv_usage_ratio;          // 0..1 of the KV cache in use
  std::optional<double> kv_used_tokens;          // tokens held in the KV cache
  std::optional<double> busy_slots_per_decode;   // llama.cpp: mean batch width
  std::optional<double> server_prompt_tokens_per_s;      // the server's own average
  std::optional<double> server_generation_tokens_per_s;  // the server's own average

  // Counters (totals since the server started).
  std::optional<double> prompt_tokens_total;         // prompt tokens evaluated
  std::optional<double> prompt_tokens_cached_total;  // prompt tokens reused from cache
  std::optional<double> generation_tokens_total;
  std::optional<double> prompt_seconds_total;        // llama.cpp: time in prompt processing
  std::optional<double> generation_seconds_total;    // llama.cpp: time generating
  std::optional<double> decode_calls_total;          // llama_decode() calls / TGI decode batches
  std::optional<double> preemptions_total;           // vLLM preemptions, SGLang retractions

  std::vector<std::string> model_names;  // distinct `model_name` label values seen
  std::vector<prom::Family> other;       // every family not fully mapped above
};

// Maps a parsed exposition. Pure; never fails (an unknown server gives a
// snapshot with only `other` filled).
[[nodiscard]] ServerMetrics map_server_metrics(const prom::Exposition& e);

// What a GET /metrics answer means, from its status alone: llama-server
// started without --metrics answers 501 (not_supported_error), SGLang without
// --enable-metrics has no such route (404).
enum class MetricsAnswer : std::uint8_t { ok, disabled, not_found, error };

[[nodiscard]] MetricsAnswer classify_metrics_answer(int http_status) noexcept;
// A line for the user: what the answer means and what to do about it.
[[nodiscard]] std::string_view describe(MetricsAnswer a) noexcept;

struct ServerRates {
  double window_s = 0;
  std::optional<double> prompt_tokens_per_s;
  std::optional<double> generation_tokens_per_s;
  std::optional<double> decode_calls_per_s;
  // Generated tokens per decode call over the window: how many sequences the
  // server decodes together (1.0 = no batching). Prompt tokens are left out
  // on purpose: a prompt goes through in chunks of up to n_batch tokens per
  // call and would swamp the figure; their decode calls stay in, so a window
  // with long prompts reads a little low.
  std::optional<double> generation_tokens_per_decode;
  bool counter_reset = false;  // some counter went down within the window
};

// Rates over `window_s` seconds between two snapshots of one server; a figure
// is present only when both snapshots have its counter(s) and window_s > 0.
[[nodiscard]] ServerRates server_rates(const ServerMetrics& before, const ServerMetrics& after,
                                       double window_s) noexcept;

}  // namespace llmbench::telemetry
