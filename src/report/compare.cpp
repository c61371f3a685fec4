// Pairing two results files and asking stats/ for every verdict. See
// report/compare.hpp; the formats live in compare_format.cpp.
#include "llmbench/report/compare.hpp"

#include <simdjson.h>

#include <array>
#include <map>
#include <set>

namespace llmbench::report {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

struct Parsed {
  simdjson::dom::parser parser;
  element root;
  std::string kind;
};

Status parse(const ResultsText& in, Parsed& out) {
  if (const auto err = out.parser.parse(in.json.data(), in.json.size()).get(out.root); err) {
    return Unexpected(in.name + ": " + simdjson::error_message(err));
  }
  simdjson::dom::array stages;
  object prompts;
  if (!out.root["stages"].get(stages) && stages.size() > 0) {
    out.kind = "load";
  } else if (!out.root["merged_from"].get(stages)) {
    out.kind = "merged";
  } else if (!out.root["prompts"].get(prompts)) {
    out.kind = "spec";
  } else {
    return Unexpected(in.name + ": neither prompts, stages nor merged histograms (not an llmbench results file?)");
  }
  return {};
}

// One per-run figure of a prompt's successful runs; null values are skipped.
std::vector<double> run_values(const element& prompt, std::string_view field) {
  std::vector<double> out;
  simdjson::dom::array runs;
  if (prompt["results"].get(runs)) return out;
  for (const element run : runs) {
    bool ok = false;
    double v = 0;
    if (run["success"].get(ok) || !ok || run[field].get(v)) continue;
    out.push_back(v);
  }
  return out;
}

// A prompt's successful runs: its stats' count, else its runs marked
// successful (a file without stats).
std::uint64_t ok_runs(const element& prompt) {
  std::uint64_t ok = 0;
  if (!prompt["stats"]["successful_runs"].get(ok)) return ok;
  simdjson::dom::array runs;
  if (prompt["results"].get(runs)) return 0;
  for (const element run : runs) {
    bool success = false;
    if (!run["success"].get(success) && success) ++ok;
  }
  return ok;
}

PromptDelta compare_prompt(std::string_view key, const element& a, const element& b, const stats::VerdictRule& rule) {
  PromptDelta d;
  d.key = std::string(key);
  static constexpr std::array<std::pair<std::string_view, stats::Better>, 3> kFigures{{
      {"tokens_per_second", stats::Better::higher},
      {"ttft_ms", stats::Better::lower},
      {"decode_tokens_per_second", stats::Better::higher},
  }};
  for (const auto& [field, better] : kFigures) {
    stats::VerdictRule r = rule;
    r.better = better;
    const std::vector<double> va = run_values(a, field), vb = run_values(b, field);
    d.metrics.push_back({std::string(field), stats::compare_means(va, vb, r), stats::summarize_sample(va),
                         stats::summarize_sample(vb)});
  }
  const auto counts = [](const element& p, double& rate, std::uint64_t& failed) {
    std::uint64_t runs = 0, ok = 0;
    if (p["stats"]["runs"].get(runs) || p["stats"]["successful_runs"].get(ok)) runs = ok = 0;
    rate = runs > 0 ? static_cast<double>(ok) / static_cast<double>(runs) : 0.0;
    failed = runs - ok;
  };
  counts(a, d.success_base, d.failed_base);
  counts(b, d.success_new, d.failed_new);
  d.ok_base = ok_runs(a);
  d.ok_new = ok_runs(b);
  return d;
}

bool prompts_complete(const element& root) {
  bool complete = true;
  if (root["summary"]["prompts_complete"].get(complete)) complete = true;  // older files: complete
  return complete;
}

void compare_spec(const element& a, const element& b, const stats::VerdictRule& rule, CompareResult& out) {
  object pa, pb;
  if (a["prompts"].get(pa) || b["prompts"].get(pb)) return;
  std::vector<std::vector<double>> keep;  // owns what the spans below see
  std::vector<stats::PromptRuns> runs;
  std::size_t keys_a = 0, keys_b = pb.size();
  for (const auto p : pa) {
    ++keys_a;
    element other;
    if (pb[p.key].get(other)) {
      if (ok_runs(p.value) > 0) out.lost_prompts.emplace_back(p.key);  // absent from the new file
      continue;
    }
    out.prompts.push_back(compare_prompt(p.key, p.value, other, rule));
    if (out.prompts.back().ok_base > 0 && out.prompts.back().ok_new == 0) out.lost_prompts.emplace_back(p.key);
    keep.push_back(run_values(p.value, "tokens_per_second"));
    keep.push_back(run_values(other, "tokens_per_second"));
  }
  for (std::size_t i = 0; i + 1 < keep.size(); i += 2) runs.push_back({keep[i], keep[i + 1]});
  const auto file_overall = [](const element& root) -> std::optional<double> {
    double v = 0;
    if (root["summary"]["overall_avg_tokens_per_second"].get(v)) return std::nullopt;
    return v;
  };
  out.overall_base_file = file_overall(a);
  out.overall_new_file = file_overall(b);
  out.new_lost_prompts = !out.lost_prompts.empty();
  if (!prompts_complete(a) || !prompts_complete(b)) {
    out.overall_incomparable = true;
    out.incomparable_reason = "a prompt failed every run in " + std::string(!prompts_complete(a) ? "the base" : "the new") +
                              " file (summary.prompts_complete: false), so its Overall covers fewer prompts";
  } else if (out.prompts.size() != keys_a || out.prompts.size() != keys_b) {
    out.overall_incomparable = true;
    out.incomparable_reason = "the files measured different sets of prompts";
  }
  if (!runs.empty()) out.overall = stats::compare_overall(runs, rule);
}

// Throughput figures: one value per repeat of the stage.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kRates{{
    {"output_tokens_per_second", "/summary/output_tokens_per_second"},
    {"requests_per_second", "/summary/request_throughput"},
    {"goodput_requests_per_second", "/summary/goodput/requests_per_second"},
}};
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kLatencies{{
    {"ttft", "ttft_ns"}, {"itl", "itl_ns"}, {"tpot", "tpot_ns"}, {"e2e", "e2e_ns"}}};

struct StageData {
  std::array<std::vector<double>, kRates.size()> rates;
  std::array<stats::Histogram, kLatencies.size()> hist;
  std::uint64_t failed = 0;
};

Status add_stage(const element& stage, StageData& d) {
  for (std::size_t i = 0; i < kRates.size(); ++i) {
    double v = 0;
    if (!stage.at_pointer(kRates[i].second).get(v)) d.rates[i].push_back(v);
  }
  for (std::size_t i = 0; i < kLatencies.size(); ++i) {
    std::string_view text;
    if (stage["summary"]["histograms"][kLatencies[i].second].get(text)) continue;
    const auto h = stats::Histogram::from_compact(text);
    if (!h) return Unexpected("histogram " + std::string(kLatencies[i].second) + " is corrupt");
    d.hist[i].merge(*h);
  }
  std::uint64_t failed = 0;
  if (!stage["summary"]["requests_failed"].get(failed)) d.failed += failed;
  return {};
}

// Stages by label, in the order of first appearance; repeats merged.
Expected<std::vector<std::pair<std::string, StageData>>> stages_of(const element& root, const std::string& name) {
  std::vector<std::pair<std::string, StageData>> out;
  simdjson::dom::array stages;
  if (root["stages"].get(stages)) {  // a merged file: its summary is the one stage
    out.emplace_back("merged", StageData{});
    if (Status st = add_stage(root, out.back().second); !st) return Unexpected(name + ": " + st.error());
    return out;
  }
  for (const element s : stages) {
    std::string_view label;
    if (s["label"].get(label)) return Unexpected(name + ": a stage without a label");
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == label; });
    if (it == out.end()) it = out.emplace(out.end(), std::string(label), StageData{});
    if (Status st = add_stage(s, it->second); !st) return Unexpected(name + ": stage " + std::string(label) + ": " + st.error());
  }
  return out;
}

StageDelta compare_stage(const std::string& label, const StageData& a, const StageData& b, const stats::VerdictRule& rule) {
  StageDelta d{label, {}, a.failed, b.failed};
  for (std::size_t i = 0; i < kRates.size(); ++i) {
    if (a.rates[i].empty() || b.rates[i].empty()) continue;
    d.metrics.push_back({std::string(kRates[i].first), stats::compare_means(a.rates[i], b.rates[i], rule),
                         stats::summarize_sample(a.rates[i]), stats::summarize_sample(b.rates[i])});
  }
  stats::VerdictRule lower = rule;
  lower.better = stats::Better::lower;
  for (std::size_t i = 0; i < kLatencies.size(); ++i) {
    if (a.hist[i].count() == 0 || b.hist[i].count() == 0) continue;
    for (const int q : {50, 90, 99}) {
      const std::string key = std::string(kLatencies[i].first) + "_p" + std::to_string(q) + "_ms";
      d.metrics.push_back({key, stats::compare_percentile(a.hist[i], b.hist[i], q, lower, 1e6), {}, {}});
    }
  }
  return d;
}

Status compare_load(const element& a, const element& b, const CompareResult& names, const stats::VerdictRule& rule,
                    CompareResult& out) {
  auto sa = stages_of(a, names.base_name);
  if (!sa) return Unexpected(sa.error());
  auto sb = stages_of(b, names.new_name);
  if (!sb) return Unexpected(sb.error());
  for (const auto& [label, data] : *sa) {
    const auto it = std::find_if(sb->begin(), sb->end(), [&](const auto& p) { return p.first == label; });
    if (it == sb->end()) {
      out.warnings.push_back("stage " + label + " is only in the base file");
      continue;
    }
    out.stages.push_back(compare_stage(label, data, it->second, rule));
  }
  if (out.stages.empty()) return Unexpected("no stage label is in both files; nothing to compare");
  return {};
}

}  // namespace

std::string overall_verdict(const CompareResult& r) {
  if (r.overall_incomparable) return "incomparable";
  if (!r.overall) return "";
  return std::string(stats::to_string(r.overall->verdict));
}

bool fails_gate(const CompareResult& r, double max_slowdown_pct) noexcept {
  if (r.new_lost_prompts) return true;
  return !r.overall_incomparable && r.overall && r.overall->verdict == stats::Verdict::slower &&
         r.overall->delta_pct < -max_slowdown_pct;
}

Expected<CompareResult> compare_results(const ResultsText& base, const ResultsText& candidate,
                                        const stats::VerdictRule& rule) {
  Parsed a, b;
  if (Status st = parse(base, a); !st) return Unexpected(st.error());
  if (Status st = parse(candidate, b); !st) return Unexpected(st.error());
  if (a.kind != b.kind) {
    return Unexpected(candidate.name + ": a " + b.kind + " results file cannot be compared with " + base.name + ", a " +
                      a.kind + " one");
  }
  CompareResult out;
  out.base_name = base.name;
  out.new_name = candidate.name;
  out.kind = a.kind;
  Expected<ContextDiff> ctx = diff_context(base.json, candidate.json);
  if (!ctx) return Unexpected(ctx.error());
  out.context_changes = std::move(ctx->changes);
  out.warnings = std::move(ctx->warnings);
  if (a.kind == "spec") {
    compare_spec(a.root, b.root, rule, out);
  } else if (Status st = compare_load(a.root, b.root, out, rule, out); !st) {
    return Unexpected(st.error());
  }
  return out;
}

}  // namespace llmbench::report
