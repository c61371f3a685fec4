// The spec-mode terminal report: the guide's layout line for line (banner,
// Model, Huge Pages, Timestamp, Runs per prompt, the Per-Prompt table and
// Overall), then what the guide never had.
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "llmbench/report/terminal.hpp"
#include "llmbench/stats/spec_stats.hpp"
#include "terminal_parts.hpp"

namespace llmbench::report {

namespace {

const std::string kRule(40, '-');

std::string pct(double share) { return fmt::format("{:.0f}%", share * 100.0); }

const RequestRecord* first_failure(const StageResult& stage) {
  for (const PromptResult& p : stage.prompts) {
    for (const RequestRecord& r : p.records) {
      if (!r.ok() && r.error != ErrorKind::cancelled) return &r;
    }
  }
  return nullptr;
}

using Rows = std::vector<stats::SpecStats>;

void per_prompt(std::string& out, const RunReport& rep, const StageResult& stage, const Rows& st) {
  const auto& groups = rep.plan->groups;
  for (std::size_t i = 0; i < st.size(); ++i) {
    if (st[i].runs == 0) {  // never attempted (an interrupted run)
      out += fmt::format("{:<20}{:>13}{:>11}\n", groups[i].key, "-", "-");
      continue;
    }
    out += fmt::format("{:<20}{:>13.2f}{:>11}\n", groups[i].key, st[i].avg_tps, pct(st[i].success_rate));
  }
  out += kRule + "\n";
  out += fmt::format("{:<20}{:>13.2f}\n", "Overall", stats::mean_of_prompt_means(prompt_sets(stage)));
  const std::vector<std::size_t> failed = failed_prompts(stage);
  if (failed.empty()) return;
  std::string keys;
  for (const std::size_t i : failed) keys += (keys.empty() ? "" : ", ") + groups[i].key;
  out += fmt::format("WARNING: Overall averages {} of {} prompts ({} failed every run): compare it only with a run "
                     "over the same prompts\n",
                     st.size() - failed.size(), st.size(), keys);
}

void consistency(std::string& out, const RunReport& rep, const Rows& st) {
  const auto& groups = rep.plan->groups;
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
}

bool any_reasoning(const Rows& st) {
  return std::any_of(st.begin(), st.end(), [](const stats::SpecStats& s) { return s.reasoning; });
}

// TTFO and the reasoning tokens get columns of their own only when some
// stream carried reasoning apart: otherwise TTFO is TTFT and would repeat it.
void latency(std::string& out, const RunReport& rep, const Rows& st) {
  const auto& groups = rep.plan->groups;
  const bool reasoning = any_reasoning(st);
  out += reasoning ? "\nLatency (TTFT: request sent to first generated token, reasoning included; TTFO: to first "
                     "visible output token; decode: tokens after the first):\n"
                   : "\nLatency (TTFT: request sent to first generated token; decode: tokens after the first):\n";
  out += fmt::format("{:<20}{:>13}{:>13}{:>13}{:>14}", "Prompt", "TTFT p50 ms", "TTFT p90 ms", "TTFT max ms",
                     "Decode tok/s");
  out += reasoning ? fmt::format("{:>13}{:>13}{:>11}\n", "TTFO p50 ms", "TTFO max ms", "Reasoning") : "\n";
  for (std::size_t i = 0; i < st.size(); ++i) {
    const stats::SpecStats& s = st[i];
    if (s.ttft_ms.count == 0) {
      out += fmt::format("{:<20}{:>13}\n", groups[i].key, "-");
      continue;
    }
    out += fmt::format("{:<20}{:>13.1f}{:>13.1f}{:>13.1f}{:>14.2f}", groups[i].key, s.ttft_ms.p50, s.ttft_ms.p90,
                       s.ttft_ms.max, s.avg_decode_tps);
    if (!reasoning) {
      out += "\n";
    } else if (s.ttfo_ms.count == 0) {
      out += fmt::format("{:>13}{:>13}{:>11.0f}\n", "-", "-", s.avg_reasoning_tokens);
    } else {
      out += fmt::format("{:>13.1f}{:>13.1f}{:>11.0f}\n", s.ttfo_ms.p50, s.ttfo_ms.max, s.avg_reasoning_tokens);
    }
  }
}

// What the measured runs met in llama-server's prompt cache, and why: by
// default each prompt's warm-up leaves it there (warm prefill, the same for
// every run); --erase-slots and --cache-prompt off give cold prefill.
void cache_note(std::string& out, const RunReport& rep, std::uint64_t hits, std::uint64_t runs) {
  const bool cold_asked = rep.slot_erasure.has_value() || rep.plan->cache_prompt == false;
  if (rep.slot_erasure) {
    const SlotErasure& e = *rep.slot_erasure;
    out += fmt::format("Prompt cache: every slot erased before each of {} measured runs", e.rounds);
    out += e.failed == 0 ? "\n" : fmt::format("; {} erases failed, the first: {}\n", e.failed, e.first_error);
  } else if (rep.plan->cache_prompt == false) {
    out += "Prompt cache: off (every request sent cache_prompt: false)\n";
  }
  if (hits == 0) return;
  if (!cold_asked) {
    out += fmt::format("NOTE: {} of {} measured runs reused the server's prompt cache (cache_n > 0), as each prompt's "
                       "warm-up left it: warm-cache prefill; --erase-slots or --cache-prompt off measures a cold one\n",
                       hits, runs);
  } else {
    out += fmt::format("NOTE: {} of {} measured runs still reused the server's prompt cache (cache_n > 0): their "
                       "prefill was shorter than a cold run's\n",
                       hits, runs);
  }
}

// llama-server's own view of the same runs, from each response's timings:
// where TTFT went (prefill vs waiting) and whether the prompt cache served
// part of the prompt, which makes runs of one prompt differ.
void server_view(std::string& out, const RunReport& rep, const StageResult& stage) {
  const auto& groups = rep.plan->groups;
  bool any = false;
  for (const PromptResult& p : stage.prompts) any = any || p.measured.server.requests > 0;
  if (!any) return;
  out += "\nServer view (llama-server's timings; queue = TTFT - prefill):\n";
  out += fmt::format("{:<20}{:>12}{:>14}{:>10}{:>15}{:>15}{:>12}\n", "Prompt", "Prefill ms", "Prefill tok/s",
                     "Queue ms", "Server tok/s", "Client tok/s", "Cache hits");
  std::uint64_t hits = 0;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < stage.prompts.size(); ++i) {
    const stats::ServerView& v = stage.prompts[i].measured.server;
    if (v.requests == 0) {
      out += fmt::format("{:<20}{:>12}\n", groups[i].key, "-");
      continue;
    }
    hits += v.cache_hits;
    seen += v.requests;
    out += fmt::format("{:<20}{:>12.1f}{:>14.1f}{:>10.1f}{:>15.2f}{:>15.2f}{:>12}\n", groups[i].key,
                       v.prefill_ns.mean() / 1e6, v.prefill_tps_milli.mean() / 1e3, v.queue_ns.mean() / 1e6,
                       v.server_decode_milli.mean() / 1e3, v.client_decode_milli.mean() / 1e3,
                       fmt::format("{}/{}", v.cache_hits, v.requests));
  }
  cache_note(out, rep, hits, seen);
}

void failures(std::string& out, const StageResult& stage) {
  const stats::MetricSet& all = stage.overall;
  const std::string errs = terminal::errors_line(all);
  if (errs.empty()) return;
  out += fmt::format("\nFailures: {} of {} runs ({})\n", all.failed, all.requests - all.cancelled, errs);
  if (const RequestRecord* r = first_failure(stage)) {
    out += fmt::format("  first failure: {}: {}\n", to_string(r->error), r->message());
  }
  if (all.errors[static_cast<std::size_t>(ErrorKind::timeout)] > 0) {
    out += "  Timeouts: increase --timeout, reduce prompt complexity, check model size vs available RAM\n";
  }
}

// Which prompts had replies end short, and how many: " (long_context 3, ...)".
std::string short_prompts(const RunReport& rep, const StageResult& stage, std::uint64_t stats::MetricSet::*count) {
  std::string s;
  for (std::size_t i = 0; i < stage.prompts.size(); ++i) {
    const std::uint64_t n = stage.prompts[i].measured.*count;
    if (n > 0) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", rep.plan->groups[i].key, n);
  }
  return s.empty() ? s : " (" + s + ")";
}

void short_replies(std::string& out, const RunReport& rep, const StageResult& stage) {
  const stats::MetricSet& m = stage.overall;
  if (m.truncated == 0 && m.stopped_before_max_tokens == 0) return;
  out += "\n";
  terminal::short_replies(out, rep, m, short_prompts(rep, stage, &stats::MetricSet::truncated),
                          short_prompts(rep, stage, &stats::MetricSet::stopped_before_max_tokens), "");
}

}  // namespace

std::string render_spec_terminal(const RunReport& rep) {
  std::string out;
  terminal::header(out, rep);
  const StageResult* stage = rep.stages.empty() ? nullptr : &rep.stages.front();
  out += fmt::format("Runs per prompt: {}\n", stage ? stage->plan.runs : 0);
  out += "\nPer-Prompt Performance:\n";
  out += kRule + "\n";
  out += fmt::format("{:<20}{:>13}{:>11}\n", "Prompt", "Avg tok/s", "Success");
  out += kRule + "\n";
  if (stage == nullptr) return out;
  Rows st;
  for (const PromptResult& p : stage->prompts) st.push_back(stats::spec_stats(p.records));
  per_prompt(out, rep, *stage, st);
  consistency(out, rep, st);
  latency(out, rep, st);
  server_view(out, rep, *stage);
  failures(out, *stage);
  short_replies(out, rep, *stage);
  out += terminal::server_view(rep, 0, stage->overall.output_tokens_per_second());
  if (stage->client_limited()) out += "\n";
  terminal::client_limited(out, *stage, "");
  if (rep.interrupted) {
    out += fmt::format("\nInterrupted by {}: the figures cover the runs that finished.\n", rep.interrupted_by);
  }
  return out;
}

}  // namespace llmbench::report
