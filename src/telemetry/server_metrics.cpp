#include "llmbench/telemetry/server_metrics.hpp"

#include <algorithm>
#include <cmath>

#include "llmbench/stats/sampled_series.hpp"

namespace llmbench::telemetry {
namespace {

using Field = std::optional<double> ServerMetrics::*;

// Counts add up across series (one per data-parallel engine or model);
// ratios and per-engine averages do not, so those take the mean.
enum class Combine : std::uint8_t { sum, mean };

struct Rule {
  std::string_view family;
  Field field;
  Combine combine = Combine::sum;
  // Only the samples called this (a histogram's x_sum); empty: the family's own.
  std::string_view sample = {};
  // Only the samples with this label value (TGI's method="decode").
  std::string_view label = {};
  std::string_view label_value = {};
};

using M = ServerMetrics;

// Where each name comes from (read, then written down here in our words):
//  - llama.cpp tools/server (server-context.cpp's metrics handler, README
//    "GET /metrics"); the fixtures metrics*.http (b10587) and
//    metrics_b9928_body.txt (b9928). kv_cache_usage_ratio / kv_cache_tokens
//    are gone from both captured builds but older servers still export them.
//  - vLLM docs "Production Metrics" and vllm/v1/metrics/loggers.py: counters
//    get prometheus_client's _total suffix; gpu_cache_usage_perc is the
//    pre-0.10 name of kv_cache_usage_perc (both are 0..1, not percent).
//  - SGLang docs "Production Metrics" and srt/metrics/collector.py.
//  - TGI docs reference/metrics.md and its router: histograms carry _sum;
//    tgi_batch_inference_count has method="prefill"|"decode".
// Within one field the first rule whose family is present wins.
constexpr Rule kRules[] = {
    {"llamacpp:requests_processing", &M::requests_running},
    {"llamacpp:requests_deferred", &M::requests_waiting},
    {"llamacpp:kv_cache_usage_ratio", &M::kv_usage_ratio, Combine::mean},
    {"llamacpp:kv_cache_tokens", &M::kv_used_tokens},
    {"llamacpp:n_busy_slots_per_decode", &M::busy_slots_per_decode, Combine::mean},
    {"llamacpp:prompt_tokens_seconds", &M::server_prompt_tokens_per_s, Combine::mean},
    {"llamacpp:predicted_tokens_seconds", &M::server_generation_tokens_per_s, Combine::mean},
    {"llamacpp:prompt_tokens_total", &M::prompt_tokens_total},
    {"llamacpp:prompt_tokens_cached_total", &M::prompt_tokens_cached_total},
    {"llamacpp:tokens_predicted_total", &M::generation_tokens_total},
    {"llamacpp:prompt_seconds_total", &M::prompt_seconds_total},
    {"llamacpp:tokens_predicted_seconds_total", &M::generation_seconds_total},
    {"llamacpp:n_decode_total", &M::decode_calls_total},

    {"vllm:num_requests_running", &M::requests_running},
    {"vllm:num_requests_waiting", &M::requests_waiting},
    {"vllm:kv_cache_usage_perc", &M::kv_usage_ratio, Combine::mean},
    {"vllm:gpu_cache_usage_perc", &M::kv_usage_ratio, Combine::mean},
    {"vllm:prompt_tokens_total", &M::prompt_tokens_total},
    {"vllm:prefix_cache_hits_total", &M::prompt_tokens_cached_total},
    {"vllm:generation_tokens_total", &M::generation_tokens_total},
    {"vllm:num_preemptions_total", &M::preemptions_total},

    {"sglang:num_running_reqs", &M::requests_running},
    {"sglang:num_queue_reqs", &M::requests_waiting},
    {"sglang:token_usage", &M::kv_usage_ratio, Combine::mean},
    {"sglang:num_used_tokens", &M::kv_used_tokens},
    {"sglang:gen_throughput", &M::server_generation_tokens_per_s},
    {"sglang:prompt_tokens_total", &M::prompt_tokens_total},
    {"sglang:cached_tokens_total", &M::prompt_tokens_cached_total},
    {"sglang:generation_tokens_total", &M::generation_tokens_total},
    {"sglang:num_retracted_requests_total", &M::preemptions_total},

    {"tgi_batch_current_size", &M::requests_running},
    {"tgi_queue_size", &M::requests_waiting},
    {"tgi_request_input_length", &M::prompt_tokens_total, Combine::sum, "tgi_request_input_length_sum"},
    {"tgi_request_generated_tokens", &M::generation_tokens_total, Combine::sum, "tgi_request_generated_tokens_sum"},
    {"tgi_batch_inference_count", &M::decode_calls_total, Combine::sum, {}, "method", "decode"},
};

struct Prefix {
  std::string_view prefix;
  ServerKind kind;
};
constexpr Prefix kPrefixes[] = {
    {"llamacpp:", ServerKind::llama_cpp},
    {"vllm:", ServerKind::vllm},
    {"sglang:", ServerKind::sglang},
    {"tgi_", ServerKind::tgi},
};

bool selected(const Rule& r, const prom::Sample& s) {
  const std::string_view want = r.sample.empty() ? r.family : r.sample;
  if (s.name != want) return false;
  if (r.label.empty()) return true;
  const std::optional<std::string_view> v = find_label(s.labels, r.label);
  return v && *v == r.label_value;
}

// Applies one rule to one family; returns how many samples it used.
std::size_t apply(const Rule& r, const prom::Family& f, ServerMetrics& out) {
  double sum = 0;
  std::size_t n = 0;
  for (const prom::Sample& s : f.samples) {
    if (!selected(r, s) || !std::isfinite(s.value)) continue;
    sum += s.value;
    ++n;
  }
  if (n != 0) out.*r.field = r.combine == Combine::mean ? sum / static_cast<double>(n) : sum;
  return n;
}

// Applies a rule to the family it names or, for a histogram's x_sum exposed
// without a TYPE line (so not grouped under x), to the family x_sum. Returns
// the family when the rule used all of it.
const prom::Family* apply(const Rule& r, const prom::Exposition& e, ServerMetrics& out) {
  for (const std::string_view name : {r.family, r.sample}) {
    const prom::Family* f = name.empty() ? nullptr : e.find(name);
    if (f == nullptr) continue;
    const std::size_t used = apply(r, *f, out);
    if (used != 0) return used == f->samples.size() ? f : nullptr;
  }
  return nullptr;
}

ServerKind kind_of(const prom::Exposition& e) {
  for (const prom::Family& f : e.families) {
    for (const Prefix& p : kPrefixes) {
      if (f.name.compare(0, p.prefix.size(), p.prefix) == 0) return p.kind;
    }
  }
  return ServerKind::unknown;
}

std::vector<std::string> model_names(const prom::Exposition& e) {
  std::vector<std::string> names;
  for (const prom::Family& f : e.families) {
    for (const prom::Sample& s : f.samples) {
      const std::optional<std::string_view> m = find_label(s.labels, "model_name");
      if (m && std::find(names.begin(), names.end(), *m) == names.end()) names.emplace_back(*m);
    }
  }
  return names;
}

}  // namespace

std::string_view to_string(ServerKind k) noexcept {
  switch (k) {
    case ServerKind::llama_cpp: return "llama.cpp";
    case ServerKind::vllm: return "vllm";
    case ServerKind::sglang: return "sglang";
    case ServerKind::tgi: return "tgi";
    case ServerKind::unknown: break;
  }
  return "unknown";
}

ServerMetrics map_server_metrics(const prom::Exposition& e) {
  ServerMetrics out;
  out.kind = kind_of(e);
  out.model_names = model_names(e);
  std::vector<const prom::Family*> consumed;
  for (const Rule& r : kRules) {
    if (out.*r.field) continue;
    if (const prom::Family* f = apply(r, e, out)) consumed.push_back(f);
  }
  for (const prom::Family& f : e.families) {
    if (std::find(consumed.begin(), consumed.end(), &f) == consumed.end()) out.other.push_back(f);
  }
  return out;
}

MetricsAnswer classify_metrics_answer(int http_status) noexcept {
  if (http_status == 200) return MetricsAnswer::ok;
  if (http_status == 501) return MetricsAnswer::disabled;
  if (http_status == 404) return MetricsAnswer::not_found;
  return MetricsAnswer::error;
}

std::string_view describe(MetricsAnswer a) noexcept {
  switch (a) {
    case MetricsAnswer::ok: return "metrics scraped";
    case MetricsAnswer::disabled:
      return "the server has metrics switched off (llama-server: start it with --metrics)";
    case MetricsAnswer::not_found:
      return "the server has no /metrics endpoint (SGLang: start it with --enable-metrics)";
    case MetricsAnswer::error: break;
  }
  return "the server answered /metrics with an error status";
}

ServerRates server_rates(const ServerMetrics& before, const ServerMetrics& after, double window_s) noexcept {
  ServerRates r;
  r.window_s = window_s;
  if (!(window_s > 0)) return r;
  const auto increase = [&](Field f) -> std::optional<double> {
    if (!(before.*f) || !(after.*f)) return std::nullopt;
    bool reset = false;
    const double d = stats::counter_increase(*(before.*f), *(after.*f), &reset);
    r.counter_reset = r.counter_reset || reset;
    return d;
  };
  const std::optional<double> prompt = increase(&M::prompt_tokens_total);
  const std::optional<double> generated = increase(&M::generation_tokens_total);
  const std::optional<double> decodes = increase(&M::decode_calls_total);
  if (prompt) r.prompt_tokens_per_s = *prompt / window_s;
  if (generated) r.generation_tokens_per_s = *generated / window_s;
  if (decodes) r.decode_calls_per_s = *decodes / window_s;
  if (generated && decodes && *decodes > 0) r.generation_tokens_per_decode = *generated / *decodes;
  return r;
}

}  // namespace llmbench::telemetry
