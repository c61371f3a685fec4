// report/compare: the verdicts `llmbench compare` prints, on results files
// built here, the context diff, the CI gate, and the calibration of the whole
// path (JSON in, verdict out) over seeded trials.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <simdjson.h>

#include <string>
#include <vector>

#include "llmbench/report/compare.hpp"
#include "llmbench/report/compare_format.hpp"
#include "llmbench/report/vllm_export.hpp"
#include "stats_calibration.hpp"

namespace llmbench::report {
namespace {

using stats::Verdict;

struct PromptRunsJson {
  std::string key;
  std::vector<double> tps;
  int failed = 0;
};

// A spec results file with the fields compare reads.
std::string spec_json(const std::vector<PromptRunsJson>& prompts, bool complete = true, double decode_tps = 100,
                      int hugepages_free = 0) {
  std::string p;
  for (const PromptRunsJson& pr : prompts) {
    std::string runs;
    for (const double v : pr.tps) {
      runs += fmt::format(R"({}{{"success":true,"tokens_per_second":{},"ttft_ms":20.0,"decode_tokens_per_second":{}}})",
                          runs.empty() ? "" : ",", v, v * 1.05);
    }
    for (int i = 0; i < pr.failed; ++i) {
      runs += std::string(runs.empty() ? "" : ",") + R"({"success":false,"tokens_per_second":0,"ttft_ms":null})";
    }
    p += fmt::format(R"({}"{}":{{"prompt_text":"text of {}","results":[{}],"stats":{{"runs":{},"successful_runs":{}}}}})",
                     p.empty() ? "" : ",", pr.key, pr.key, runs, pr.tps.size() + static_cast<std::size_t>(pr.failed),
                     pr.tps.size());
  }
  return fmt::format(
      R"({{"config":{{"output":"x.json","runs":5,"mock_decode_tps":{}}},"system_info":{{"model":"m.gguf","hugepages_total":8000,"hugepages_free":{},"kernel":"Linux 6","server_props":{{"build_info":"b1","total_slots":4,"model_path":"/m.gguf","default_generation_settings":{{"n_ctx":4096}}}}}},"prompts":{{{}}},"summary":{{"prompts_complete":{}}}}})",
      decode_tps, hugepages_free, p, complete ? "true" : "false");
}

CompareResult must_compare(const std::string& a, const std::string& b, const stats::VerdictRule& rule = {}) {
  auto r = compare_results({"base.json", a}, {"new.json", b}, rule);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error());
  return r ? *r : CompareResult{};
}

TEST(ReportCompare, FasterSlowerSameAndInconclusive) {
  const auto base = spec_json({{"a", {100, 101, 99, 100.5, 99.5}}});
  const auto faster = spec_json({{"a", {105, 106, 104, 105.5, 104.5}}});
  const auto tight = spec_json({{"a", {100, 100.2, 99.8, 100.1, 99.9}}});
  const auto same = spec_json({{"a", {100.05, 100.15, 99.85, 100.1, 99.95}}});
  const auto noisy = spec_json({{"a", {90, 115, 95, 112, 101}}});
  EXPECT_EQ(must_compare(base, faster).prompts.at(0).metrics.at(0).cmp.verdict, Verdict::faster);
  EXPECT_EQ(must_compare(faster, base).overall->verdict, Verdict::slower);
  EXPECT_EQ(must_compare(tight, same).overall->verdict, Verdict::same);
  const CompareResult r = must_compare(base, noisy);
  EXPECT_EQ(r.prompts.at(0).metrics.at(0).cmp.verdict, Verdict::inconclusive);
  EXPECT_TRUE(r.prompts.at(0).metrics.at(0).cmp.runs_needed.has_value());
  EXPECT_EQ(r.prompts.at(0).metrics.at(0).base_runs.n, 5u);
}

TEST(ReportCompare, LowerTtftIsFasterAndFailuresAreCounted) {
  auto base = spec_json({{"a", {100, 101, 99, 100.5, 99.5}, 0}});
  auto cand = spec_json({{"a", {100, 101, 99, 100.5, 99.5}, 2}});
  const CompareResult r = must_compare(base, cand);
  EXPECT_EQ(r.prompts.at(0).failed_new, 2u);
  EXPECT_NEAR(r.prompts.at(0).success_new, 5.0 / 7.0, 1e-12);
  const std::string text = render_compare_text(r, {}, false);
  EXPECT_LT(text.find("FAILURES"), text.find("Overall")) << text;  // failures first
}

TEST(ReportCompare, OverallIsIncomparableWhenPromptsAreIncomplete) {
  const auto base = spec_json({{"a", {100, 101, 99}}, {"b", {50, 51, 49}}});
  const auto cand = spec_json({{"a", {120, 121, 119}}, {"b", {}, 3}}, /*complete=*/false);
  for (const bool new_incomplete : {true, false}) {
    const CompareResult r = new_incomplete ? must_compare(base, cand) : must_compare(cand, base);
    EXPECT_TRUE(r.overall_incomparable);
    EXPECT_EQ(overall_verdict(r), "incomparable");
    // The gate trips when the new file is the one that lost a prompt.
    EXPECT_EQ(fails_gate(r, 0.0), new_incomplete);
    EXPECT_NE(render_compare_json({r}, {}).find(R"("verdict": "incomparable")"), std::string::npos);
  }
  const CompareResult fewer = must_compare(base, spec_json({{"a", {120, 121, 119}}}));
  EXPECT_EQ(overall_verdict(fewer), "incomparable");
  const auto tight = spec_json({{"a", {100, 100.2, 99.8, 100.1, 99.9}}, {"b", {50, 50.1, 49.9, 50.05, 49.95}}});
  EXPECT_EQ(overall_verdict(must_compare(tight, tight)), "same");
}

// A prompt that failed every run has no tok/s (not 0.00, not -100 %), and an
// incomparable Overall shows each file's own Overall, with no delta.
TEST(ReportCompare, APromptThatFailedEveryRunShowsNoFigureAndOverallShowsEachFilesOwn) {
  const auto base = spec_json({{"a", {100, 101, 99}}, {"b", {50, 51, 49}}});
  auto cand = spec_json({{"a", {120, 121, 119}}, {"b", {}, 3}}, /*complete=*/false);
  const std::string own = R"("summary":{"overall_avg_tokens_per_second":120.5,)";
  cand.replace(cand.find(R"("summary":{)"), std::string(R"("summary":{)").size(), own);
  const CompareResult r = must_compare(base, cand);
  EXPECT_TRUE(r.new_lost_prompts);
  EXPECT_TRUE(fails_gate(r, 50.0)) << "fewer prompts passed a CI gate";
  ASSERT_TRUE(r.overall_new_file.has_value());
  EXPECT_DOUBLE_EQ(*r.overall_new_file, 120.5);
  const std::string text = render_compare_text(r, {}, false);
  std::string b_row, overall_row;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end - at);
    // The tok/s table's rows (the failures table comes first, with its own "b" row).
    if (line.starts_with("b ") && line.find("n/a") != std::string::npos) b_row = line;
    if (line.starts_with("Overall ") && line.find(" is incomparable") == std::string::npos) overall_row = line;
    at = end == std::string::npos ? text.size() : end + 1;
  }
  EXPECT_NE(b_row.find("no run ok"), std::string::npos) << b_row;
  EXPECT_NE(b_row.find("failed in new"), std::string::npos) << b_row;
  EXPECT_EQ(b_row.find("-100"), std::string::npos) << b_row;
  EXPECT_NE(overall_row.find("120.50"), std::string::npos) << overall_row;
  EXPECT_NE(overall_row.find("incomparable"), std::string::npos) << overall_row;
  EXPECT_EQ(overall_row.find("0.00 "), std::string::npos) << overall_row;
}

// Lost prompts are judged prompt by prompt, not from the files'
// prompts_complete flags: when the base lost one prompt and the new file
// another, both flags are false, Overall is incomparable, and a gate that
// read only the flags let the new file through.
TEST(ReportCompare, APromptLostInNewTripsTheGateWhenTheBaseLostAnother) {
  const auto base = spec_json({{"a", {100, 101, 99}}, {"b", {50, 51, 49}}, {"c", {}, 3}}, /*complete=*/false);
  const auto cand = spec_json({{"a", {100, 101, 99}}, {"b", {}, 3}, {"c", {70, 71, 69}}}, /*complete=*/false);
  const CompareResult r = must_compare(base, cand);
  EXPECT_EQ(overall_verdict(r), "incomparable");
  EXPECT_TRUE(r.new_lost_prompts);
  EXPECT_EQ(r.lost_prompts, std::vector<std::string>{"b"});
  EXPECT_TRUE(fails_gate(r, 50.0)) << "a prompt lost in the new file passed the CI gate";
  // Failed in both files: nothing was lost, and c came back.
  const auto same_loss = spec_json({{"a", {100, 101, 99}}, {"b", {50, 51, 49}}, {"c", {}, 3}}, /*complete=*/false);
  const CompareResult none = must_compare(base, same_loss);
  EXPECT_FALSE(none.new_lost_prompts);
  EXPECT_TRUE(none.lost_prompts.empty());
  EXPECT_FALSE(fails_gate(none, 50.0));
}

// A prompt that succeeded in the base and is absent from the new file is
// lost too: no run of it succeeded there.
TEST(ReportCompare, APromptAbsentFromNewIsLost) {
  const auto base = spec_json({{"a", {100, 101, 99}}, {"b", {50, 51, 49}}});
  const CompareResult r = must_compare(base, spec_json({{"a", {100, 101, 99}}}));
  EXPECT_EQ(overall_verdict(r), "incomparable");
  EXPECT_EQ(r.lost_prompts, std::vector<std::string>{"b"});
  EXPECT_TRUE(fails_gate(r, 50.0));
  // The other way round the new file measured more, and lost nothing.
  EXPECT_FALSE(fails_gate(must_compare(spec_json({{"a", {100, 101, 99}}}), base), 50.0));
}

// A field of a JSON text by pointer, as text ("<missing>" when absent).
std::string json_at(const std::string& text, std::string_view ptr) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(text).get(e) || e.at_pointer(ptr).get(e)) return "<missing>";
  return simdjson::minify(e);
}

// The JSON says what the gate saw: new_lost_prompts and which, and per
// prompt its successful runs on each side and whether each has a figure.
TEST(ReportCompare, JsonSaysWhichPromptsHadNoRunOk) {
  const auto base = spec_json({{"a", {100, 101, 99}}, {"b", {50, 51, 49}}, {"c", {}, 2}}, /*complete=*/false);
  const auto cand = spec_json({{"a", {100, 101, 99}}, {"b", {}, 3}, {"c", {70}, 1}}, /*complete=*/false);
  const std::string j = render_compare_json({must_compare(base, cand)}, {});
  EXPECT_EQ(json_at(j, "/new_lost_prompts"), "true") << j;
  EXPECT_EQ(json_at(j, "/lost_prompts"), R"(["b"])") << j;
  EXPECT_EQ(json_at(j, "/prompts/a/status"), R"("ok")");
  EXPECT_EQ(json_at(j, "/prompts/b/status"), R"("no_run_ok_in_new")");
  EXPECT_EQ(json_at(j, "/prompts/b/ok_runs"), R"({"base":3,"new":0})");
  EXPECT_EQ(json_at(j, "/prompts/c/status"), R"("no_run_ok_in_base")");
  EXPECT_EQ(json_at(j, "/prompts/c/ok_runs"), R"({"base":0,"new":1})");
  const std::string same = render_compare_json({must_compare(base, base)}, {});
  EXPECT_EQ(json_at(same, "/new_lost_prompts"), "false") << same;
  EXPECT_EQ(json_at(same, "/lost_prompts"), "[]") << same;
  EXPECT_EQ(json_at(same, "/prompts/c/status"), R"("no_run_ok_in_either")") << same;
}

TEST(ReportCompare, GateTripsOnlyWhenSlowerByMoreThanThePercent) {
  const auto base = spec_json({{"a", {100, 101, 99, 100.5, 99.5}}});
  const auto slower = spec_json({{"a", {95, 96, 94, 95.5, 94.5}}});
  const CompareResult r = must_compare(base, slower);
  ASSERT_EQ(r.overall->verdict, Verdict::slower);
  EXPECT_TRUE(fails_gate(r, 2.0));
  EXPECT_FALSE(fails_gate(r, 6.0));
  EXPECT_FALSE(fails_gate(must_compare(slower, base), 0.0));
}

TEST(ReportCompare, ContextDiffNamesWhatChanged) {
  const auto a = spec_json({{"a", {100}}}, true, 100, 8000);
  const auto b = spec_json({{"a", {100}}}, true, 105, 187);
  const Expected<ContextDiff> d = diff_context(a, b);
  ASSERT_TRUE(d.has_value());
  ASSERT_EQ(d->changes.size(), 2u);
  EXPECT_EQ(d->changes[0].field, "config.mock_decode_tps");
  EXPECT_EQ(d->changes[1].field, "system_info.hugepages_used");
  EXPECT_EQ(d->changes[1].base, "0");
  EXPECT_EQ(d->changes[1].new_value, "7813");
  EXPECT_TRUE(d->warnings.empty());
  std::string other_model = b;
  other_model.replace(other_model.find("/m.gguf"), 7, "/q.gguf");
  const Expected<ContextDiff> m = diff_context(a, other_model);
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->warnings.size(), 1u);
  EXPECT_NE(m->warnings[0].find("different model"), std::string::npos);
  const auto other_prompts = spec_json({{"b", {100}}});
  EXPECT_NE(diff_context(a, other_prompts)->warnings.at(0).find("different prompts"), std::string::npos);
}

TEST(ReportCompare, JsonHasTheInterfaceFields) {
  const auto base = spec_json({{"a", {100, 101, 99, 100.5, 99.5}}});
  const auto cand = spec_json({{"a", {105, 106, 104, 105.5, 104.5}}}, true, 105);
  const std::string j = render_compare_json({must_compare(base, cand)}, {});
  for (const char* field : {R"("overall": {)", R"("tokens_per_second": {)", R"("ci_pct": [)", R"("p_value": )",
                            R"("delta_pct": )", R"("verdict": "faster")", R"("context_changes": [)",
                            R"("field": "config.mock_decode_tps")"}) {
    EXPECT_NE(j.find(field), std::string::npos) << field << "\n" << j;
  }
}

TEST(ReportCompare, LoadStagesAreMatchedByLabelAndLowerLatencyIsFaster) {
  const auto load = [](double ttft_ms, double tps) {
    stats::Histogram h;
    for (int i = 0; i < 2000; ++i) h.record(static_cast<std::int64_t>(ttft_ms * 1e6 * (1.0 + 0.001 * (i % 7))));
    return fmt::format(
        R"({{"stages":[{{"label":"concurrency=8","summary":{{"output_tokens_per_second":{},"request_throughput":2,"requests_failed":0,"histograms":{{"ttft_ns":"{}"}}}}}},{{"label":"concurrency=1","summary":{{"output_tokens_per_second":1,"histograms":{{}}}}}}]}})",
        tps, h.to_compact());
  };
  const CompareResult r = must_compare(load(100, 500), load(50, 500));
  ASSERT_EQ(r.stages.size(), 2u);
  EXPECT_EQ(r.stages[0].label, "concurrency=8");
  bool saw_p50 = false;
  for (const MetricDelta& m : r.stages[0].metrics) {
    if (m.name != "ttft_p50_ms") continue;
    saw_p50 = true;
    EXPECT_NEAR(m.cmp.delta_pct, -50.0, 1.0);
    EXPECT_EQ(m.cmp.verdict, Verdict::faster);
  }
  EXPECT_TRUE(saw_p50);
  EXPECT_FALSE(r.overall.has_value());
  // Load figures have no runs: their rows show the two values and the
  // verdict (a spec prompt's "no run ok" must not leak into them).
  const std::string text = render_compare_text(r, {}, false);
  EXPECT_EQ(text.find("no run ok"), std::string::npos) << text;
  EXPECT_NE(text.find("faster"), std::string::npos) << text;
}

TEST(ReportCompare, MismatchedKindsAreAnError) {
  const auto spec = spec_json({{"a", {100}}});
  const std::string load = R"({"stages":[{"label":"x","summary":{}}]})";
  const auto r = compare_results({"base.json", spec}, {"new.json", load}, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("new.json"), std::string::npos);
  EXPECT_FALSE(compare_results({"base.json", "{"}, {"new.json", spec}, {}).has_value());
}

// The whole path compare takes, over seeded trials: two files whose runs
// come from one distribution, 5 runs per prompt, CV 1 %.
struct Trials {
  stats::calibration::Rate overall;
  stats::calibration::Rate per_prompt;
};

Trials run_trials(double true_ratio, double min_effect, std::uint64_t seed) {
  using stats::calibration::normal_runs;
  SplitMix64 rng(seed);
  Trials t;
  const stats::VerdictRule rule{0.05, min_effect, stats::Better::higher};
  for (int trial = 0; trial < 1000; ++trial) {
    std::vector<PromptRunsJson> a, b;
    for (const char* key : {"p1", "p2"}) {
      a.push_back({key, normal_runs(rng, 5, 100.0, 0.01)});
      b.push_back({key, normal_runs(rng, 5, 100.0 * true_ratio, 0.01)});
    }
    const CompareResult r = must_compare(spec_json(a), spec_json(b), rule);
    ++t.overall.trials;
    const Verdict want = true_ratio > 1 ? Verdict::faster : Verdict::slower;
    if (true_ratio == 1.0 ? stats::calibration::decided(r.overall->verdict) : r.overall->verdict == want) ++t.overall.hits;
    const Verdict v = r.prompts.at(0).metrics.at(0).cmp.verdict;
    ++t.per_prompt.trials;
    if (true_ratio == 1.0 ? stats::calibration::decided(v) : v == want) ++t.per_prompt.hits;
  }
  return t;
}

TEST(ReportCompareCalibration, OneDistributionIsFasterOrSlowerAtMostAlpha) {
  const Trials strict = run_trials(1.0, 0.0, 11);  // significance alone
  stats::calibration::expect_at_most("compare overall false positives (min effect 0)", strict.overall, 0.05);
  stats::calibration::expect_at_most("compare per-prompt false positives (min effect 0)", strict.per_prompt, 0.05);
  const Trials defaults = run_trials(1.0, 0.01, 12);  // what a user gets by default
  stats::calibration::expect_at_most("compare overall false positives (defaults)", defaults.overall, 0.05);
  stats::calibration::expect_at_most("compare per-prompt false positives (defaults)", defaults.per_prompt, 0.05);
}

TEST(ReportCompareCalibration, TenPercentAtOnePercentCvFiveRunsIsAlwaysFound) {
  const Trials up = run_trials(1.10, 0.01, 21);
  stats::calibration::report("compare finds +10 % (overall)", up.overall);
  EXPECT_EQ(up.overall.hits, up.overall.trials);
  EXPECT_EQ(up.per_prompt.hits, up.per_prompt.trials);
  const Trials down = run_trials(1.0 / 1.10, 0.01, 22);
  EXPECT_EQ(down.overall.hits, down.overall.trials);
}

}  // namespace
}  // namespace llmbench::report

namespace llmbench::report {
namespace {

TEST(VllmExport, StagesBecomeBenchServeResultFields) {
  const std::string results = R"({"stages":[{"label":"concurrency=4","concurrency":4,"summary":{
    "measured_window_s":10.0,"requests_succeeded":40,"requests_failed":2,"input_tokens":1000,"output_tokens":2560,
    "request_throughput":4.0,"output_tokens_per_second":256.0,"goodput":{"requests_per_second":3.5},
    "ttft_ms":{"mean":30,"std":3,"p50":29,"p90":35,"p95":36,"p99":40},
    "tpot_ms":{"mean":20,"std":1,"p50":20,"p90":21,"p95":22,"p99":23},
    "itl_ms":{"mean":19,"std":5,"p50":18,"p90":25,"p95":26,"p99":60},
    "e2e_ms":{"mean":1300,"std":50,"p50":1290,"p90":1350,"p95":1360,"p99":1400}}}]})";
  const Expected<std::string> out = render_vllm_export(results);
  ASSERT_TRUE(out.has_value()) << out.error();
  for (const char* f : {R"("completed": 40)", R"("failed": 2)", R"("total_input_tokens": 1000)",
                        R"("total_output_tokens": 2560)", R"("request_throughput": 4.0)", R"("request_goodput": 3.5)",
                        R"("output_throughput": 256.0)", R"("total_token_throughput": 356.0)", R"("mean_ttft_ms": 30)",
                        R"("median_ttft_ms": 29)", R"("p99_ttft_ms": 40)", R"("median_tpot_ms": 20)",
                        R"("p99_itl_ms": 60)", R"("mean_e2el_ms": 1300)", R"("max_concurrency": 4)"}) {
    EXPECT_NE(out->find(f), std::string::npos) << f << "\n" << *out;
  }
  EXPECT_EQ(out->front(), '{');  // one stage: one object, as bench serve writes
  EXPECT_FALSE(render_vllm_export(R"({"prompts":{}})").has_value());
  // A window cut short: the stage's input tokens/s counts the requests that
  // ended inside it (90 tokens/s), not every measured one's tokens (100).
  std::string cut = results;
  cut.replace(cut.find(R"("input_tokens":1000)"), 19, R"("input_tokens":1000,"input_tokens_per_second":90.0)");
  const Expected<std::string> cut_out = render_vllm_export(cut);
  ASSERT_TRUE(cut_out.has_value()) << cut_out.error();
  EXPECT_NE(cut_out->find(R"("total_token_throughput": 346.0)"), std::string::npos) << *cut_out;
}

}  // namespace
}  // namespace llmbench::report
