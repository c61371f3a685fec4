#include "llmbench/report/json_report.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "llmbench/report/json_writer.hpp"
#include "llmbench/stats/running_stats.hpp"
#include "llmbench/stats/summary.hpp"

namespace llmbench::report {

namespace {

// Exact figures of a few samples (spec mode's runs), in the histogram layout.
stats::LatencySummary exact_summary(const std::vector<double>& xs) {
  stats::LatencySummary s;
  if (xs.empty()) return s;
  stats::RunningStats rs;
  for (const double x : xs) rs.record(x);
  s.count = rs.count();
  s.mean = rs.mean();
  s.std = rs.std();
  s.min = rs.min();
  s.max = rs.max();
  s.p50 = stats::exact_percentile(xs, 50);
  s.p90 = stats::exact_percentile(xs, 90);
  s.p95 = stats::exact_percentile(xs, 95);
  s.p99 = stats::exact_percentile(xs, 99);
  s.p999 = stats::exact_percentile(xs, 99.9);
  return s;
}

void write_errors(JsonWriter& w, const MetricSet& m) {
  w.key("errors").begin_object();
  for (std::size_t k = 1; k < kErrorKindCount; ++k) {
    if (static_cast<ErrorKind>(k) == ErrorKind::cancelled) continue;
    w.field(to_string(static_cast<ErrorKind>(k)), m.errors[k]);
  }
  w.end_object();
}

// The load-mode figures every `stats` and `summary` carries.
void write_metrics(JsonWriter& w, const MetricSet& m, bool open_loop, bool slo, bool ttft_exact_already) {
  w.field("requests_total", m.requests);
  w.field("requests_succeeded", m.succeeded);
  w.field("requests_failed", m.failed);
  w.field("requests_cancelled", m.cancelled);
  write_errors(w, m);
  w.field("request_throughput", m.request_throughput());
  w.field("output_tokens_per_second", m.output_tokens_per_second());
  w.field("output_tokens", m.output_tokens);
  w.field("input_tokens", m.input_tokens);
  w.field("measured_window_s", m.window_s());
  w.key("token_sources").begin_object();
  w.field("events", m.token_sources[0]).field("usage", m.token_sources[1]).field("timings", m.token_sources[2]);
  w.end_object();
  if (slo) {
    const double win = m.window_s();
    w.key("goodput").begin_object();
    w.field("requests", m.good);
    w.field("share", m.succeeded ? static_cast<double>(m.good) / static_cast<double>(m.succeeded) : 0.0);
    w.field("requests_per_second", win > 0 ? static_cast<double>(m.good) / win : 0.0);
    w.end_object();
  }
  if (!ttft_exact_already) write_latency(w, "ttft_ms", stats::summarize(m.ttft_ns, 1e6));
  write_latency(w, "itl_ms", stats::summarize(m.itl_ns, 1e6));
  write_latency(w, "tpot_ms", stats::summarize(m.tpot_ns, 1e6));
  write_latency(w, "e2e_ms", stats::summarize(m.e2e_ns, 1e6));
  write_latency(w, "connect_ms", stats::summarize(m.connect_ns, 1e6));
  write_latency(w, "tokens_per_second_per_request", stats::summarize(m.tps_milli, 1e3));
  if (open_loop) {
    write_latency(w, "schedule_lag_ms", stats::summarize(m.lag_ns, 1e6));
    write_latency(w, "ttft_from_intended_ms", stats::summarize(m.ttft_intended_ns, 1e6));
    write_latency(w, "e2e_from_intended_ms", stats::summarize(m.e2e_intended_ns, 1e6));
  }
  // The histograms themselves, so that runs can later be merged exactly.
  w.key("histograms").begin_object();
  w.field("ttft_ns", m.ttft_ns.to_compact());
  w.field("itl_ns", m.itl_ns.to_compact());
  w.field("tpot_ns", m.tpot_ns.to_compact());
  w.field("e2e_ns", m.e2e_ns.to_compact());
  w.field("tps_milli", m.tps_milli.to_compact());
  if (open_loop) {
    w.field("schedule_lag_ns", m.lag_ns.to_compact());
    w.field("ttft_intended_ns", m.ttft_intended_ns.to_compact());
    w.field("e2e_intended_ns", m.e2e_intended_ns.to_compact());
  }
  w.end_object();
}

// --stamp-lag only: read timestamp minus the server's send stamp, for every
// event and for each response's first content event.
void write_delivery_lag(JsonWriter& w, const stats::Histogram& all, const stats::Histogram& first) {
  if (all.empty()) return;
  write_latency(w, "delivery_lag_ms", stats::summarize(all, 1e6));
  write_latency(w, "first_token_delivery_lag_ms", stats::summarize(first, 1e6));
}

void write_timings(JsonWriter& w, const ServerTimings& t) {
  w.key("timings").begin_object();
  w.field("cache_n", t.cache_n).field("prompt_n", t.prompt_n).field("prompt_ms", t.prompt_ms);
  w.field("prompt_per_token_ms", t.prompt_per_token_ms).field("prompt_per_second", t.prompt_per_second);
  w.field("predicted_n", t.predicted_n).field("predicted_ms", t.predicted_ms);
  w.field("predicted_per_token_ms", t.predicted_per_token_ms).field("predicted_per_second", t.predicted_per_second);
  if (t.draft_n >= 0) w.field("draft_n", t.draft_n).field("draft_n_accepted", t.draft_n_accepted);
  w.end_object();
}

void write_run(JsonWriter& w, const RequestRecord& r) {
  w.begin_object();
  w.field("success", r.ok());
  w.key("error");
  if (r.ok()) {
    w.null();
  } else {
    w.value(to_string(r.error));
  }
  if (!r.ok()) w.field("error_message", r.message());
  if (r.http_status != 0) w.field("http_status", static_cast<unsigned>(r.http_status));
  w.field("completion_tokens", r.completion_tokens);
  w.field("prompt_tokens", r.prompt_tokens);
  w.field("duration_s", run_duration_s(r));
  w.field("tokens_per_second", run_tokens_per_second(r));
  const double ttft = run_ttft_ms(r);
  w.key("ttft_ms");
  if (ttft >= 0) {
    w.value(ttft);
  } else {
    w.null();
  }
  const double decode = run_decode_tokens_per_second(r);
  w.key("decode_tokens_per_second");
  if (decode >= 0) {
    w.value(decode);
  } else {
    w.null();
  }
  w.field("token_source", to_string(r.token_source));
  w.field("content_events", r.content_events);
  w.field("connect_ms", static_cast<double>(r.connect_ns) / 1e6);
  w.field("reused_connection", r.reused_connection);
  if (r.timings.present) write_timings(w, r.timings);
  w.end_object();
}

void write_spec_prompt(JsonWriter& w, const PromptGroup& g, const PromptResult& p) {
  w.key(g.key).begin_object();
  w.field("prompt_text", g.text);
  w.field("max_tokens", g.max_tokens);
  w.key("results").begin_array();
  for (const RequestRecord& r : p.records) write_run(w, r);
  w.end_array();
  const SpecStats s = spec_stats(p);
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
  std::vector<double> ttfts;
  for (const RequestRecord& r : p.records) {
    if (r.ok() && run_ttft_ms(r) >= 0) ttfts.push_back(run_ttft_ms(r));
  }
  write_latency(w, "ttft_ms", exact_summary(ttfts));
  write_metrics(w, p.measured, false, false, /*ttft_exact_already=*/true);
  w.end_object();
  w.end_object();
}

void write_load_prompts(JsonWriter& w, const RunPlan& plan, const std::vector<MetricSet>& sets, bool open_loop) {
  w.key("prompts").begin_object();
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const MetricSet& m = sets[i];
    if (m.requests == 0) continue;
    w.key(plan.groups[i].key).begin_object();
    w.field("prompt_text", plan.groups[i].text);
    w.field("max_tokens", plan.groups[i].max_tokens);
    w.key("stats").begin_object();
    w.field("avg_tokens_per_second", m.tps.mean());
    w.field("success_rate", m.success_rate());
    w.field("std_tokens_per_second", m.tps.sample_std());
    write_metrics(w, m, open_loop, plan.slo.any(), false);
    w.end_object();
    w.end_object();
  }
  w.end_object();
}

double mean_of_prompt_means(const std::vector<MetricSet>& sets) {
  double sum = 0;
  int n = 0;
  for (const MetricSet& m : sets) {
    if (m.tps.empty()) continue;
    sum += m.tps.mean();
    ++n;
  }
  return n ? sum / n : 0.0;
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
  w.field("label", p.label);
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
}

}  // namespace

void write_latency(JsonWriter& w, std::string_view key, const stats::LatencySummary& s) {
  w.key(key).begin_object();
  w.field("count", s.count);
  w.field("mean", s.mean).field("std", s.std).field("min", s.min).field("max", s.max);
  w.field("p50", s.p50).field("p90", s.p90).field("p95", s.p95).field("p99", s.p99).field("p999", s.p999);
  w.end_object();
}

std::string render_json(const RunReport& rep) {
  const RunPlan& plan = *rep.plan;
  JsonWriter w;
  w.begin_object();
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

  const bool spec = !rep.stages.empty() && rep.stages.front().plan.mode == LoadMode::spec;
  if (spec) {
    const StageResult& st = rep.stages.front();
    w.key("prompts").begin_object();
    for (std::size_t i = 0; i < st.prompts.size(); ++i) write_spec_prompt(w, plan.groups[i], st.prompts[i]);
    w.end_object();
    w.key("summary").begin_object();
    w.field("overall_avg_tokens_per_second", overall_avg_tokens_per_second(rep, st));
    w.field("warmup_requests", st.phases.warmup);
    write_metrics(w, st.overall, false, false, false);
    write_delivery_lag(w, st.delivery_lag_ns, st.first_token_lag_ns);
    w.end_object();
    w.end_object();
    return w.take();
  }

  // Load mode: the top-level prompts and summary cover every stage together;
  // each stage has its own below.
  const bool any_open = std::any_of(rep.stages.begin(), rep.stages.end(),
                                    [](const StageResult& s) { return s.plan.mode == LoadMode::open; });
  std::vector<MetricSet> per_prompt(plan.groups.size());
  MetricSet overall;
  stats::Histogram delivery_lag;
  stats::Histogram first_token_lag;
  std::uint64_t scheduled = 0;
  for (const StageResult& st : rep.stages) {
    delivery_lag.merge(st.delivery_lag_ns);
    first_token_lag.merge(st.first_token_lag_ns);
    for (std::size_t i = 0; i < st.prompts.size() && i < per_prompt.size(); ++i) per_prompt[i].merge(st.prompts[i].measured);
    overall.merge(st.overall);
    scheduled += st.scheduled;
  }
  write_load_prompts(w, plan, per_prompt, any_open);
  w.key("summary").begin_object();
  w.field("overall_avg_tokens_per_second", mean_of_prompt_means(per_prompt));
  w.field("requests_scheduled", scheduled);
  write_metrics(w, overall, any_open, plan.slo.any(), false);
  write_delivery_lag(w, delivery_lag, first_token_lag);
  w.end_object();

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

  w.key("stages").begin_array();
  for (const StageResult& st : rep.stages) {
    const bool open = st.plan.mode == LoadMode::open;
    std::vector<MetricSet> sets;
    for (const PromptResult& p : st.prompts) sets.push_back(p.measured);
    w.begin_object();
    write_stage_plan(w, st.plan);
    w.field("elapsed_s", st.elapsed_s);
    w.field("interrupted", st.interrupted);
    w.key("phases").begin_object();
    w.field("warmup", st.phases.warmup).field("measured", st.phases.measured).field("cooldown", st.phases.cooldown);
    w.end_object();
    w.field("requests_scheduled", st.scheduled);
    w.field("connections_opened", st.connections_opened);
    w.field("ring_full_waits", st.ring_full_waits);
    write_load_prompts(w, plan, sets, open);
    w.key("summary").begin_object();
    w.field("overall_avg_tokens_per_second", mean_of_prompt_means(sets));
    write_metrics(w, st.overall, open, plan.slo.any(), false);
    write_delivery_lag(w, st.delivery_lag_ns, st.first_token_lag_ns);
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

bool write_file_atomically(const std::string& path, const std::string& content, std::string& error) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string tmpl = dir + "/." + (slash == std::string::npos ? path : path.substr(slash + 1)) + ".XXXXXX";
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  const char* p = content.data();
  std::size_t left = content.size();
  bool ok = true;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  const int saved = errno;
  // Readable like any file the user creates (mkstemp makes it 0600).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (ok) ok = ::fchmod(fd, 0666 & ~mask) == 0;
  if (ok) ok = ::fsync(fd) == 0;
  if (::close(fd) != 0) ok = false;
  if (!ok || ::rename(tmpl.c_str(), path.c_str()) != 0) {
    error = "cannot write " + path + ": " + std::strerror(ok ? errno : saved);
    ::unlink(tmpl.c_str());
    return false;
  }
  return true;
}

}  // namespace llmbench::report
