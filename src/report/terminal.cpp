#include "llmbench/report/terminal.hpp"

#include <fmt/format.h>

#include <string>

#include "llmbench/stats/spec_stats.hpp"
#include "llmbench/stats/summary.hpp"

namespace llmbench::report {

namespace {

const std::string kBanner(60, '=');
const std::string kRule(40, '-');

void header(std::string& out, const RunReport& rep) {
  const SystemInfo& sys = rep.system;
  out += kBanner + "\n";
  out += "  LLAMA.CPP PERFORMANCE BENCHMARK\n";
  out += kBanner + "\n";
  out += fmt::format("Model: {}\n", display_model(sys.model));
  out += fmt::format("Huge Pages: {}/{} ({} MB each)\n", sys.hugepages.total - sys.hugepages.free, sys.hugepages.total,
                     sys.hugepages.size_kb / 1024);
  out += fmt::format("Timestamp: {}\n", rep.timestamp);
}

std::string errors_line(const stats::MetricSet& m) {
  std::string s;
  for (std::size_t k = 1; k < kErrorKindCount; ++k) {
    if (m.errors[k] == 0) continue;
    if (!s.empty()) s += ", ";
    s += fmt::format("{} {}", to_string(static_cast<ErrorKind>(k)), m.errors[k]);
  }
  return s;
}

const RequestRecord* first_failure(const StageResult& stage) {
  for (const PromptResult& p : stage.prompts) {
    for (const RequestRecord& r : p.records) {
      if (!r.ok() && r.error != ErrorKind::cancelled) return &r;
    }
  }
  return nullptr;
}

std::string pct(double share) { return fmt::format("{:.0f}%", share * 100.0); }

}  // namespace

std::string render_spec_terminal(const RunReport& rep) {
  std::string out;
  header(out, rep);
  const StageResult* stage = rep.stages.empty() ? nullptr : &rep.stages.front();
  out += fmt::format("Runs per prompt: {}\n", stage ? stage->plan.runs : 0);
  out += "\nPer-Prompt Performance:\n";
  out += kRule + "\n";
  out += fmt::format("{:<20}{:>13}{:>11}\n", "Prompt", "Avg tok/s", "Success");
  out += kRule + "\n";
  if (stage == nullptr) return out;
  const auto& groups = rep.plan->groups;
  std::vector<stats::SpecStats> st;
  for (const PromptResult& p : stage->prompts) st.push_back(stats::spec_stats(p.records));
  for (std::size_t i = 0; i < st.size(); ++i) {
    if (st[i].runs == 0) {  // never attempted (an interrupted run)
      out += fmt::format("{:<20}{:>13}{:>11}\n", groups[i].key, "-", "-");
      continue;
    }
    out += fmt::format("{:<20}{:>13.2f}{:>11}\n", groups[i].key, st[i].avg_tps, pct(st[i].success_rate));
  }
  out += kRule + "\n";
  out += fmt::format("{:<20}{:>13.2f}\n", "Overall", stats::mean_of_prompt_means(prompt_sets(*stage)));

  out += "\nConsistency (tokens/s across runs; CV < 5% excellent, > 10% suggests system instability):\n";
  out += fmt::format("{:<20}{:>9}{:>9}{:>9}{:>9}{:>8}  {}\n", "Prompt", "Min", "Median", "Max", "Std", "CV", "Verdict");
  for (std::size_t i = 0; i < st.size(); ++i) {
    const stats::SpecStats& s = st[i];
    if (s.succeeded == 0) {
      out += fmt::format("{:<20}{:>9}\n", groups[i].key, "-");
      continue;
    }
    const std::string_view verdict = s.succeeded < 2 ? "n/a (one run)" : stats::cv_verdict(s.cv);
    out += fmt::format("{:<20}{:>9.2f}{:>9.2f}{:>9.2f}{:>9.2f}{:>7.1f}%  {}\n", groups[i].key, s.min_tps,
                       s.median_tps, s.max_tps, s.std_tps, s.cv * 100.0, verdict);
  }

  out += "\nLatency (TTFT: request sent to first generated token; decode: tokens after the first):\n";
  out += fmt::format("{:<20}{:>13}{:>13}{:>13}{:>14}\n", "Prompt", "TTFT p50 ms", "TTFT p90 ms", "TTFT max ms",
                     "Decode tok/s");
  for (std::size_t i = 0; i < st.size(); ++i) {
    const stats::SpecStats& s = st[i];
    if (s.ttft_ms.count == 0) {
      out += fmt::format("{:<20}{:>13}\n", groups[i].key, "-");
      continue;
    }
    out += fmt::format("{:<20}{:>13.1f}{:>13.1f}{:>13.1f}{:>14.2f}\n", groups[i].key, s.ttft_ms.p50, s.ttft_ms.p90,
                       s.ttft_ms.max, s.avg_decode_tps);
  }

  const stats::MetricSet& all = stage->overall;
  const std::string errs = errors_line(all);
  if (!errs.empty()) {
    out += fmt::format("\nFailures: {} of {} runs ({})\n", all.failed, all.requests - all.cancelled, errs);
    if (const RequestRecord* r = first_failure(*stage)) {
      out += fmt::format("  first failure: {}: {}\n", to_string(r->error), r->message());
    }
    if (all.errors[static_cast<std::size_t>(ErrorKind::timeout)] > 0) {
      out += "  Timeouts: increase --timeout, reduce prompt complexity, check model size vs available RAM\n";
    }
  }
  if (rep.interrupted) {
    out += fmt::format("\nInterrupted by {}: the figures cover the runs that finished.\n", rep.interrupted_by);
  }
  return out;
}

namespace {

void latency_row(std::string& out, std::string_view name, const stats::Histogram& h) {
  if (h.empty()) return;
  const stats::LatencySummary s = stats::summarize(h, 1e6);
  out += fmt::format("  {:<10}{:>9}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}\n", name, s.count,
                     s.mean, s.p50, s.p90, s.p95, s.p99, s.p999, s.max);
}

std::string mode_text(const StagePlan& p) {
  switch (p.mode) {
    case LoadMode::closed: return fmt::format("closed loop, {} concurrent", p.concurrency);
    case LoadMode::open:
      return p.max_concurrency > 0 ? fmt::format("open loop, {:g} req/s, at most {} in flight", p.rate_rps, p.max_concurrency)
                                   : fmt::format("open loop, {:g} req/s", p.rate_rps);
    case LoadMode::spec: break;
  }
  return "spec";
}

}  // namespace

std::string render_load_terminal(const RunReport& rep) {
  std::string out;
  header(out, rep);
  out += fmt::format("Target: {}{}  Threads: {}\n", rep.plan->target.origin(),
                     rep.plan->target.path(protocol::default_path(rep.plan->flavor)), rep.plan->threads);
  for (const StageResult& st : rep.stages) {
    const stats::MetricSet& m = st.overall;
    out += fmt::format("\nStage {} ({}; measured {:.1f} s{})\n", st.plan.label, mode_text(st.plan), m.window_s(),
                       st.window ? ", exact window" : "");
    out += fmt::format("  Requests: {} succeeded, {} failed, {} cancelled; scheduled {} (warm-up {}, cool-down {})\n",
                       m.succeeded, m.failed, m.cancelled, st.scheduled, st.phases.warmup, st.phases.cooldown);
    out += fmt::format("  Throughput: {:.2f} req/s, {:.1f} output tok/s; per request {:.2f} tok/s mean\n",
                       m.request_throughput(), m.output_tokens_per_second(), m.tps.mean());
    if (st.full_concurrency) {
      out += fmt::format("  With all {} clients busy ({:.1f} s): {:.1f} output tok/s\n", st.plan.concurrency,
                         st.full_concurrency->span_s, st.full_concurrency->tokens_per_second);
    }
    if (st.steady.judged && !st.steady.steady) {
      out += fmt::format(
          "  WARNING: not steady: output tok/s {:+.1f}% from the first half of the window to the second, trend {:+.1f}%"
          " (longer --warmup-seconds or --duration)\n",
          st.steady.change_pct, st.steady.trend_pct_over_window);
    }
    if (rep.plan->slo.any()) {
      out += fmt::format("  Goodput: {:.2f} req/s ({} of {} succeeded within the SLO, {:.1f}%)\n",
                         m.goodput_per_second(), m.good, m.succeeded, 100.0 * m.good_share());
    }
    out += fmt::format("  {:<10}{:>9}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}\n", "ms", "count", "mean", "p50",
                       "p90", "p95", "p99", "p99.9", "max");
    latency_row(out, "TTFT", m.ttft_ns);
    latency_row(out, "ITL", m.itl_ns);
    latency_row(out, "TPOT", m.tpot_ns);
    latency_row(out, "E2E", m.e2e_ns);
    if (st.plan.mode == LoadMode::open) {
      latency_row(out, "TTFT*", m.ttft_intended_ns);
      latency_row(out, "E2E*", m.e2e_intended_ns);
      latency_row(out, "Lag", m.lag_ns);
    }
    latency_row(out, "Connect", m.connect_ns);
    latency_row(out, "Delivery", st.delivery_lag_ns);
    latency_row(out, "Deliv 1st", st.first_token_lag_ns);
    if (st.plan.mode == LoadMode::open) out += "  (* from the intended send time: free of coordinated omission)\n";
    if (!st.delivery_lag_ns.empty()) {
      out += "  (Delivery: read timestamp - the server's stamp_ns, every stamped event of the stage; 1st: the first token's)\n";
    }
    if (const std::string errs = errors_line(m); !errs.empty()) out += fmt::format("  Errors: {}\n", errs);
    if (st.prompts.size() > 1) {
      out += fmt::format("  {:<22}{:>8}{:>8}{:>11}{:>12}{:>12}\n", "prompt", "ok", "failed", "tok/s/req", "TTFT p50",
                         "E2E p50");
      for (std::size_t i = 0; i < st.prompts.size(); ++i) {
        const stats::MetricSet& p = st.prompts[i].measured;
        if (p.requests == 0) continue;
        out += fmt::format("  {:<22}{:>8}{:>8}{:>11.2f}{:>12.1f}{:>12.1f}\n", rep.plan->groups[i].key, p.succeeded,
                           p.failed, p.tps.mean(), p.ttft_ns.percentile(50) / 1e6, p.e2e_ns.percentile(50) / 1e6);
      }
    }
  }
  if (rep.stages.size() > 1) {
    out += "\nSweep:\n";
    out += fmt::format("{:<18}{:>9}{:>11}{:>10}{:>10}{:>9}{:>9}{:>10}{:>10}{:>7}\n", "stage", "req/s", "out tok/s",
                       "TTFT p50", "TTFT p99", "ITL p50", "ITL p99", "E2E p50", "E2E p99", "errors");
    for (const StageResult& st : rep.stages) {
      const stats::MetricSet& m = st.overall;
      out += fmt::format("{:<18}{:>9.2f}{:>11.1f}{:>10.1f}{:>10.1f}{:>9.1f}{:>9.1f}{:>10.1f}{:>10.1f}{:>7}\n",
                         st.plan.label, m.request_throughput(), m.output_tokens_per_second(),
                         m.ttft_ns.percentile(50) / 1e6, m.ttft_ns.percentile(99) / 1e6, m.itl_ns.percentile(50) / 1e6,
                         m.itl_ns.percentile(99) / 1e6, m.e2e_ns.percentile(50) / 1e6, m.e2e_ns.percentile(99) / 1e6,
                         m.failed);
    }
    const int knee = find_knee(rep.stages);
    if (knee >= 0) {
      out += fmt::format("Knee: {} (beyond it throughput grows < 5% while p99 latency keeps growing)\n",
                         rep.stages[static_cast<std::size_t>(knee)].plan.label);
    } else {
      out += "Knee: not reached (throughput still grows with load)\n";
    }
  }
  if (rep.interrupted) {
    out += fmt::format("\nInterrupted by {}: the figures cover what finished before it.\n", rep.interrupted_by);
  }
  return out;
}

}  // namespace llmbench::report
