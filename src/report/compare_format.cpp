// `llmbench compare` as a terminal table, Markdown and JSON. See
// report/compare_format.hpp.
#include "llmbench/report/compare_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "llmbench/report/json_writer.hpp"

namespace llmbench::report {

namespace {

// Rows of cells, printed either aligned (first column left, the others
// right) or as a Markdown table.
struct Table {
  std::vector<std::vector<std::string>> rows;  // rows[0] is the header

  std::string render(bool markdown) const {
    std::vector<std::size_t> width(rows.front().size(), 0);
    for (const auto& r : rows)
      for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    std::string out;
    for (std::size_t n = 0; n < rows.size(); ++n) {
      for (std::size_t i = 0; i < rows[n].size(); ++i) {
        const std::string& c = rows[n][i];
        if (markdown) out += "| " + c + " ";
        else out += i == 0 ? fmt::format("{:<{}}", c, width[i] + 2) : fmt::format("{:>{}}", c, width[i] + 2);
      }
      out += markdown ? "|\n" : "\n";
      if (markdown && n == 0) {
        for (std::size_t i = 0; i < rows[n].size(); ++i) out += i == 0 ? "|---" : "|---:";
        out += "|\n";
      }
    }
    return out;
  }
};

std::string pct(double v) { return fmt::format("{:+.1f} %", v); }

std::string verdict_text(const stats::Comparison& c) {
  std::string v(stats::to_string(c.verdict));
  if (c.runs_needed) v += fmt::format(" (~{} runs to decide)", *c.runs_needed);
  return v;
}

std::string ci_text(const stats::Comparison& c) {
  return c.insufficient ? "n/a" : fmt::format("[{:+.1f}, {:+.1f}]", c.ci_lo_pct, c.ci_hi_pct);
}

std::string p_text(const stats::Comparison& c) { return c.p_value ? fmt::format("{:.3f}", *c.p_value) : "-"; }

std::string side_text(double mean, const stats::SampleSummary& s) {
  if (s.n < 2) return fmt::format("{:.2f}", mean);
  return fmt::format("{:.2f} ± {:.2f} ({})", mean, std::sqrt(s.variance), s.n);
}

std::vector<std::string> delta_cells(const MetricDelta& m) {
  return {side_text(m.cmp.base, m.base_runs), side_text(m.cmp.new_value, m.new_runs), pct(m.cmp.delta_pct),
          ci_text(m.cmp), p_text(m.cmp), verdict_text(m.cmp)};
}

std::vector<std::string> row(std::string first, std::vector<std::string> rest) {
  rest.insert(rest.begin(), std::move(first));
  return rest;
}

const MetricDelta* find(const std::vector<MetricDelta>& ms, std::string_view name) {
  for (const MetricDelta& m : ms)
    if (m.name == name) return &m;
  return nullptr;
}

void context_section(std::string& out, const CompareResult& r, bool md) {
  for (const std::string& w : r.warnings) out += (md ? "> **WARNING:** " : "WARNING: ") + w + "\n";
  if (r.context_changes.empty()) {
    out += "What changed: nothing in config, system_info or the server's /props\n\n";
    return;
  }
  out += md ? "**What changed:**\n\n" : "What changed:\n";
  for (const ContextChange& c : r.context_changes) {
    out += fmt::format("{}{}: {} → {}\n", md ? "- " : "  ", c.field, c.base, c.new_value);
  }
  out += "\n";
}

// Failures first: a faster run with failures is not a win.
void success_section(std::string& out, const CompareResult& r, bool md) {
  Table t{{{"Prompt", "base success", "new success", "failed runs (base → new)"}}};
  for (const PromptDelta& p : r.prompts) {
    if (p.failed_base == 0 && p.failed_new == 0) continue;
    t.rows.push_back({p.key, fmt::format("{:.0f} %", p.success_base * 100), fmt::format("{:.0f} %", p.success_new * 100),
                      fmt::format("{} → {}", p.failed_base, p.failed_new)});
  }
  if (t.rows.size() == 1) {
    out += "Success: every run succeeded in both files\n\n";
    return;
  }
  out += "FAILURES:\n" + t.render(md) + "\n";
}

void spec_section(std::string& out, const CompareResult& r, bool md) {
  const std::vector<std::string> head{"base tok/s (± std, n)", "new tok/s", "delta", "95 % CI", "p", "verdict"};
  Table t{{row("Prompt", head)}};
  for (const PromptDelta& p : r.prompts) {
    const MetricDelta* m = find(p.metrics, "tokens_per_second");
    if (m == nullptr) continue;
    if (m->base_runs.n == 0 || m->new_runs.n == 0) {
      // A spec prompt with no successful run in a file has no figure there:
      // not 0 and -100 %, and no verdict. (Load figures have no runs: their
      // rows never come here.)
      const auto side = [](double mean, const stats::SampleSummary& s) {
        return s.n == 0 ? std::string("no run ok") : side_text(mean, s);
      };
      t.rows.push_back({p.key, side(m->cmp.base, m->base_runs), side(m->cmp.new_value, m->new_runs), "n/a", "n/a", "-",
                        m->new_runs.n == 0 ? "failed in new" : "failed in base"});
      continue;
    }
    t.rows.push_back(row(p.key, delta_cells(*m)));
  }
  if (r.overall_incomparable) {
    // Each file's own Overall, over its own prompts: no delta between them.
    const auto own = [](const std::optional<double>& v) { return v ? fmt::format("{:.2f}", *v) : std::string("-"); };
    t.rows.push_back({"Overall", own(r.overall_base_file), own(r.overall_new_file), "n/a", "n/a", "-", "incomparable"});
  } else if (r.overall) {
    const stats::Comparison& o = *r.overall;
    t.rows.push_back({"Overall", fmt::format("{:.2f}", o.base), fmt::format("{:.2f}", o.new_value), pct(o.delta_pct),
                      ci_text(o), "-", r.overall_incomparable ? "incomparable" : verdict_text(o)});
  }
  out += t.render(md);
  if (r.overall_incomparable) out += "Overall is incomparable: " + r.incomparable_reason + "\n";
  Table lat{{{"Prompt", "figure", "base", "new", "delta", "95 % CI", "verdict"}}};
  for (const PromptDelta& p : r.prompts) {
    for (const std::string_view name : {"ttft_ms", "decode_tokens_per_second"}) {
      const MetricDelta* m = find(p.metrics, name);
      if (m == nullptr || m->base_runs.n == 0 || m->new_runs.n == 0) continue;
      const auto c = delta_cells(*m);
      lat.rows.push_back({p.key, std::string(name == "ttft_ms" ? "TTFT ms" : "decode tok/s"), c[0], c[1], c[2], c[3], c[5]});
    }
  }
  if (lat.rows.size() > 1) {
    out += '\n';  // not "\n" + ...: GCC 12's bogus -Wrestrict (PR 105651)
    out += lat.render(md);
  }
}

void load_section(std::string& out, const CompareResult& r, bool md) {
  for (const StageDelta& s : r.stages) {
    out += fmt::format("{}Stage {} (failed requests: {} → {})\n", md ? "\n**" : "\n", s.label, s.failed_base,
                       s.failed_new);
    if (md) out.insert(out.size() - 1, "**");
    Table t{{{"figure", "base", "new", "delta", "95 % CI", "p", "verdict"}}};
    for (const MetricDelta& m : s.metrics) t.rows.push_back(row(m.name, delta_cells(m)));
    out += t.render(md);
  }
}

}  // namespace

std::string render_compare_text(const CompareResult& r, const stats::VerdictRule& rule, bool markdown) {
  std::string out = fmt::format("{}Compare: {} → {} ({} results; alpha {}, min effect {} %)\n\n",
                                markdown ? "### " : "", r.base_name, r.new_name, r.kind, rule.alpha,
                                rule.min_effect * 100);
  context_section(out, r, markdown);
  if (r.kind == "spec") {
    success_section(out, r, markdown);
    spec_section(out, r, markdown);
  } else {
    load_section(out, r, markdown);
  }
  return out;
}

namespace {

void write_comparison(JsonWriter& w, std::string_view key, const stats::Comparison& c, std::string_view verdict = {}) {
  w.key(key).begin_object();
  w.field("base", c.base).field("new", c.new_value).field("delta_pct", c.delta_pct);
  w.key("ci_pct");
  if (c.insufficient) w.null();
  else w.begin_array().value(c.ci_lo_pct).value(c.ci_hi_pct).end_array();
  w.key("p_value");
  if (c.p_value) w.value(*c.p_value);
  else w.null();
  w.field("verdict", verdict.empty() ? stats::to_string(c.verdict) : verdict);
  if (c.runs_needed) w.field("runs_needed", *c.runs_needed);
  if (!c.method.empty()) w.field("method", c.method);
  if (!c.reason.empty()) w.field("reason", c.reason);
  w.end_object();
}

// Whether each side has a figure: a side with no successful run has none
// (its comparisons then say nothing), which a reader must not take for 0.
std::string_view prompt_status(const PromptDelta& p) {
  if (p.ok_base > 0 && p.ok_new > 0) return "ok";
  if (p.ok_base > 0) return "no_run_ok_in_new";
  return p.ok_new > 0 ? "no_run_ok_in_base" : "no_run_ok_in_either";
}

void write_prompts(JsonWriter& w, const CompareResult& r) {
  w.key("prompts").begin_object();
  for (const PromptDelta& p : r.prompts) {
    w.key(p.key).begin_object();
    for (const MetricDelta& m : p.metrics) write_comparison(w, m.name, m.cmp);
    w.key("success_rate").begin_object().field("base", p.success_base).field("new", p.success_new).end_object();
    w.key("failed_runs").begin_object().field("base", p.failed_base).field("new", p.failed_new).end_object();
    w.key("ok_runs").begin_object().field("base", p.ok_base).field("new", p.ok_new).end_object();
    w.field("status", prompt_status(p));
    w.end_object();
  }
  w.end_object();
}

void write_stages(JsonWriter& w, const CompareResult& r) {
  w.key("stages").begin_array();
  for (const StageDelta& s : r.stages) {
    w.begin_object().field("label", s.label);
    for (const MetricDelta& m : s.metrics) write_comparison(w, m.name, m.cmp);
    w.key("failed_requests").begin_object().field("base", s.failed_base).field("new", s.failed_new).end_object();
    w.end_object();
  }
  w.end_array();
}

void write_one(JsonWriter& w, const CompareResult& r, const stats::VerdictRule& rule) {
  w.begin_object();
  w.field("base", r.base_name).field("new", r.new_name).field("kind", r.kind);
  w.field("alpha", rule.alpha).field("min_effect_pct", rule.min_effect * 100);
  if (r.overall) write_comparison(w, "overall", *r.overall, overall_verdict(r));
  else w.key("overall").null();
  if (r.overall_incomparable) w.field("incomparable_reason", r.incomparable_reason);
  w.field("new_lost_prompts", r.new_lost_prompts);
  w.key("lost_prompts").begin_array();
  for (const std::string& k : r.lost_prompts) w.value(k);
  w.end_array();
  write_prompts(w, r);
  write_stages(w, r);
  w.key("context_changes").begin_array();
  for (const ContextChange& c : r.context_changes) {
    w.begin_object().field("field", c.field).field("base", c.base).field("new", c.new_value).end_object();
  }
  w.end_array();
  w.key("warnings").begin_array();
  for (const std::string& s : r.warnings) w.value(s);
  w.end_array();
  w.end_object();
}

}  // namespace

std::string render_compare_json(const std::vector<CompareResult>& all, const stats::VerdictRule& rule) {
  JsonWriter w;
  if (all.size() == 1) {
    write_one(w, all.front(), rule);
  } else {
    w.begin_object().key("comparisons").begin_array();
    for (const CompareResult& r : all) write_one(w, r, rule);
    w.end_array().end_object();
  }
  std::string out = w.take();
  out += '\n';
  return out;
}

}  // namespace llmbench::report
