#include "llmbench/report/json_report.hpp"


#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "llmbench/report/json_metrics.hpp"
#include "llmbench/report/json_models.hpp"
#include "llmbench/report/json_telemetry.hpp"
#include "llmbench/report/json_writer.hpp"
#include "llmbench/stats/spec_stats.hpp"

namespace llmbench::report {

namespace {

// A tokens/s figure that is null where the endpoint generates nothing.
void optional_rate(JsonWriter& w, std::string_view key, bool applies, double v) {
  w.key(key);
  if (applies) {
    w.value(v);
  } else {
    w.null();
  }
}

void write_spec_prompt(JsonWriter& w, const RunPlan& plan, const PromptGroup& g, const PromptResult& p) {
  w.key(g.key).begin_object();
  w.field("prompt_text", g.text);
  w.field("max_tokens", g.max_tokens);
  w.key("results").begin_array();
  for (const RequestRecord& r : p.records) {
    write_run(w, r, r.prompt < plan.prompts.size() ? plan.prompts[r.prompt].max_tokens : g.max_tokens);
  }
  w.end_array();
  const stats::SpecStats s = stats::spec_stats(p.records);
  w.key("stats").begin_object();
  w.field("avg_tokens_per_second", s.avg_tps);
  w.field("success_rate", s.success_rate);
  w.field("runs", static_cast<std::uint64_t>(s.runs));
  w.field("successful_runs", static_cast<std::uint64_t>(s.succeeded));
  w.field("std_tokens_per_second", s.std_tps);
  w.field("cv", s.cv);
  w.field("min_tokens_per_second", s.min_tps);
  w.field("median_tokens_per_second", s.median_tps);
  w.field("max_tokens_per_second", s.max_tps);
  w.field("avg_decode_tokens_per_second", s.avg_decode_tps);
  write_latency(w, "ttft_ms", s.ttft_ms);
  write_latency(w, "ttfo_ms", s.ttfo_ms);
  if (s.reasoning) w.field("avg_reasoning_tokens", s.avg_reasoning_tokens);
  write_metrics(w, p.measured, MetricsOptions{.ttft = false});
  w.end_object();
  w.end_object();
}

void write_load_prompts(JsonWriter& w, const RunPlan& plan, std::span<const stats::MetricSet* const> sets,
                        bool open_loop) {
  w.key("prompts").begin_object();
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const stats::MetricSet& m = *sets[i];
    if (m.requests == 0) continue;
    w.key(plan.groups[i].key).begin_object();
    w.field("prompt_text", plan.groups[i].text);
    w.field("max_tokens", plan.groups[i].max_tokens);
    w.key("stats").begin_object();
    const bool gen = protocol::generates(plan.flavor);
    optional_rate(w, "avg_tokens_per_second", gen, m.tps.mean());
    w.field("success_rate", m.success_rate());
    optional_rate(w, "std_tokens_per_second", gen, m.tps.sample_std());
    write_metrics(w, m, MetricsOptions{.open_loop = open_loop, .slo = plan.slo.any(), .generation = gen});
    w.end_object();
    w.end_object();
  }
  w.end_object();
}

void write_system(JsonWriter& w, const SystemInfo& s) {
  w.key("system_info").begin_object();
  w.field("model", s.model);
  w.field("hugepages_total", s.hugepages.total);
  w.field("hugepages_free", s.hugepages.free);
  w.field("hugepage_size_kb", s.hugepages.size_kb);
  w.field("cpu_model", s.cpu_model);
  w.field("cpu_cores", s.cpu_cores);
  w.field("scaling_governor", s.scaling_governor);
  w.field("transparent_hugepages", s.thp_mode);
  w.field("kernel", s.kernel);
  w.field("hostname", s.hostname);
  w.field("llmbench_version", s.llmbench_version);
  w.key("server_props");
  if (s.server_props_json.empty()) {
    w.null();
  } else {
    w.raw(s.server_props_json);
  }
  w.end_object();
}

std::string_view mode_name(LoadMode m) {
  switch (m) {
    case LoadMode::spec: return "spec";
    case LoadMode::closed: return "closed";
    case LoadMode::open: return "open";
  }
  return "spec";
}

std::string_view arrival_name(Arrival a) {
  switch (a) {
    case Arrival::constant: return "constant";
    case Arrival::poisson: return "poisson";
    case Arrival::gamma: return "gamma";
  }
  return "poisson";
}

void write_stage_plan(JsonWriter& w, const StagePlan& p) {
  w.field("label", p.label);  // repeats of one stage share it (see "repeat")
  w.field("mode", mode_name(p.mode));
  if (p.mode == LoadMode::closed) w.field("concurrency", p.concurrency);
  if (p.mode == LoadMode::open) {
    w.field("rate", p.rate_rps);
    w.field("max_concurrency", p.max_concurrency);
  }
  w.field("requests", p.requests);
  w.field("duration_s", p.duration_s);
  w.field("warmup_s", p.warmup_s);
  w.field("cooldown_s", p.cooldown_s);
  if (p.ramp) {
    w.key("ramp").begin_object();
    w.field("load", p.mode == LoadMode::open ? "rate" : "concurrency");
    w.field("from", p.ramp->from).field("to", p.ramp->to);
    w.field("shape", p.ramp->shape == RampShape::linear ? "linear" : "exponential");
    w.end_object();
  }
}

// A bucket's figure, null when it has none (-1).
void field_or_null(JsonWriter& w, std::string_view key, double v) {
  w.key(key);
  if (v >= 0) {
    w.value(v);
  } else {
    w.null();
  }
}

// A trace replay: what was replayed, and how far each request's dispatch
// was from its trace time (arrival error: the open loop's schedule lag, the
// same histogram as summary.schedule_lag_ms, named for the trace's reader).
void write_trace(JsonWriter& w, const TracePlan& t, const StageResult& st) {
  w.key("trace").begin_object();
  w.field("file", t.file).field("format", t.format);
  w.field("rows_in_file", t.rows_in_file).field("rows_replayed", t.at_ns.size());
  w.field("speed", t.speed).field("window_start_s", t.window_start_s);
  w.key("window_end_s");
  if (t.window_end_s >= 0) {
    w.value(t.window_end_s);
  } else {
    w.null();
  }
  w.field("span_s", t.at_ns.empty() ? 0.0 : static_cast<double>(t.at_ns.back()) / 1e9);
  // A whole distribution like every other, so `llmbench merge` pools it
  // across shards (count and max exactly; summary.schedule_lag_ms, merged
  // from histograms, has the exact percentiles).
  write_latency(w, "arrival_error_ms", stats::summarize(st.overall.lag_ns, 1e6));
  w.end_object();
}

// Whether the client itself was the bottleneck, and by which rule.
void write_client_limited(JsonWriter& w, const StageResult& st) {
  w.field("worker_cpu_share_max", st.worker_cpu_share_max);
  w.field("workers", st.workers);
  w.field("client_limited", st.client_limited());
  w.key("client_limited_reasons").begin_array();
  for (const stats::ClientLimitReason& r : st.client_limited_reasons) {
    w.begin_object();
    w.field("rule", r.rule).field("measured", r.measured).field("limit", r.limit).field("message", r.message);
    w.end_object();
  }
  w.end_array();
}

// How the runs met llama-server's prompt cache: spec mode's warm-up per
// prompt, what the requests asked (cache_prompt), and --erase-slots' tally.
void write_prompt_cache(JsonWriter& w, const RunReport& rep) {
  if (rep.plan == nullptr) return;
  w.key("prompt_cache").begin_object();
  if (rep.spec_mode()) w.field("warmup_per_prompt", rep.stages.front().plan.warmup_requests);
  w.field("cache_prompt", !rep.plan->cache_prompt ? "server default" : *rep.plan->cache_prompt ? "on" : "off");
  w.field("erase_slots", rep.plan->erase_slots);
  if (rep.slot_erasure) {
    const SlotErasure& e = *rep.slot_erasure;
    w.field("slot_erase_rounds", e.rounds).field("slots_erased", e.erased).field("slot_erase_failures", e.failed);
    w.key("slot_erase_first_error");
    if (e.first_error.empty()) {
      w.null();
    } else {
      w.value(e.first_error);
    }
  }
  w.end_object();
}

void write_header(JsonWriter& w, const RunReport& rep) {
  w.field("schema_version", kSchemaVersion);
  w.field("timestamp", rep.timestamp);
  w.field("timestamp_utc", rep.timestamp_utc);
  w.field("interrupted", rep.interrupted);
  if (rep.interrupted) w.field("interrupted_by", rep.interrupted_by);
  w.key("config");
  if (rep.config_json.empty()) {
    w.null();
  } else {
    w.raw(rep.config_json);
  }
  write_system(w, rep.system);
  // What the responses said they were generated by, beside system_info.model
  // (the id asked for): the first, and every distinct one.
  const std::vector<std::string> served = served_models(rep.stages);
  w.key("served_model");
  if (served.empty()) {
    w.null();
  } else {
    w.value(served.front());
  }
  w.key("served_models").begin_array();
  for (const std::string& m : served) w.value(m);
  w.end_array();
  write_server_block(w, rep);
  write_prompt_cache(w, rep);
}

void write_spec(JsonWriter& w, const RunReport& rep) {
  const StageResult& st = rep.stages.front();
  w.key("prompts").begin_object();
  for (std::size_t i = 0; i < st.prompts.size(); ++i) write_spec_prompt(w, *rep.plan, rep.plan->groups[i], st.prompts[i]);
  w.end_object();
  w.key("summary").begin_object();
  w.field("overall_avg_tokens_per_second", stats::mean_of_prompt_means(prompt_sets(st)));
  const std::vector<std::size_t> failed = failed_prompts(st);
  w.field("prompts_complete", failed.empty());
  w.key("failed_prompts").begin_array();
  for (const std::size_t i : failed) w.value(rep.plan->groups[i].key);
  w.end_array();
  w.field("warmup_requests", st.phases.warmup);
  write_client_limited(w, st);
  write_metrics(w, st.overall, MetricsOptions{});
  write_delivery_lag(w, st.delivery_lag_ns, st.first_token_lag_ns);
  write_telemetry_summary(w, rep, 0);
  w.end_object();
}

void write_load_section(JsonWriter& w, const RunReport& rep) {
  const RunPlan& plan = *rep.plan;
  w.key("load").begin_object();
  w.field("mode", rep.stages.empty() ? std::string_view("closed") : mode_name(rep.stages.front().plan.mode));
  w.field("threads", plan.threads);
  w.field("arrival", arrival_name(plan.arrival));
  w.field("burstiness", plan.burstiness);
  w.field("seed", plan.seed);
  w.field("keepalive", plan.keepalive);
  w.field("stream", plan.stream);
  w.field("endpoint", protocol::to_string(plan.flavor));
  w.key("slo").begin_object();
  w.field("ttft_ms", plan.slo.ttft_ms).field("tpot_ms", plan.slo.tpot_ms).field("e2e_ms", plan.slo.e2e_ms);
  w.end_object();
  const int knee = find_knee(rep.stages);
  w.key("knee");
  if (knee >= 0) {
    w.value(rep.stages[static_cast<std::size_t>(knee)].plan.label);
  } else {
    w.null();
  }
  w.end_object();
}

// When: the stage's window, its time series and whether it was steady.
void write_timeline(JsonWriter& w, const StageResult& st) {
  const auto rel = [&](std::int64_t t) { return static_cast<double>(t - st.run_start_ns) / 1e9; };
  w.key("window").begin_object();
  if (st.window) {
    w.field("rule", "exact").field("start_s", rel(st.window->start_ns)).field("end_s", rel(st.window->end_ns));
  } else {
    w.field("rule", "span");
  }
  w.end_object();
  w.key("steady").begin_object();
  w.field("judged", st.steady.judged);
  if (st.steady.judged) {
    w.field("steady", st.steady.steady);
    w.field("test", "first vs second half and least-squares trend of per-bucket output tok/s, each within 10 %");
    w.field("first_half_tokens_per_second", st.steady.first_half_tps);
    w.field("second_half_tokens_per_second", st.steady.second_half_tps);
    w.field("change_pct", st.steady.change_pct);
    w.field("trend_pct_over_window", st.steady.trend_pct_over_window);
  }
  w.field("buckets", static_cast<std::uint64_t>(st.steady.buckets));
  w.end_object();
  w.field("timeseries_interval_s", st.timeseries_interval_s);
  w.key("timeseries").begin_array();
  for (const stats::TimeBucket& b : st.timeseries) {
    w.begin_object();
    w.field("t_s", b.t_s).field("output_tokens", b.output_tokens);
    w.field("requests_started", b.requests_started).field("requests_completed", b.requests_completed);
    w.field("requests_failed", b.requests_failed).field("in_flight", b.in_flight);
    field_or_null(w, "ttft_p50_ms", b.ttft_p50_ms);
    field_or_null(w, "ttft_p99_ms", b.ttft_p99_ms);
    field_or_null(w, "e2e_p50_ms", b.e2e_p50_ms);
    field_or_null(w, "e2e_p99_ms", b.e2e_p99_ms);
    field_or_null(w, "offered_load", b.offered_load);
    w.end_object();
  }
  w.end_array();
}

void write_stage(JsonWriter& w, const RunReport& rep, const StageResult& st, std::size_t stage_index) {
  const RunPlan& plan = *rep.plan;
  const bool open = st.plan.mode == LoadMode::open;
  const auto sets = prompt_sets(st);
  w.begin_object();
  write_stage_plan(w, st.plan);
  if (plan.trace) write_trace(w, *plan.trace, st);
  w.field("repeat", st.repeat).field("repeats", st.repeats);
  w.field("start_s", st.start_s);
  if (st.planned_start_ns >= 0) w.field("start_late_ms", static_cast<double>(st.began_ns - st.planned_start_ns) / 1e6);
  w.field("elapsed_s", st.elapsed_s);
  w.field("interrupted", st.interrupted);
  w.key("error_messages").begin_object();
  for (std::size_t k = 1; k < kErrorKindCount; ++k) {
    if (st.error_messages[k].empty()) continue;
    w.key(to_string(static_cast<ErrorKind>(k))).begin_array();
    for (const std::string& m : st.error_messages[k]) w.value(m);
    w.end_array();
  }
  w.end_object();
  w.key("stopped_early");
  if (st.stopped_early) {
    w.begin_object();
    w.field("reason", st.stopped_early->kind == StopKind::unreachable ? "unreachable" : "error_rate");
    w.field("message", st.stopped_early->message);
    w.end_object();
  } else {
    w.null();
  }
  w.key("phases").begin_object();
  w.field("warmup", st.phases.warmup).field("measured", st.phases.measured).field("cooldown", st.phases.cooldown);
  w.end_object();
  w.field("requests_scheduled", st.scheduled);
  w.field("connections_opened", st.connections_opened);
  w.field("ring_full_waits", st.ring_full_waits);
  write_client_limited(w, st);
  write_load_prompts(w, plan, sets, open);
  w.key("summary").begin_object();
  optional_rate(w, "overall_avg_tokens_per_second", protocol::generates(plan.flavor), stats::mean_of_prompt_means(sets));
  if (st.full_concurrency) {
    w.field("full_concurrency_tokens_per_second", st.full_concurrency->tokens_per_second);
    w.field("full_concurrency_span_s", st.full_concurrency->span_s);
  }
  write_metrics(w, st.overall,
                MetricsOptions{.open_loop = open, .slo = plan.slo.any(), .generation = protocol::generates(plan.flavor)});
  write_delivery_lag(w, st.delivery_lag_ns, st.first_token_lag_ns);
  w.end_object();
  write_stage_models(w, plan, st,
                     MetricsOptions{.open_loop = open, .slo = plan.slo.any(), .generation = protocol::generates(plan.flavor)});
  write_telemetry_summary(w, rep, stage_index);
  write_timeline(w, st);
  w.end_object();
}

// Load mode: the top-level prompts and summary cover every stage together;
// each stage has its own below.
void write_load(JsonWriter& w, const RunReport& rep) {
  const RunPlan& plan = *rep.plan;
  const bool any_open = std::any_of(rep.stages.begin(), rep.stages.end(),
                                    [](const StageResult& s) { return s.plan.mode == LoadMode::open; });
  const RunTotals totals = total_over_stages(rep.stages, plan.groups.size());
  const auto sets = prompt_sets(totals);
  write_load_prompts(w, plan, sets, any_open);
  w.key("summary").begin_object();
  optional_rate(w, "overall_avg_tokens_per_second", protocol::generates(plan.flavor), stats::mean_of_prompt_means(sets));
  w.field("requests_scheduled", totals.scheduled);
  write_metrics(w, totals.overall,
                MetricsOptions{.open_loop = any_open, .slo = plan.slo.any(), .generation = protocol::generates(plan.flavor)});
  write_delivery_lag(w, totals.delivery_lag_ns, totals.first_token_lag_ns);
  w.end_object();
  write_run_models(w, plan, rep.stages,
                   MetricsOptions{.open_loop = any_open, .slo = plan.slo.any(), .generation = protocol::generates(plan.flavor)});
  write_load_section(w, rep);
  w.key("stages").begin_array();
  for (std::size_t k = 0; k < rep.stages.size(); ++k) write_stage(w, rep, rep.stages[k], k);
  w.end_array();
}

// How the run's reads were timestamped (--timestamps). "kernel" only when
// kernel stamps were asked for and every read that returned bytes, on every
// connection, carried one; a single fallback makes the run's figures as good
// as user-space timestamps, and the counts say how many reads were which.
void write_measurement(JsonWriter& w, const RunReport& rep) {
  std::uint64_t kernel_reads = 0;
  std::uint64_t user_reads = 0;
  std::uint64_t unstamped = 0;
  for (const StageResult& st : rep.stages) {
    kernel_reads += st.kernel_stamped_reads;
    user_reads += st.user_stamped_reads;
    unstamped += st.unstamped_connections;
  }
  const http::ReadTimestamps asked = rep.plan != nullptr ? rep.plan->timestamps : http::ReadTimestamps::user;
  const bool kernel = asked == http::ReadTimestamps::kernel && user_reads == 0 && unstamped == 0;
  w.key("measurement").begin_object();
  w.field("timestamp_source", kernel ? "kernel" : "user");
  w.field("timestamps_requested", http::to_string(asked));
  w.field("kernel_stamped_reads", kernel_reads);
  w.field("user_stamped_reads", user_reads);
  w.field("connections_without_kernel_stamps", unstamped);
  w.end_object();
}

// --shard / --start-at: who this file is among its shards, and the clocks
// that let merge put every shard's times on one wall-clock axis.
void write_shard(JsonWriter& w, const RunReport& rep) {
  const ShardReport& sh = *rep.shard;
  w.key("shard").begin_object();
  w.field("index", sh.shard.index).field("count", sh.shard.count);
  w.field("source", sh.source.empty() ? std::string_view("none") : std::string_view(sh.source));
  w.key("start_at");
  if (sh.start_at_unix_ns >= 0) {
    w.value(sh.start_at_utc);
  } else {
    w.null();
  }
  w.field("start_at_unix_ns", sh.start_at_unix_ns);
  w.key("start_offset_ms");
  const bool planned = !rep.stages.empty() && rep.stages.front().planned_start_ns >= 0;
  if (planned) {
    w.value(static_cast<double>(rep.stages.front().began_ns - rep.stages.front().planned_start_ns) / 1e6);
  } else {
    w.null();
  }
  w.field("realtime_minus_monotonic_ns", sh.realtime_offset_ns);
  w.field("offset_uncertainty_ns", sh.offset_uncertainty_ns);
  w.field("run_start_unix_ns", rep.run_start_ns + sh.realtime_offset_ns);
  w.end_object();
}

}  // namespace

std::string render_json(const RunReport& rep) {
  JsonWriter w;
  w.begin_object();
  write_header(w, rep);
  if (rep.shard) write_shard(w, rep);
  write_measurement(w, rep);
  if (rep.spec_mode()) {
    write_spec(w, rep);
  } else {
    write_load(w, rep);
  }
  write_telemetry(w, rep);
  w.end_object();
  return w.take();
}


}  // namespace llmbench::report
