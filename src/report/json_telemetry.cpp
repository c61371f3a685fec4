// The telemetry parts of the results file (json_telemetry.hpp).
#include "llmbench/report/json_telemetry.hpp"

#include <optional>
#include <string>

namespace llmbench::report {

namespace {

using telemetry::StageTelemetry;

void opt_field(JsonWriter& w, std::string_view k, const std::optional<double>& v) {
  w.key(k);
  if (v) {
    w.value(*v);
  } else {
    w.null();
  }
}

// [[t, v], ...] on one line: a pretty-printed pair per four lines would make
// the file mostly whitespace.
std::string points_json(const telemetry::Series& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    if (i != 0) out += ',';
    out += '[';
    out += format_double(s.points[i].t_s);
    out += ',';
    out += format_double(s.points[i].value);
    out += ']';
  }
  out += ']';
  return out;
}

void write_series(JsonWriter& w, const telemetry::Series& s) {
  w.begin_object();
  w.field("name", s.name);
  w.key("labels").begin_object();
  for (const telemetry::Label& l : s.labels) w.field(l.name, l.value);
  w.end_object();
  w.field("unit", s.unit);
  w.field("kind", s.kind == telemetry::SeriesKind::counter ? "counter" : "gauge");
  w.key("points").raw(points_json(s));
  w.end_object();
}

void write_process(JsonWriter& w, const telemetry::TelemetryResult& t) {
  w.key("server_process");
  if (t.server_pid == 0) {
    w.null();
    return;
  }
  w.begin_object();
  w.field("pid", t.server_pid);
  w.field("found_by", t.server_pid_source);
  if (t.process) {
    const telemetry::ProcessSample& p = *t.process;
    w.field("name", p.name);
    w.field("threads", p.threads);
    w.field("rss_bytes", p.rss_bytes);
    w.field("cpu_user_s", p.cpu_user_s).field("cpu_system_s", p.cpu_system_s);
    w.field("hugetlb_bytes", p.hugetlb_bytes.value_or(0));
    w.field("thp_bytes", p.thp_bytes.value_or(0));
  }
  w.end_object();
}

void write_counters(JsonWriter& w, const telemetry::TelemetryResult& t) {
  w.key("scrapes").begin_array();
  for (const telemetry::ProbeCounters& c : t.counters) {
    w.begin_object();
    w.field("source", c.name);
    w.field("ok", c.scrapes_ok).field("failed", c.scrapes_failed);
    w.field("bad", c.scrapes_bad).field("skipped", c.scrapes_skipped);
    w.end_object();
  }
  w.end_array();
}

}  // namespace

void write_telemetry(JsonWriter& w, const RunReport& rep) {
  w.key("telemetry");
  if (!rep.telemetry) {
    w.null();
    return;
  }
  const telemetry::TelemetryResult& t = *rep.telemetry;
  w.begin_object();
  w.field("interval_s", t.interval_s);
  w.field("server_metrics", t.metrics_status);
  w.field("server_metrics_url", t.metrics_url);
  w.field("slots_polled", t.slots_polled);
  w.key("notes").begin_array();
  for (const std::string& n : t.notes) w.value(n);
  w.end_array();
  write_counters(w, t);
  write_process(w, t);
  w.key("series").begin_array();
  for (const telemetry::Series& s : t.series) write_series(w, s);
  w.end_array();
  w.end_object();
}

void write_server_block(JsonWriter& w, const RunReport& rep) {
  w.key("server");
  if (!rep.server) {
    w.null();
    return;
  }
  const telemetry::ServerProps& p = *rep.server;
  w.begin_object();
  w.key("build");
  p.build ? (void)w.value(*p.build) : (void)w.null();
  w.key("total_slots");
  p.total_slots ? (void)w.value(*p.total_slots) : (void)w.null();
  w.key("context_size");
  p.n_ctx ? (void)w.value(*p.n_ctx) : (void)w.null();
  w.key("model_path");
  p.model_path ? (void)w.value(*p.model_path) : (void)w.null();
  w.key("endpoint_metrics");
  p.endpoint_metrics ? (void)w.value(*p.endpoint_metrics) : (void)w.null();
  w.key("chat_template_caps").begin_object();
  for (const auto& [name, v] : p.chat_template_caps) w.field(name, v);
  w.end_object();
  w.end_object();
}

void write_telemetry_summary(JsonWriter& w, const RunReport& rep, std::size_t k) {
  w.key("telemetry_summary");
  if (k >= rep.stage_telemetry.size()) {
    w.null();
    return;
  }
  const StageTelemetry& s = rep.stage_telemetry[k];
  w.begin_object();
  w.field("window_start_s", s.from_s).field("window_end_s", s.to_s);
  opt_field(w, "server_prompt_tokens_per_second", s.server_prompt_tokens_per_s);
  opt_field(w, "server_generation_tokens_per_second", s.server_generation_tokens_per_s);
  opt_field(w, "decode_calls_per_second", s.decode_calls_per_s);
  opt_field(w, "tokens_per_decode", s.tokens_per_decode);
  opt_field(w, "queue_depth_p50", s.queue_depth_p50);
  opt_field(w, "queue_depth_max", s.queue_depth_max);
  opt_field(w, "busy_slots_p50", s.busy_slots_p50);
  opt_field(w, "busy_slots_max", s.busy_slots_max);
  opt_field(w, "kv_usage_p50", s.kv_usage_p50);
  opt_field(w, "kv_usage_max", s.kv_usage_max);
  opt_field(w, "server_generated_tokens", s.server_generated_tokens);
  opt_field(w, "client_generated_tokens", s.client_generated_tokens);
  opt_field(w, "generated_tokens_difference", s.generated_tokens_difference());
  opt_field(w, "cpu_busy_p50", s.cpu_busy_p50);
  opt_field(w, "cpu_busy_max", s.cpu_busy_max);
  opt_field(w, "cpu_mhz_mean", s.cpu_mhz_mean);
  opt_field(w, "cpu_mhz_min", s.cpu_mhz_min);
  opt_field(w, "hugepages_in_use_max", s.hugepages_in_use_max);
  opt_field(w, "process_cpu_seconds", s.process_cpu_s);
  opt_field(w, "process_rss_max_bytes", s.process_rss_max_bytes);
  opt_field(w, "process_threads_max", s.process_threads_max);
  opt_field(w, "gpu_utilization_max", s.gpu_utilization_max);
  opt_field(w, "gpu_power_w_max", s.gpu_power_w_max);
  opt_field(w, "gpu_energy_j_per_output_token", s.gpu_energy_j_per_output_token);
  w.field("counter_reset", s.counter_reset);
  w.end_object();
}

}  // namespace llmbench::report
