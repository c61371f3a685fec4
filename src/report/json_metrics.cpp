#include "llmbench/report/json_metrics.hpp"

#include "llmbench/stats/request_figures.hpp"

namespace llmbench::report {

namespace {

void write_errors(JsonWriter& w, const stats::MetricSet& m) {
  w.key("errors").begin_object();
  for (std::size_t k = 1; k < kErrorKindCount; ++k) {
    if (static_cast<ErrorKind>(k) == ErrorKind::cancelled) continue;
    w.field(to_string(static_cast<ErrorKind>(k)), m.errors[k]);
  }
  w.end_object();
}

void write_counts(JsonWriter& w, const stats::MetricSet& m, bool generation) {
  w.field("requests_total", m.requests);
  w.field("requests_succeeded", m.succeeded);
  w.field("requests_failed", m.failed);
  w.field("requests_cancelled", m.cancelled);
  write_errors(w, m);
  w.field("truncated", m.truncated);
  w.field("stopped_before_max_tokens", m.stopped_before_max_tokens);
  w.field("request_throughput", m.request_throughput());
  w.key("output_tokens_per_second");
  if (generation) {
    w.value(m.output_tokens_per_second());
  } else {
    w.null();
  }
  w.field("input_tokens_per_second", m.input_tokens_per_second());
  w.field("output_tokens", m.output_tokens);
  w.field("input_tokens", m.input_tokens);
  w.field("measured_window_s", m.window_s());
  w.key("token_sources").begin_object();
  w.field("events", m.token_sources[0]).field("usage", m.token_sources[1]).field("timings", m.token_sources[2]);
  w.end_object();
}

void write_histograms(JsonWriter& w, const stats::MetricSet& m, bool open_loop) {
  w.key("histograms").begin_object();
  w.field("ttft_ns", m.ttft_ns.to_compact());
  w.field("ttfb_ns", m.ttfb_ns.to_compact());
  w.field("ttfo_ns", m.detail.ttfo_ns.to_compact());
  w.field("itl_ns", m.itl_ns.to_compact());
  w.field("inter_event_ns", m.detail.inter_event_ns.to_compact());
  w.field("tpot_ns", m.tpot_ns.to_compact());
  w.field("e2e_ns", m.e2e_ns.to_compact());
  w.field("tps_milli", m.tps_milli.to_compact());
  if (!m.read_lag_ns.empty()) w.field("client_read_lag_ns", m.read_lag_ns.to_compact());
  if (!m.turnaround_ns.empty()) w.field("turnaround_ns", m.turnaround_ns.to_compact());
  w.field("connect_ns", m.connect_ns.to_compact());
  if (open_loop) {
    w.field("schedule_lag_ns", m.lag_ns.to_compact());
    w.field("ttft_intended_ns", m.ttft_intended_ns.to_compact());
    w.field("e2e_intended_ns", m.e2e_intended_ns.to_compact());
  }
  w.end_object();
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

// Reasoning and content tokens, only where some stream carried them apart.
void write_token_detail(JsonWriter& w, const stats::TokenDetail& t) {
  write_latency(w, "inter_event_ms", stats::summarize(t.inter_event_ns, 1e6));
  write_latency(w, "tokens_per_event", stats::summarize(t.tokens_per_event_milli, 1e3));
  w.key("count_disagreements").begin_object();
  w.field("usage_vs_timings", t.usage_vs_timings).field("count_vs_events", t.count_vs_events);
  w.end_object();
  w.field("tokens_from_event_usage", t.tokens_from_event_usage);
  w.field("tool_call_requests", t.tool_call_requests).field("tool_call_events", t.tool_call_events);
  if (!t.has_reasoning()) return;
  w.field("reasoning_tokens_total", t.reasoning_total).field("content_tokens_total", t.content_total);
  write_latency(w, "reasoning_tokens", stats::summarize(t.reasoning_tokens));
  write_latency(w, "content_tokens", stats::summarize(t.content_tokens));
}

// llama-server's view of the same requests (only when its timings came).
void write_server_view(JsonWriter& w, const stats::ServerView& v) {
  if (v.empty()) return;
  w.key("server_view").begin_object();
  w.field("requests_with_timings", v.requests).field("cache_hits", v.cache_hits);
  write_latency(w, "prefill_ms", stats::summarize(v.prefill_ns, 1e6));
  write_latency(w, "queue_ms", stats::summarize(v.queue_ns, 1e6));
  write_latency(w, "prefill_tokens_per_second", stats::summarize(v.prefill_tps_milli, 1e3));
  write_latency(w, "server_decode_tokens_per_second", stats::summarize(v.server_decode_milli, 1e3));
  write_latency(w, "client_decode_tokens_per_second", stats::summarize(v.client_decode_milli, 1e3));
  write_latency(w, "cache_n", stats::summarize(v.cache_n));
  w.end_object();
}

template <class T>
void optional_field(JsonWriter& w, std::string_view key, const std::optional<T>& v) {
  w.key(key);
  if (v) {
    w.value(*v);
  } else {
    w.null();
  }
}

}  // namespace

void write_latency(JsonWriter& w, std::string_view key, const stats::LatencySummary& s) {
  w.key(key).begin_object();
  w.field("count", s.count);
  w.field("mean", s.mean).field("std", s.std).field("min", s.min).field("max", s.max);
  w.field("p50", s.p50).field("p90", s.p90).field("p95", s.p95).field("p99", s.p99).field("p999", s.p999);
  w.end_object();
}

void write_metrics(JsonWriter& w, const stats::MetricSet& m, const MetricsOptions& opt) {
  write_counts(w, m, opt.generation);
  if (opt.slo) {
    w.key("goodput").begin_object();
    w.field("requests", m.good);
    w.field("share", m.good_share());
    w.field("requests_per_second", m.goodput_per_second());
    w.end_object();
  }
  const bool ttft = opt.ttft && opt.generation;
  if (ttft) write_latency(w, "ttft_ms", stats::summarize(m.ttft_ns, 1e6));
  write_latency(w, "ttfb_ms", stats::summarize(m.ttfb_ns, 1e6));
  if (ttft) write_latency(w, "ttfo_ms", stats::summarize(m.detail.ttfo_ns, 1e6));
  if (opt.generation) write_token_detail(w, m.detail);
  write_server_view(w, m.server);
  if (opt.generation) {
    write_latency(w, "itl_ms", stats::summarize(m.itl_ns, 1e6));
    write_latency(w, "tpot_ms", stats::summarize(m.tpot_ns, 1e6));
  }
  write_latency(w, "e2e_ms", stats::summarize(m.e2e_ns, 1e6));
  write_latency(w, "connect_ms", stats::summarize(m.connect_ns, 1e6));
  if (opt.generation) write_latency(w, "tokens_per_second_per_request", stats::summarize(m.tps_milli, 1e3));
  // The client's own lateness: reads (kernel timestamps only) and, in a
  // closed loop, a client's response end -> its next send.
  if (!m.read_lag_ns.empty()) write_latency(w, "client_read_lag_ms", stats::summarize(m.read_lag_ns, 1e6));
  if (!m.turnaround_ns.empty()) write_latency(w, "turnaround_ms", stats::summarize(m.turnaround_ns, 1e6));
  if (opt.open_loop) {
    write_latency(w, "schedule_lag_ms", stats::summarize(m.lag_ns, 1e6));
    if (opt.generation) write_latency(w, "ttft_from_intended_ms", stats::summarize(m.ttft_intended_ns, 1e6));
    write_latency(w, "e2e_from_intended_ms", stats::summarize(m.e2e_intended_ns, 1e6));
  }
  write_histograms(w, m, opt.open_loop);
}

void write_delivery_lag(JsonWriter& w, const stats::Histogram& all, const stats::Histogram& first) {
  if (all.empty()) return;
  write_latency(w, "delivery_lag_ms", stats::summarize(all, 1e6));
  write_latency(w, "first_token_delivery_lag_ms", stats::summarize(first, 1e6));
}

void write_run(JsonWriter& w, const RequestRecord& r, int max_tokens) {
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
  w.field("duration_s", stats::duration_s(r));
  w.field("tokens_per_second", stats::tokens_per_second(r).value_or(0.0));
  const auto ttft = stats::ttft_ns(r);
  optional_field(w, "ttft_ms", ttft ? std::optional<double>(static_cast<double>(*ttft) / 1e6) : std::nullopt);
  const auto ttfo = stats::ttfo_ns(r);
  optional_field(w, "ttfo_ms", ttfo ? std::optional<double>(static_cast<double>(*ttfo) / 1e6) : std::nullopt);
  w.field("reasoning_tokens", r.reasoning_tokens).field("content_tokens", stats::content_tokens(r));
  optional_field(w, "decode_tokens_per_second", stats::decode_tokens_per_second(r));
  w.field("token_source", to_string(r.token_source));
  w.field("content_events", r.content_events);
  w.key("finish_reason");
  if (r.finish == FinishReason::unknown) {
    w.null();
  } else {
    w.value(to_string(r.finish));
  }
  w.field("truncated", stats::truncated(r, max_tokens));
  w.field("reasoning_events", r.reasoning_events);
  w.field("connect_ms", static_cast<double>(r.connect_ns) / 1e6);
  w.field("reused_connection", r.reused_connection);
  if (r.timings.present) {
    write_timings(w, r.timings);
    const auto ms = [](std::optional<std::int64_t> ns) {
      return ns ? std::optional<double>(static_cast<double>(*ns) / 1e6) : std::nullopt;
    };
    optional_field(w, "prefill_ms", ms(stats::prefill_ns(r)));
    optional_field(w, "queue_ms", ms(stats::queue_ns(r)));
    optional_field(w, "server_decode_tokens_per_second", stats::server_decode_tokens_per_second(r));
  }
  optional_field(w, "cache_n", stats::cache_n(r));
  w.end_object();
}

}  // namespace llmbench::report
