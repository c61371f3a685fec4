// The load-mode terminal report: a section per stage, then (with several
// stages) the sweep table and the knee.
#include <algorithm>
#include <fmt/format.h>

#include <string>

#include "llmbench/report/terminal.hpp"
#include "llmbench/stats/summary.hpp"
#include "terminal_parts.hpp"

namespace llmbench::report {

namespace {

// A figure, or "-" where none was measured (no token times: a non-streamed
// reply, an endpoint that generates nothing).
std::string or_dash(bool present, double v, int decimals) {
  return present ? fmt::format("{:.{}f}", v, decimals) : std::string("-");
}

void latency_row(std::string& out, std::string_view name, const stats::Histogram& h) {
  if (h.empty()) return;
  const stats::LatencySummary s = stats::summarize(h, 1e6);
  out += fmt::format("  {:<10}{:>9}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}\n", name, s.count,
                     s.mean, s.p50, s.p90, s.p95, s.p99, s.p999, s.max);
}

std::string ramp_text(const StagePlan& p) {
  const RampPlan& r = *p.ramp;
  const char* shape = r.shape == RampShape::linear ? "linear" : "exponential";
  if (p.mode == LoadMode::closed) return fmt::format("closed loop ramp, {:g} to {:g} clients, {}", r.from, r.to, shape);
  return fmt::format("open loop ramp, {:g} to {:g} req/s, {}{}", r.from, r.to, shape,
                     p.max_concurrency > 0 ? fmt::format(", at most {} in flight", p.max_concurrency) : "");
}

std::string mode_text(const StagePlan& p) {
  if (p.ramp) return ramp_text(p);
  switch (p.mode) {
    case LoadMode::closed: return fmt::format("closed loop, {} concurrent", p.concurrency);
    case LoadMode::open:
      return p.max_concurrency > 0 ? fmt::format("open loop, {:g} req/s, at most {} in flight", p.rate_rps, p.max_concurrency)
                                   : fmt::format("open loop, {:g} req/s", p.rate_rps);
    case LoadMode::spec: break;
  }
  return "spec";
}

// A trace replay: which rows at what speed, and the arrival error (the
// open loop's schedule lag: dispatch time - the trace's time).
void trace_line(std::string& out, const TracePlan& t, const StageResult& st) {
  std::string window = "whole trace";
  if (t.window_end_s >= 0) {
    window = fmt::format("window {:g}:{:g} s", t.window_start_s, t.window_end_s);
  } else if (t.window_start_s > 0) {
    window = fmt::format("window {:g} s to the end", t.window_start_s);
  }
  out += fmt::format("  Trace: {} ({}), {} of {} rows over {:.2f} s, speed {:g}x, {}\n", t.file, t.format,
                     t.at_ns.size(), t.rows_in_file, t.at_ns.empty() ? 0.0 : static_cast<double>(t.at_ns.back()) / 1e9,
                     t.speed, window);
  const stats::LatencySummary e = stats::summarize(st.overall.lag_ns, 1e6);
  out += fmt::format("  Arrival error (sent - trace time): p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms over {} requests\n",
                     e.p50, e.p99, e.max, e.count);
}

// A ramp's buckets: the offered load beside the latency it met, at most
// about 12 rows (every k-th bucket of a long ramp).
void ramp_lines(std::string& out, const StageResult& st) {
  const auto& ts = st.timeseries;
  if (ts.empty()) return;
  const std::size_t every = (ts.size() + 11) / 12;
  const char* unit = st.plan.mode == LoadMode::open ? "req/s" : "clients";
  out += fmt::format("  Ramp, offered load and latency (ms) every {:g} s:\n", st.timeseries_interval_s * static_cast<double>(every));
  out += fmt::format("    {:>8}{:>9}{:>9}{:>10}{:>10}{:>10}{:>10}\n", "t s", unit, "started", "TTFT p50", "TTFT p99",
                     "E2E p50", "E2E p99");
  const auto ms = [](double v) { return v >= 0 ? fmt::format("{:.1f}", v) : std::string("-"); };
  for (std::size_t i = 0; i < ts.size(); i += every) {
    const stats::TimeBucket& b = ts[i];
    out += fmt::format("    {:>8.2f}{:>9.1f}{:>9}{:>10}{:>10}{:>10}{:>10}\n", b.t_s, b.offered_load,
                       b.requests_started, ms(b.ttft_p50_ms), ms(b.ttft_p99_ms), ms(b.e2e_p50_ms), ms(b.e2e_p99_ms));
  }
}

void stage_throughput(std::string& out, const RunReport& rep, const StageResult& st) {
  const stats::MetricSet& m = st.overall;
  const std::string repeat = st.repeats > 1 ? fmt::format(" run {}/{}", st.repeat + 1, st.repeats) : "";
  const std::string mode = rep.plan->trace ? std::string("trace replay, open loop") : mode_text(st.plan);
  out += fmt::format("\nStage {}{} ({}; measured {:.1f} s{})\n", st.plan.label, repeat, mode, m.window_s(),
                     st.window ? ", exact window" : "");
  if (rep.plan->trace) trace_line(out, *rep.plan->trace, st);
  if (st.plan.ramp) ramp_lines(out, st);
  out += fmt::format("  Requests: {} succeeded, {} failed, {} cancelled; scheduled {} (warm-up {}, cool-down {})\n",
                     m.succeeded, m.failed, m.cancelled, st.scheduled, st.phases.warmup, st.phases.cooldown);
  if (!protocol::generates(rep.plan->flavor)) {
    // Nothing generated: the input the server read is the rate.
    out += fmt::format("  Throughput: {:.2f} req/s, {:.1f} input tok/s ({} input tokens, the server's usage.prompt_tokens)\n",
                       m.request_throughput(), m.input_tokens_per_second(), m.input_tokens);
  } else {
    out += fmt::format("  Throughput: {:.2f} req/s, {:.1f} output tok/s; per request {:.2f} tok/s mean\n",
                       m.request_throughput(), m.output_tokens_per_second(), m.tps.mean());
  }
  if (st.full_concurrency && protocol::generates(rep.plan->flavor)) {
    out += fmt::format("  With all {} clients busy ({:.1f} s): {:.1f} output tok/s\n", st.plan.concurrency,
                       st.full_concurrency->span_s, st.full_concurrency->tokens_per_second);
  }
  if (st.steady.judged && !st.steady.steady) {
    out += fmt::format(
        "  WARNING: not steady: output tok/s {:+.1f}% from the first half of the window to the second, trend {:+.1f}%"
        " (longer --warmup-seconds or --duration)\n",
        st.steady.change_pct, st.steady.trend_pct_over_window);
  }
  terminal::client_limited(out, st, "  ");
  if (rep.plan->slo.any()) {
    out += fmt::format("  Goodput: {:.2f} req/s ({} of {} succeeded within the SLO, {:.1f}%)\n",
                       m.goodput_per_second(), m.good, m.succeeded, 100.0 * m.good_share());
  }
}

void stage_latencies(std::string& out, const StageResult& st) {
  const stats::MetricSet& m = st.overall;
  const bool open = st.plan.mode == LoadMode::open;
  out += fmt::format("  {:<10}{:>9}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}\n", "ms", "count", "mean", "p50", "p90",
                     "p95", "p99", "p99.9", "max");
  latency_row(out, "TTFB", m.ttfb_ns);
  latency_row(out, "TTFT", m.ttft_ns);
  latency_row(out, "TTFO", m.detail.ttfo_ns);
  latency_row(out, "ITL", m.itl_ns);
  if (m.detail.tokens_per_event_milli.max() > 1000) latency_row(out, "Gap/event", m.detail.inter_event_ns);
  latency_row(out, "TPOT", m.tpot_ns);
  latency_row(out, "E2E", m.e2e_ns);
  if (open) {
    latency_row(out, "TTFT*", m.ttft_intended_ns);
    latency_row(out, "E2E*", m.e2e_intended_ns);
    latency_row(out, "Lag", m.lag_ns);
  }
  latency_row(out, "Connect", m.connect_ns);
  latency_row(out, "Read lag", m.read_lag_ns);
  if (!open) latency_row(out, "Turnaround", m.turnaround_ns);
  latency_row(out, "Delivery", st.delivery_lag_ns);
  latency_row(out, "Deliv 1st", st.first_token_lag_ns);
  if (open) out += "  (* from the intended send time: free of coordinated omission)\n";
  if (m.detail.tokens_per_event_milli.max() > 1000) {
    const std::uint64_t exact = m.detail.tokens_from_event_usage;
    const std::uint64_t streamed = m.detail.tokens_per_event_milli.count();
    out += fmt::format("  (ITL per token: each event's gap divided among its tokens; Gap/event: the raw gaps; "
                       "{:.2f} tokens per event on average; {})\n",
                       m.detail.tokens_per_event_milli.mean() / 1e3,
                       exact == 0 ? std::string("each request's count spread evenly over its events")
                       : exact == streamed ? std::string("every event's own count, from its usage")
                                           : fmt::format("every event's own count in {} of {} requests, the rest spread "
                                                         "evenly", exact, streamed));
  }
  if (m.detail.has_reasoning()) {
    out += fmt::format("  (TTFT: first token, reasoning included; TTFO: first visible output. Tokens: {} reasoning, {} "
                       "content)\n",
                       m.detail.reasoning_total, m.detail.content_total);
  }
  if (m.detail.tool_call_requests > 0) {
    out += fmt::format("  Tool calls: {} of {} replies called a tool, in {} tool-call events (their tokens count as "
                       "output)\n",
                       m.detail.tool_call_requests, m.succeeded, m.detail.tool_call_events);
  }
  if (!st.delivery_lag_ns.empty()) {
    out += "  (Delivery: read timestamp - the server's stamp_ns, every stamped event of the stage; 1st: the first token's)\n";
  }
}

void stage_prompts(std::string& out, const RunReport& rep, const StageResult& st) {
  if (st.prompts.size() <= 1) return;
  // The server's view per group when it sent timings (llama-server): its
  // prefill time and how many requests its prompt cache served in part
  // (shared prefixes, --prefix-groups, show up here) and the tokens it
  // served from it (a session's later turns, --turns, reuse their history).
  bool server = false;
  for (const PromptResult& p : st.prompts) server = server || p.measured.server.requests > 0;
  // Embeddings and rerank: no tokens/s per request, no TTFT; only E2E.
  const bool gen = protocol::generates(rep.plan->flavor);
  out += gen ? fmt::format("  {:<22}{:>8}{:>8}{:>11}{:>12}{:>12}", "prompt", "ok", "failed", "tok/s/req", "TTFT p50",
                           "E2E p50")
             : fmt::format("  {:<22}{:>8}{:>8}{:>12}", "prompt", "ok", "failed", "E2E p50");
  out += server ? fmt::format("{:>13}{:>12}{:>12}\n", "prefill p50", "cache hits", "cached p50") : "\n";
  for (std::size_t i = 0; i < st.prompts.size(); ++i) {
    const stats::MetricSet& p = st.prompts[i].measured;
    if (p.requests == 0) continue;
    out += fmt::format("  {:<22}{:>8}{:>8}", rep.plan->groups[i].key, p.succeeded, p.failed);
    if (gen) {
      out += fmt::format("{:>11}{:>12}", or_dash(!p.tps.empty(), p.tps.mean(), 2),
                         or_dash(!p.ttft_ns.empty(), p.ttft_ns.percentile(50) / 1e6, 1));
    }
    out += fmt::format("{:>12.1f}", p.e2e_ns.percentile(50) / 1e6);
    if (!server) {
      out += "\n";
    } else if (p.server.requests == 0) {
      out += fmt::format("{:>13}{:>12}{:>12}\n", "-", "-", "-");
    } else {
      out += fmt::format("{:>13.1f}{:>12}{:>12.0f}\n", p.server.prefill_ns.percentile(50) / 1e6,
                         fmt::format("{}/{}", p.server.cache_hits, p.server.requests), p.server.cache_n.percentile(50));
    }
  }
}

// A --model mix: each model's share of the plan beside what it got and how
// it fared (embeddings and rerank: E2E and requests/s, nothing generated).
void stage_models(std::string& out, const RunReport& rep, const StageResult& st) {
  const std::vector<ModelShare>& mix = rep.plan->models;
  if (st.models.size() != mix.size() || mix.empty()) return;
  const bool gen = protocol::generates(rep.plan->flavor);
  out += fmt::format("  {:<22}{:>8}{:>10}{:>8}{:>10}{:>10}{:>11}\n", "model", "weight", "requests", "ok",
                     gen ? "TTFT p50" : "E2E p50", gen ? "TTFT p99" : "E2E p99", gen ? "out tok/s" : "req/s");
  for (std::size_t i = 0; i < mix.size(); ++i) {
    const stats::MetricSet& m = st.models[i].measured;
    const stats::Histogram& h = gen ? m.ttft_ns : m.e2e_ns;
    out += fmt::format("  {:<22}{:>7.1f}%{:>10}{:>8}{:>10}{:>10}{:>11}\n", display_model(mix[i].name),
                       100.0 * mix[i].weight, m.requests, m.succeeded, or_dash(!h.empty(), h.percentile(50) / 1e6, 1),
                       or_dash(!h.empty(), h.percentile(99) / 1e6, 1),
                       fmt::format("{:.{}f}", gen ? m.output_tokens_per_second() : m.request_throughput(), gen ? 1 : 2));
  }
}

void sweep_table(std::string& out, const RunReport& rep) {
  out += "\nSweep:\n";
  const bool gen = protocol::generates(rep.plan->flavor);
  if (gen) {
    out += fmt::format("  {:<16}{:>9}{:>11}{:>10}{:>10}{:>9}{:>9}{:>10}{:>10}{:>7}\n", "stage", "req/s", "out tok/s",
                       "TTFT p50", "TTFT p99", "ITL p50", "ITL p99", "E2E p50", "E2E p99", "errors");
  } else {  // embeddings, rerank: no token times
    out += fmt::format("  {:<16}{:>9}{:>11}{:>10}{:>10}{:>7}\n", "stage", "req/s", "in tok/s", "E2E p50", "E2E p99",
                       "errors");
  }
  const int knee = find_knee(rep.stages);
  for (std::size_t i = 0; i < rep.stages.size(); ++i) {
    const StageResult& st = rep.stages[i];
    const stats::MetricSet& m = st.overall;
    out += static_cast<int>(i) == knee ? "* " : "  ";
    if (!gen) {
      out += fmt::format("{:<16}{:>9.2f}{:>11.1f}{:>10.1f}{:>10.1f}{:>7}\n", st.plan.label, m.request_throughput(),
                         m.input_tokens_per_second(), m.e2e_ns.percentile(50) / 1e6, m.e2e_ns.percentile(99) / 1e6,
                         m.failed);
      continue;
    }
    const bool ttft = !m.ttft_ns.empty();
    const bool itl = !m.itl_ns.empty();
    out += fmt::format("{:<16}{:>9.2f}{:>11.1f}{:>10}{:>10}{:>9}{:>9}{:>10.1f}{:>10.1f}{:>7}\n", st.plan.label,
                       m.request_throughput(), m.output_tokens_per_second(),
                       or_dash(ttft, m.ttft_ns.percentile(50) / 1e6, 1), or_dash(ttft, m.ttft_ns.percentile(99) / 1e6, 1),
                       or_dash(itl, m.itl_ns.percentile(50) / 1e6, 1), or_dash(itl, m.itl_ns.percentile(99) / 1e6, 1),
                       m.e2e_ns.percentile(50) / 1e6, m.e2e_ns.percentile(99) / 1e6, m.failed);
  }
  if (knee >= 0) {
    out += fmt::format("Knee: {} (marked *; past it p90 latency more than doubles for < 10% more throughput, "
                       "or throughput / p90 E2E falls)\n",
                       rep.stages[static_cast<std::size_t>(knee)].plan.label);
  } else {
    out += "Knee: not reached (latency does not explode and throughput / p90 E2E still grows)\n";
  }
}

}  // namespace

std::string render_load_terminal(const RunReport& rep) {
  std::string out;
  terminal::header(out, rep);
  // --threads 0 (the default): the engine chose per stage; say how many ran.
  std::string threads = std::to_string(rep.plan->threads);
  if (rep.plan->threads == 0) {
    std::size_t most = 0;
    for (const StageResult& st : rep.stages) most = std::max(most, st.workers);
    threads = fmt::format("{} (chosen per stage)", most);
  }
  out += fmt::format("Target: {}{}  Threads: {}\n", rep.plan->target.origin(),
                     rep.plan->target.path(protocol::default_path(rep.plan->flavor)), threads);
  for (std::size_t stage = 0; stage < rep.stages.size(); ++stage) {
    const StageResult& st = rep.stages[stage];
    stage_throughput(out, rep, st);
    stage_latencies(out, st);
    if (const std::string errs = terminal::errors_line(st.overall); !errs.empty()) {
      out += fmt::format("  Errors: {}\n", errs);
    }
    for (std::size_t k = 1; k < kErrorKindCount; ++k) {
      if (st.error_messages[k].empty()) continue;
      out += fmt::format("  first failure ({}): {}\n", to_string(static_cast<ErrorKind>(k)), st.error_messages[k].front());
    }
    terminal::short_replies(out, rep, st.overall, "", "", "  ");
    stage_prompts(out, rep, st);
    stage_models(out, rep, st);
    out += terminal::server_view(rep, stage, st.overall.output_tokens_per_second());
  }
  if (rep.stages.size() > 1) sweep_table(out, rep);
  for (const StageResult& st : rep.stages) {
    if (st.stopped_early) out += fmt::format("\nStopped early (stage {}): {}\n", st.plan.label, st.stopped_early->message);
  }
  if (rep.interrupted) {
    out += fmt::format("\nInterrupted by {}: the figures cover what finished before it.\n", rep.interrupted_by);
  }
  return out;
}

}  // namespace llmbench::report
