// Server metrics: llama-server's captured name sets mapped onto the canonical
// snapshot, vLLM / SGLang / TGI text written from their documentation, the
// "metrics disabled" answer, and rates between two snapshots.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "llmbench/stats/sampled_series.hpp"
#include "llmbench/telemetry/server_metrics.hpp"
#include "test_support.hpp"

namespace llmbench::telemetry {
namespace {

ServerMetrics from_text(std::string_view text) {
  const prom::Exposition e = prom::parse(text);
  EXPECT_EQ(e.bad_lines, 0u) << text;
  return map_server_metrics(e);
}

ServerMetrics from_fixture(const char* name) {
  const std::string raw = test::fixture(name);
  return from_text(std::string_view(name).ends_with(".http") ? test::after_headers(raw) : raw);
}

std::vector<std::string> other_names(const ServerMetrics& m) {
  std::vector<std::string> names;
  for (const prom::Family& f : m.other) names.push_back(f.name);
  return names;
}

TEST(PrometheusServerMetrics, LlamaServerNewNames) {
  const ServerMetrics m = from_fixture("metrics.http");
  EXPECT_EQ(m.kind, ServerKind::llama_cpp);
  EXPECT_EQ(m.requests_running, 0);
  EXPECT_EQ(m.requests_waiting, 0);
  EXPECT_EQ(m.prompt_tokens_total, 163);
  EXPECT_EQ(m.prompt_tokens_cached_total, 416);
  EXPECT_EQ(m.generation_tokens_total, 1141);
  EXPECT_EQ(m.prompt_seconds_total, 0.120465);
  EXPECT_EQ(m.generation_seconds_total, 0.744295);
  EXPECT_EQ(m.decode_calls_total, 1137);
  EXPECT_EQ(m.busy_slots_per_decode, 1.00352);
  EXPECT_EQ(m.server_prompt_tokens_per_s, 653.168);
  EXPECT_EQ(m.server_generation_tokens_per_s, 1133.28);
  EXPECT_FALSE(m.kv_usage_ratio);
  EXPECT_FALSE(m.kv_used_tokens);
  EXPECT_FALSE(m.preemptions_total);
  EXPECT_TRUE(m.model_names.empty());
  EXPECT_EQ(other_names(m), (std::vector<std::string>{"llamacpp:n_tokens_max",
                                                      "llamacpp:spec_decode_num_draft_tokens_total",
                                                      "llamacpp:spec_decode_num_accepted_tokens_total",
                                                      "llamacpp:spec_decode_num_drafts_total"}));
}

TEST(PrometheusServerMetrics, LlamaServerB9928Names) {
  const ServerMetrics m = from_fixture("metrics_b9928_body.txt");
  EXPECT_EQ(m.kind, ServerKind::llama_cpp);
  EXPECT_EQ(m.prompt_tokens_total, 619);
  EXPECT_FALSE(m.prompt_tokens_cached_total);  // not in this build
  EXPECT_EQ(m.generation_tokens_total, 4);
  EXPECT_EQ(m.prompt_seconds_total, 13.782);
  EXPECT_EQ(m.decode_calls_total, 5);
  EXPECT_EQ(m.busy_slots_per_decode, 1);
  EXPECT_EQ(other_names(m), std::vector<std::string>{"llamacpp:n_tokens_max"});
}

TEST(PrometheusServerMetrics, LlamaServerFreshAndBusy) {
  const ServerMetrics fresh = from_fixture("metrics_fresh.http");
  // A zero is a figure, not a missing one.
  EXPECT_EQ(fresh.generation_tokens_total, 0);
  EXPECT_EQ(fresh.decode_calls_total, 0);
  const ServerMetrics busy = from_fixture("metrics_busy.http");
  EXPECT_EQ(busy.requests_running, 1);
  EXPECT_EQ(busy.generation_tokens_total, 659);
}

TEST(PrometheusServerMetrics, LlamaServerRemovedKvCacheGauges) {
  const ServerMetrics m = from_text(
      "# HELP llamacpp:kv_cache_usage_ratio KV-cache usage. 1 means 100 percent usage.\n"
      "# TYPE llamacpp:kv_cache_usage_ratio gauge\nllamacpp:kv_cache_usage_ratio 0.25\n"
      "# HELP llamacpp:kv_cache_tokens KV-cache tokens.\n"
      "# TYPE llamacpp:kv_cache_tokens gauge\nllamacpp:kv_cache_tokens 1234\n");
  EXPECT_EQ(m.kv_usage_ratio, 0.25);
  EXPECT_EQ(m.kv_used_tokens, 1234);
  EXPECT_TRUE(m.other.empty());
}

TEST(PrometheusServerMetrics, MetricsDisabledIsRecognised) {
  const std::string raw = test::fixture("metrics_disabled.http");
  ASSERT_EQ(raw.rfind("HTTP/1.1 501 ", 0), 0u);
  EXPECT_EQ(classify_metrics_answer(501), MetricsAnswer::disabled);
  EXPECT_NE(describe(MetricsAnswer::disabled).find("--metrics"), std::string_view::npos);
  EXPECT_EQ(classify_metrics_answer(200), MetricsAnswer::ok);
  EXPECT_EQ(classify_metrics_answer(404), MetricsAnswer::not_found);
  EXPECT_EQ(classify_metrics_answer(500), MetricsAnswer::error);
  // Its body, read as metrics anyway, maps to nothing.
  const ServerMetrics m = map_server_metrics(prom::parse(test::after_headers(raw)));
  EXPECT_EQ(m.kind, ServerKind::unknown);
  EXPECT_FALSE(m.generation_tokens_total);
}

// vLLM V1 with two data-parallel engines; counters carry prometheus_client's
// _total and a _created gauge beside them.
constexpr std::string_view kVllm = R"(# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0
vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 4.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.0
vllm:num_requests_waiting{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0
# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.DEPRECATED: Use vllm:kv_cache_usage_perc instead.
# TYPE vllm:gpu_cache_usage_perc gauge
vllm:gpu_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.9
vllm:gpu_cache_usage_perc{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.9
# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.5
vllm:kv_cache_usage_perc{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.25
# HELP vllm:num_preemptions_total Cumulative number of preemption from the engine.
# TYPE vllm:num_preemptions_total counter
vllm:num_preemptions_total{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 2.0
vllm:num_preemptions_total{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0
# HELP vllm:prompt_tokens_total Number of prefill tokens processed.
# TYPE vllm:prompt_tokens_total counter
vllm:prompt_tokens_total{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.2e+04
vllm:prompt_tokens_total{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 8000.0
# HELP vllm:prompt_tokens_created Number of prefill tokens processed.
# TYPE vllm:prompt_tokens_created gauge
vllm:prompt_tokens_created{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.7365e+09
vllm:prompt_tokens_created{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.7365e+09
# HELP vllm:generation_tokens_total Number of generation tokens processed.
# TYPE vllm:generation_tokens_total counter
vllm:generation_tokens_total{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 30000.0
vllm:generation_tokens_total{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 25000.0
# HELP vllm:iteration_tokens_total Histogram of number of tokens per engine_step.
# TYPE vllm:iteration_tokens_total histogram
vllm:iteration_tokens_total_sum{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0
vllm:iteration_tokens_total_bucket{engine="0",le="1.0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0
vllm:iteration_tokens_total_bucket{engine="0",le="+Inf",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0
vllm:iteration_tokens_total_count{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0
)";

TEST(PrometheusServerMetrics, Vllm) {
  const ServerMetrics m = from_text(kVllm);
  EXPECT_EQ(m.kind, ServerKind::vllm);
  EXPECT_EQ(m.requests_running, 7);  // summed over engines
  EXPECT_EQ(m.requests_waiting, 1);
  EXPECT_EQ(m.kv_usage_ratio, 0.375);  // averaged over engines; the current name wins
  EXPECT_EQ(m.preemptions_total, 2);
  EXPECT_EQ(m.prompt_tokens_total, 20000);
  EXPECT_EQ(m.generation_tokens_total, 55000);
  EXPECT_FALSE(m.decode_calls_total);
  EXPECT_EQ(m.model_names, std::vector<std::string>{"meta-llama/Llama-3.1-8B-Instruct"});
  EXPECT_EQ(other_names(m), (std::vector<std::string>{"vllm:gpu_cache_usage_perc", "vllm:prompt_tokens_created",
                                                      "vllm:iteration_tokens_total"}));
}

TEST(PrometheusServerMetrics, VllmDeprecatedKvName) {
  const ServerMetrics m = from_text(
      "# TYPE vllm:gpu_cache_usage_perc gauge\nvllm:gpu_cache_usage_perc{model_name=\"m\"} 0.75\n");
  EXPECT_EQ(m.kv_usage_ratio, 0.75);
  EXPECT_TRUE(m.other.empty());
}

constexpr std::string_view kSglang = R"(# HELP sglang:prompt_tokens_total Number of prefill tokens processed.
# TYPE sglang:prompt_tokens_total counter
sglang:prompt_tokens_total{model_name="meta-llama/Llama-3.1-8B-Instruct"} 8.128902e+06
# HELP sglang:generation_tokens_total Number of generation tokens processed.
# TYPE sglang:generation_tokens_total counter
sglang:generation_tokens_total{model_name="meta-llama/Llama-3.1-8B-Instruct"} 7.557572e+06
# HELP sglang:token_usage The token usage
# TYPE sglang:token_usage gauge
sglang:token_usage{model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.28
# HELP sglang:cache_hit_rate The cache hit rate
# TYPE sglang:cache_hit_rate gauge
sglang:cache_hit_rate{model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.007507552643049313
# HELP sglang:num_running_reqs The number of running requests.
# TYPE sglang:num_running_reqs gauge
sglang:num_running_reqs{model_name="meta-llama/Llama-3.1-8B-Instruct"} 12.0
# HELP sglang:num_used_tokens The number of used tokens.
# TYPE sglang:num_used_tokens gauge
sglang:num_used_tokens{model_name="meta-llama/Llama-3.1-8B-Instruct"} 123859.0
# HELP sglang:gen_throughput The generation throughput (token/s).
# TYPE sglang:gen_throughput gauge
sglang:gen_throughput{model_name="meta-llama/Llama-3.1-8B-Instruct"} 86.50814177726902
# HELP sglang:num_queue_reqs The number of requests in the waiting queue.
# TYPE sglang:num_queue_reqs gauge
sglang:num_queue_reqs{model_name="meta-llama/Llama-3.1-8B-Instruct"} 2826.0
# HELP sglang:num_retracted_requests_total Total number of retracted requests.
# TYPE sglang:num_retracted_requests_total counter
sglang:num_retracted_requests_total{model_name="meta-llama/Llama-3.1-8B-Instruct"} 5.0
)";

TEST(PrometheusServerMetrics, Sglang) {
  const ServerMetrics m = from_text(kSglang);
  EXPECT_EQ(m.kind, ServerKind::sglang);
  EXPECT_EQ(m.prompt_tokens_total, 8128902);
  EXPECT_EQ(m.generation_tokens_total, 7557572);
  EXPECT_EQ(m.kv_usage_ratio, 0.28);
  EXPECT_EQ(m.kv_used_tokens, 123859);
  EXPECT_EQ(m.requests_running, 12);
  EXPECT_EQ(m.requests_waiting, 2826);
  EXPECT_EQ(m.server_generation_tokens_per_s, 86.50814177726902);
  EXPECT_EQ(m.preemptions_total, 5);
  EXPECT_EQ(other_names(m), std::vector<std::string>{"sglang:cache_hit_rate"});
}

// TGI (metrics-exporter-prometheus): no HELP lines, histograms with buckets
// where TGI configures them, and the inference counter split by method.
constexpr std::string_view kTgi = R"(# TYPE tgi_queue_size gauge
tgi_queue_size 3
# TYPE tgi_batch_current_size gauge
tgi_batch_current_size 8
# TYPE tgi_batch_current_max_tokens gauge
tgi_batch_current_max_tokens 4096
# TYPE tgi_batch_inference_count counter
tgi_batch_inference_count{method="prefill"} 120
tgi_batch_inference_count{method="decode"} 9000
# TYPE tgi_request_generated_tokens histogram
tgi_request_generated_tokens_bucket{le="1"} 0
tgi_request_generated_tokens_bucket{le="+Inf"} 100
tgi_request_generated_tokens_sum 25600
tgi_request_generated_tokens_count 100
# TYPE tgi_request_input_length histogram
tgi_request_input_length_bucket{le="+Inf"} 100
tgi_request_input_length_sum 51200
tgi_request_input_length_count 100
# TYPE tgi_request_count counter
tgi_request_count 104
)";

TEST(PrometheusServerMetrics, Tgi) {
  const ServerMetrics m = from_text(kTgi);
  EXPECT_EQ(m.kind, ServerKind::tgi);
  EXPECT_EQ(m.requests_waiting, 3);
  EXPECT_EQ(m.requests_running, 8);
  EXPECT_EQ(m.decode_calls_total, 9000);  // prefill batches left out
  EXPECT_EQ(m.generation_tokens_total, 25600);
  EXPECT_EQ(m.prompt_tokens_total, 51200);
  // The partly used families stay whole in `other`.
  EXPECT_EQ(other_names(m),
            (std::vector<std::string>{"tgi_batch_current_max_tokens", "tgi_batch_inference_count",
                                      "tgi_request_generated_tokens", "tgi_request_input_length",
                                      "tgi_request_count"}));
}

TEST(PrometheusServerMetrics, TgiHistogramSumWithoutTypeLine) {
  const ServerMetrics m = from_text(
      "tgi_request_generated_tokens{quantile=\"0.5\"} 200\ntgi_request_generated_tokens_sum 999\n"
      "tgi_request_generated_tokens_count 5\n");
  EXPECT_EQ(m.generation_tokens_total, 999);
}

TEST(PrometheusServerMetrics, UnknownServerKeepsEverythingRaw) {
  const ServerMetrics m = from_text("up 1\nprocess_cpu_seconds_total 3.5\n");
  EXPECT_EQ(m.kind, ServerKind::unknown);
  EXPECT_FALSE(m.requests_running);
  EXPECT_EQ(m.other.size(), 2u);
}

TEST(PrometheusServerMetrics, NonFiniteValuesAreNotFigures) {
  const ServerMetrics m = from_text("llamacpp:requests_processing NaN\nllamacpp:n_decode_total +Inf\n");
  EXPECT_FALSE(m.requests_running);
  EXPECT_FALSE(m.decode_calls_total);
  EXPECT_EQ(m.other.size(), 2u);
}

TEST(PrometheusRates, BetweenTwoCapturedSnapshots) {
  // metrics_busy.http was taken before metrics.http on the same server.
  const ServerMetrics before = from_fixture("metrics_busy.http");
  const ServerMetrics after = from_fixture("metrics.http");
  const ServerRates r = server_rates(before, after, 2.0);
  EXPECT_EQ(r.window_s, 2.0);
  EXPECT_FALSE(r.counter_reset);
  EXPECT_DOUBLE_EQ(*r.prompt_tokens_per_s, (163 - 162) / 2.0);
  EXPECT_DOUBLE_EQ(*r.generation_tokens_per_s, (1141 - 659) / 2.0);
  EXPECT_DOUBLE_EQ(*r.decode_calls_per_s, (1137 - 804) / 2.0);
  EXPECT_DOUBLE_EQ(*r.generation_tokens_per_decode, (1141.0 - 659) / (1137 - 804));
}

TEST(PrometheusRates, CounterResetCountsFromZero) {
  bool reset = false;
  EXPECT_EQ(stats::counter_increase(10, 15, &reset), 5);
  EXPECT_FALSE(reset);
  EXPECT_EQ(stats::counter_increase(1141, 30, &reset), 30);
  EXPECT_TRUE(reset);
  // A restarted server: metrics.http, then the fresh one plus some work.
  ServerMetrics restarted = from_fixture("metrics_fresh.http");
  restarted.generation_tokens_total = 40;
  const ServerRates r = server_rates(from_fixture("metrics.http"), restarted, 4.0);
  EXPECT_TRUE(r.counter_reset);
  EXPECT_DOUBLE_EQ(*r.generation_tokens_per_s, 10.0);
  EXPECT_FALSE(r.generation_tokens_per_decode);  // no decode calls since the restart
}

TEST(PrometheusRates, MissingCountersAndEmptyWindowGiveNoFigures) {
  const ServerMetrics llama = from_fixture("metrics.http");
  const ServerRates none = server_rates(llama, llama, 0.0);
  EXPECT_FALSE(none.generation_tokens_per_s);
  const ServerMetrics vllm = from_text(kVllm);
  const ServerRates r = server_rates(vllm, vllm, 1.0);
  EXPECT_EQ(r.generation_tokens_per_s, 0.0);
  EXPECT_FALSE(r.decode_calls_per_s);
  EXPECT_FALSE(r.generation_tokens_per_decode);
}

}  // namespace
}  // namespace llmbench::telemetry
