// The run's telemetry: --server-metrics parsing, the /props server block, a
// stage's figures from series and edge scrapes, and RunTelemetry against the
// built-in server with /metrics on and off.
#include <gtest/gtest.h>

#include <unistd.h>

#include "llmbench/mock/server.hpp"
#include "llmbench/telemetry/nvml.hpp"
#include "llmbench/telemetry/run_telemetry.hpp"
#include "llmbench/telemetry/server_props.hpp"
#include "llmbench/telemetry/stage_summary.hpp"
#include "llmbench/util/clock.hpp"
#include "test_support.hpp"

namespace llmbench::telemetry {
namespace {

TEST(TelemetryRun, MetricsSourceParses) {
  EXPECT_EQ(parse_metrics_source("auto")->kind, MetricsSource::Kind::automatic);
  EXPECT_EQ(parse_metrics_source("off")->kind, MetricsSource::Kind::off);
  const auto url = parse_metrics_source("http://10.0.0.5:9090/custom/metrics");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->kind, MetricsSource::Kind::url);
  EXPECT_EQ(url->target.host, "10.0.0.5");
  EXPECT_EQ(url->target.port, 9090);
  EXPECT_EQ(url->path, "/custom/metrics");
  EXPECT_EQ(url->target.base_path, "");
  EXPECT_EQ(parse_metrics_source("http://h:1")->path, "/metrics");
  const auto bad = parse_metrics_source("sometimes");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("--server-metrics 'sometimes'"), std::string::npos) << bad.error();
  EXPECT_FALSE(parse_metrics_source("http://"));
}

TEST(TelemetryRun, LoopbackHosts) {
  for (const char* h : {"localhost", "127.0.0.1", "127.1.2.3", "::1"}) EXPECT_TRUE(is_loopback_host(h)) << h;
  for (const char* h : {"10.0.0.1", "example.com", "::2"}) EXPECT_FALSE(is_loopback_host(h)) << h;
}

TEST(TelemetryRun, ServerPropsFromFixture) {
  const std::optional<ServerProps> p = parse_server_props(test::after_headers(test::fixture("props.http")));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->build, "b10587-3f545becc");
  EXPECT_EQ(p->total_slots, 4);
  EXPECT_EQ(p->n_ctx, 512);
  EXPECT_EQ(p->model_path, "/srv/llms/models/tiny-random-llama.gguf");
  EXPECT_EQ(p->endpoint_metrics, true);
  ASSERT_EQ(p->chat_template_caps.size(), 9u);
  EXPECT_EQ(p->chat_template_caps.front(), (std::pair<std::string, bool>{"supports_object_arguments", false}));
  EXPECT_FALSE(parse_server_props("[1,2]"));
  EXPECT_FALSE(parse_server_props("not json"));
  // A server that says little gives empty fields, not zeros.
  const auto bare = parse_server_props(R"({"total_slots":2})");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->total_slots, 2);
  EXPECT_FALSE(bare->build);
  EXPECT_FALSE(bare->n_ctx);
}

Series gauge(std::string name, std::vector<Point> pts, std::vector<Label> labels = {}) {
  return Series{std::move(name), std::move(labels), "", SeriesKind::gauge, std::move(pts)};
}
Series counter(std::string name, std::vector<Point> pts) {
  return Series{std::move(name), {}, "", SeriesKind::counter, std::move(pts)};
}
EdgeScrape edge(double t, double generated, double decodes, double prompt) {
  ServerMetrics m;
  m.generation_tokens_total = generated;
  m.decode_calls_total = decodes;
  m.prompt_tokens_total = prompt;
  return EdgeScrape{t, m};
}

// Gauges over the window only; rates and generated tokens from the edges.
TEST(TelemetryRun, StageFiguresFromEdgesAndWindow) {
  TelemetryResult t;
  t.interval_s = 1;
  t.series.push_back(gauge("server.requests_waiting", {{0.5, 9}, {1, 0}, {2, 4}, {3, 2}, {4, 4}, {6, 9}}));
  t.series.push_back(gauge("slots.busy", {{1, 4}, {2, 4}, {3, 3}, {4, 4}}));
  t.series.push_back(gauge("server.requests_running", {{1, 1}, {2, 1}}));  // /slots wins
  t.series.push_back(gauge("host.cpu_busy_ratio", {{2, 0.5}, {3, 0.7}}, {{"cpu", "all"}}));
  t.series.push_back(gauge("host.cpu_busy_ratio", {{2, 0.9}}, {{"cpu", "0"}}));
  t.series.push_back(gauge("host.hugepages_total", {{2, 100}, {3, 100}}));
  t.series.push_back(gauge("host.hugepages_free", {{2, 60}, {3, 40}}));
  const EdgeScrape before = edge(0.9, 1000, 100, 50);
  const EdgeScrape after = edge(5.1, 1800, 300, 250);
  const StageTelemetry s = summarize_stage(t, &before, &after, 1.0, 5.0, 800.0);
  EXPECT_EQ(s.queue_depth_max, 4.0);   // 9s at 0.5 and 6 are outside [1, 5]
  EXPECT_EQ(s.queue_depth_p50, 3.0);   // the median of {0, 4, 2, 4}
  EXPECT_EQ(s.busy_slots_max, 4.0);
  EXPECT_EQ(s.busy_slots_p50, 4.0);
  EXPECT_EQ(s.cpu_busy_max, 0.7);      // the all-CPU series, not cpu 0
  EXPECT_EQ(s.hugepages_in_use_max, 60.0);
  EXPECT_FALSE(s.kv_usage_p50);        // not exported: null, not 0
  EXPECT_FALSE(s.cpu_mhz_mean);
  EXPECT_EQ(s.server_generated_tokens, 800.0);
  EXPECT_EQ(s.generated_tokens_difference(), 0.0);
  EXPECT_NEAR(*s.server_generation_tokens_per_s, 800 / 4.2, 1e-9);
  EXPECT_NEAR(*s.server_prompt_tokens_per_s, 200 / 4.2, 1e-9);
  EXPECT_NEAR(*s.tokens_per_decode, 4.0, 1e-12);
  EXPECT_FALSE(s.counter_reset);
}

// A difference between the server's and the client's counts is kept, signed.
TEST(TelemetryRun, GeneratedTokensDisagreeing) {
  TelemetryResult t;
  const EdgeScrape before = edge(0, 0, 0, 0);
  const EdgeScrape after = edge(1, 120, 30, 0);
  const StageTelemetry s = summarize_stage(t, &before, &after, 0, 1, 100.0);
  EXPECT_EQ(s.generated_tokens_difference(), 20.0);
  // Without edges there is no server count and no difference.
  const StageTelemetry none = summarize_stage(t, nullptr, nullptr, 0, 1, 100.0);
  EXPECT_FALSE(none.server_generated_tokens);
  EXPECT_FALSE(none.generated_tokens_difference());
}

// A stage with warm-up: the edges span more than the window, so the rates
// come from the samples inside the window, not the whole stage.
TEST(TelemetryRun, ExactWindowRatesFromSamples) {
  TelemetryResult t;
  t.interval_s = 1;
  t.series.push_back(counter("server.generation_tokens_total", {{0, 0}, {10, 100}, {11, 200}, {12, 300}, {20, 310}}));
  t.series.push_back(counter("server.decode_calls_total", {{0, 0}, {10, 10}, {11, 35}, {12, 60}, {20, 70}}));
  const EdgeScrape before = edge(0, 0, 0, 0);
  const EdgeScrape after = edge(20, 310, 70, 0);
  const StageTelemetry s = summarize_stage(t, &before, &after, 10, 12, std::nullopt);
  EXPECT_NEAR(*s.server_generation_tokens_per_s, 100.0, 1e-9);
  EXPECT_NEAR(*s.tokens_per_decode, 200.0 / 50.0, 1e-12);
  EXPECT_EQ(s.server_generated_tokens, 310.0);  // still the whole stage: the client's count covers it all
}

// A restarted server (counter down) counts from zero and says so.
TEST(TelemetryRun, CounterResetIsFlagged) {
  TelemetryResult t;
  const EdgeScrape before = edge(0, 5000, 100, 0);
  const EdgeScrape after = edge(2, 40, 10, 0);
  const StageTelemetry s = summarize_stage(t, &before, &after, 0, 2, 40.0);
  EXPECT_TRUE(s.counter_reset);
  EXPECT_EQ(s.server_generated_tokens, 40.0);
}

mock::MockConfig mock_config(bool metrics) {
  mock::MockConfig mc;
  mc.metrics = metrics;
  return mc;
}

TelemetryOptions options_for(std::uint16_t port) {
  TelemetryOptions o;
  o.target.host = "127.0.0.1";
  o.target.port = port;
  o.interval = std::chrono::milliseconds(20);
  o.start_ns = now_ns();
  return o;
}

// /metrics on: scraped, /slots polled, our own process found by the port,
// and an edge scrape per mark.
TEST(TelemetryRun, BuiltInServerWithMetrics) {
  mock::MockServer server(mock_config(true));
  const std::uint16_t port = server.start().value();
  RunTelemetry tel(options_for(port));
  tel.start();
  tel.mark_edge();
  tel.mark_edge();
  const TelemetryResult r = tel.finish();
  EXPECT_EQ(r.metrics_status, "scraped");
  EXPECT_TRUE(r.slots_polled);
  EXPECT_EQ(r.server_pid, ::getpid());
  EXPECT_EQ(r.server_pid_source, "port");
  ASSERT_TRUE(r.process);
  EXPECT_GT(r.process->threads, 0);
  ASSERT_EQ(r.edges.size(), 2u);
  EXPECT_TRUE(r.edges[0].metrics && r.edges[0].metrics->generation_tokens_total);
  EXPECT_TRUE(r.notes.empty());
  server.stop();
}

// /metrics off (501, as llama-server without --metrics): skipped quietly,
// no edge scrapes, the host and the process still sampled.
TEST(TelemetryRun, BuiltInServerWithoutMetrics) {
  mock::MockServer server(mock_config(false));
  const std::uint16_t port = server.start().value();
  RunTelemetry tel(options_for(port));
  tel.start();
  tel.mark_edge();
  const TelemetryResult r = tel.finish();
  EXPECT_EQ(r.metrics_status, "disabled");
  EXPECT_TRUE(r.edges.empty());
  EXPECT_TRUE(r.notes.empty());
  EXPECT_EQ(r.server_pid, ::getpid());
  for (const ProbeCounters& c : r.counters) EXPECT_NE(c.name, "server.metrics");
  server.stop();
}

// A remote target: no process lookup, one note that says why.
TEST(TelemetryRun, RemoteTargetGetsOneNote) {
  TelemetryOptions o;
  o.target.host = "192.0.2.1";  // TEST-NET-1: never routed
  o.target.port = 8001;
  o.metrics.kind = MetricsSource::Kind::off;
  o.start_ns = now_ns();
  RunTelemetry tel(std::move(o));
  const TelemetryResult r = tel.finish();
  EXPECT_EQ(r.server_pid, 0);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("192.0.2.1"), std::string::npos) << r.notes[0];
}

}  // namespace
}  // namespace llmbench::telemetry

namespace llmbench::telemetry {
namespace {

// No NVIDIA driver here (or a library that is not there): no probe, no word.
TEST(TelemetryNvml, AbsentDriverGivesNoProbes) {
  EXPECT_TRUE(nvml_probes("/nonexistent/libnvidia-ml.so.1").empty());
  EXPECT_TRUE(nvml_probes("libc.so.6").empty());  // loads, but has no nvmlInit_v2
}

TEST(TelemetryNvml, RawValuesBecomeReadings) {
  GpuRaw raw;
  raw.gpu_util_pct = 87;
  raw.mem_used_bytes = 6ull << 30;
  raw.power_mw = 215500;
  raw.energy_mj = 123456789;
  const std::vector<Reading> r = gpu_readings(1, raw);
  ASSERT_EQ(r.size(), 4u);  // memory utilisation and total were not read: left out
  EXPECT_EQ(r[0].name, "gpu.utilization_ratio");
  EXPECT_DOUBLE_EQ(r[0].value, 0.87);
  EXPECT_EQ(r[0].labels, (std::vector<Label>{{"gpu", "1"}}));
  EXPECT_EQ(r[1].name, "gpu.memory_used_bytes");
  EXPECT_EQ(r[2].name, "gpu.power_w");
  EXPECT_DOUBLE_EQ(r[2].value, 215.5);
  EXPECT_EQ(r[3].name, "gpu.energy_j");
  EXPECT_EQ(r[3].kind, SeriesKind::counter);
  EXPECT_DOUBLE_EQ(r[3].value, 123456.789);
  EXPECT_TRUE(gpu_readings(0, GpuRaw{}).empty());
}

// Energy per token: the energy counters' increase over the window, summed
// over GPUs, per token the server generated in it.
TEST(TelemetryNvml, EnergyPerOutputToken) {
  TelemetryResult t;
  const auto energy = [](const char* gpu, double a, double b) {
    return Series{"gpu.energy_j", {{"gpu", gpu}}, "J", SeriesKind::counter, {{0, a}, {10, b}}};
  };
  t.series.push_back(energy("0", 1000, 1600));
  t.series.push_back(energy("1", 50, 450));
  t.series.push_back(Series{"server.generation_tokens_total", {}, "tokens", SeriesKind::counter, {{0, 0}, {10, 2000}}});
  const StageTelemetry s = summarize_stage(t, nullptr, nullptr, 0, 10, std::nullopt);
  ASSERT_TRUE(s.gpu_energy_j_per_output_token);
  EXPECT_DOUBLE_EQ(*s.gpu_energy_j_per_output_token, 1000.0 / 2000.0);
}

}  // namespace
}  // namespace llmbench::telemetry
