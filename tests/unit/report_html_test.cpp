// The HTML report's view model and page: CDF points from histograms, spec
// runs with their 95 % intervals, the embedded JSON's escaping, time series, and the one-line
// error for a file that is not a results file. The drawing itself is tested
// in a real browser (tests/browser/).
#include <gtest/gtest.h>

#include <simdjson.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "llmbench/cli/exit_codes.hpp"
#include "llmbench/cli/report_command.hpp"
#include "llmbench/report/html_assets.hpp"
#include "llmbench/report/html_report.hpp"
#include "llmbench/report/html_view_model.hpp"
#include "llmbench/stats/histogram.hpp"

namespace llmbench::report {
namespace {

using html::CdfPoint;

// The view model as the page's script reads it: the text of the
// llmbench-data script element, parsed.
simdjson::dom::element view_model_of(const std::string& page, simdjson::dom::parser& parser) {
  const std::string open = "<script type=\"application/json\" id=\"llmbench-data\">";
  const std::size_t begin = page.find(open);
  EXPECT_NE(begin, std::string::npos);
  const std::size_t end = page.find("</script>", begin);
  return parser.parse(page.substr(begin + open.size(), end - begin - open.size()));
}

std::string spec_results(std::string_view prompt_key, std::initializer_list<double> tps) {
  std::string runs;
  for (const double v : tps) {
    runs += std::string(runs.empty() ? "" : ",") + "{\"success\":true,\"tokens_per_second\":" + std::to_string(v) +
            ",\"ttft_ms\":20,\"decode_tokens_per_second\":50}";
  }
  runs += ",{\"success\":false,\"error\":\"timeout\"}";
  return "{\"timestamp\":\"2026-01-01T00:00:00\",\"summary\":{\"requests_failed\":1},\"prompts\":{\"" +
         std::string(prompt_key) + "\":{\"results\":[" + runs + "],\"stats\":{\"cv\":0.1}}}}";
}

TEST(HtmlCdf, PointsAreBucketUpperEdgesWithCumulativeShares) {
  stats::Histogram exact;  // below 128 every value has its own bucket
  exact.record(10, 3);
  exact.record(20);
  const std::vector<CdfPoint> a = html::cdf_points(exact, 1.0);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_DOUBLE_EQ(a[0].x, 10);
  EXPECT_DOUBLE_EQ(a[0].y, 0);
  EXPECT_DOUBLE_EQ(a[1].x, 10);
  EXPECT_DOUBLE_EQ(a[1].y, 0.75);
  EXPECT_DOUBLE_EQ(a[2].x, 20);
  EXPECT_DOUBLE_EQ(a[2].y, 1);

  stats::Histogram wide;  // 1000 lies in [1000, 1007] (width 8); 5000's bucket is clamped to max
  wide.record(1000);
  wide.record(5000);
  const std::vector<CdfPoint> b = html::cdf_points(wide, 1.0);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_DOUBLE_EQ(b[1].x, 1007);
  EXPECT_DOUBLE_EQ(b[1].y, 0.5);
  EXPECT_DOUBLE_EQ(b[2].x, 5000);
  EXPECT_DOUBLE_EQ(b[2].y, 1);
}

TEST(HtmlCdf, ScalesToMillisecondsAndFloorsZeroForTheLogAxis) {
  stats::Histogram h;
  h.record(0);                 // an ITL gap of 0: two events in one read
  h.record(2'000'000, 3);      // 2 ms
  const std::vector<CdfPoint> p = html::cdf_points(h, 1e6);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_DOUBLE_EQ(p[0].x, html::kCdfFloorMs);
  EXPECT_DOUBLE_EQ(p[1].x, html::kCdfFloorMs);
  EXPECT_DOUBLE_EQ(p[1].y, 0.25);
  EXPECT_NEAR(p[2].x, 2.0, 2.0 / 128);
  EXPECT_DOUBLE_EQ(p[2].y, 1);
  EXPECT_TRUE(html::cdf_points(stats::Histogram{}, 1e6).empty());
}

TEST(HtmlPage, EmbeddedJsonCannotCloseItsScriptElement) {
  EXPECT_EQ(escape_json_for_script(R"({"k":"</script><!--"})"), R"({"k":"\u003c/script>\u003c!--"})");
  const std::string key = "</script><!--<script>x";
  const auto rendered = render_html_report({{"a.json", spec_results(key, {1, 2})}});
  ASSERT_TRUE(rendered) << rendered.error();
  const std::string& page = *rendered;
  const std::size_t data = page.find("id=\"llmbench-data\"");
  const std::size_t data_end = page.find("</script>", data);
  EXPECT_EQ(page.substr(data, data_end - data).find("<!--"), std::string::npos);
  simdjson::dom::parser parser;
  const simdjson::dom::element vm = view_model_of(page, parser);
  EXPECT_EQ(std::string_view(vm["files"].at(0)["prompts"].at(0)["key"]), key);
}

TEST(HtmlPage, EmbedsChartJsAndOurScriptSafely) {
  EXPECT_EQ(assets::chartjs().substr(0, 18), "/*!\n * Chart.js v3");
  for (const std::string_view part : {assets::chartjs(), assets::report_js(), assets::report_css()}) {
    std::string lower(part);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(lower.find("</script"), std::string::npos);
    EXPECT_EQ(lower.find("<!--"), std::string::npos);
  }
  const auto rendered = render_html_report({{"a.json", spec_results("p", {1})}});
  ASSERT_TRUE(rendered) << rendered.error();
  const std::string& page = *rendered;
  EXPECT_NE(page.find(assets::chartjs()), std::string::npos);
  EXPECT_NE(page.find(assets::report_js()), std::string::npos);
}

TEST(HtmlViewModel, SpecPromptsCarryEveryRunAndTheInterval) {
  const auto built = html::build_view_model({{"dir/base.json", spec_results("memory_sequential", {100, 110, 120})}});
  ASSERT_TRUE(built) << built.error();
  const std::string& json = *built;
  simdjson::dom::parser parser;
  const simdjson::dom::element f = parser.parse(json)["files"].at(0);
  EXPECT_EQ(std::string_view(f["name"]), "base.json");
  EXPECT_EQ(std::string_view(f["mode"]), "spec");
  const simdjson::dom::element p = f["prompts"].at(0);
  EXPECT_EQ(std::uint64_t(p["runs"]), 4u);
  EXPECT_EQ(std::uint64_t(p["ok"]), 3u);  // the failed run has no figures to draw
  EXPECT_EQ(simdjson::dom::array(p["tps"]["values"]).size(), 3u);
  EXPECT_DOUBLE_EQ(double(p["tps"]["mean"]), 110);
  EXPECT_NEAR(double(p["tps"]["high"]), 110 + 4.302652729911275 * 10 / std::sqrt(3.0), 1e-9);  // t(0.975, 2)
}

std::string load_results(std::string_view stage_extra) {
  stats::Histogram ttft;
  ttft.record(20'000'000, 2);
  return "{\"summary\":{},\"load\":{\"knee\":\"concurrency=2\",\"slo\":{\"ttft_ms\":0}},\"stages\":["
         "{\"label\":\"concurrency=1\",\"concurrency\":1,\"summary\":{\"histograms\":{\"ttft_ns\":\"" +
         ttft.to_compact() + "\"}}" + std::string(stage_extra) +
         "},{\"label\":\"concurrency=2\",\"concurrency\":2,\"summary\":{}}]}";
}

TEST(HtmlViewModel, LoadStagesSweepAxisKneeAndCdfs) {
  const auto built = html::build_view_model({{"s.json", load_results("")}});
  ASSERT_TRUE(built) << built.error();
  const std::string& json = *built;
  simdjson::dom::parser parser;
  const simdjson::dom::element f = parser.parse(json)["files"].at(0);
  EXPECT_EQ(std::string_view(f["load"]["axis"]), "concurrency");
  EXPECT_EQ(std::string_view(f["load"]["knee"]), "concurrency=2");
  EXPECT_FALSE(bool(f["load"]["slo"]));
  const simdjson::dom::element s0 = f["stages"].at(0);
  EXPECT_DOUBLE_EQ(double(s0["x"]), 1);
  EXPECT_EQ(simdjson::dom::array(s0["cdf"]["ttft"]["y"]).size(), 2u);
  EXPECT_NEAR(double(s0["cdf"]["ttft"]["x"].at(1)), 20, 20.0 / 128);
  EXPECT_EQ(simdjson::dom::array(s0["cdf"]["itl"]["x"]).size(), 0u);  // no histogram: nothing to draw
  EXPECT_TRUE(s0["timeseries"].is_null());                            // older files: no time series
}

TEST(HtmlViewModel, TimeSeriesBecomesRatesPerSecondOfBucketWidth) {
  const std::string buckets =
      ",\"timeseries\":[{\"t_s\":0.5,\"output_tokens\":50,\"in_flight\":2,\"requests_failed\":1},"
      "{\"t_s\":1.0,\"output_tokens\":100,\"in_flight\":4,\"requests_failed\":0},"
      "{\"t_s\":1.5,\"output_tokens\":100,\"in_flight\":4,\"requests_failed\":0}]";
  const auto built = html::build_view_model({{"s.json", load_results(buckets)}});
  ASSERT_TRUE(built) << built.error();
  const std::string& json = *built;
  simdjson::dom::parser parser;
  const simdjson::dom::element ts = parser.parse(json)["files"].at(0)["stages"].at(0)["timeseries"];
  EXPECT_DOUBLE_EQ(double(ts["output_tps"].at(0)), 100);  // 50 tokens in 0.5 s
  EXPECT_DOUBLE_EQ(double(ts["output_tps"].at(2)), 200);  // the last bucket as wide as the one before
  EXPECT_DOUBLE_EQ(double(ts["in_flight"].at(1)), 4);     // a level, not divided
  EXPECT_DOUBLE_EQ(double(ts["failed"].at(0)), 2);        // 1 failure in 0.5 s
}

TEST(HtmlViewModel, ARampCarriesItsOfferedLoadAndLatencyPerBucket) {
  const std::string extra =
      ",\"ramp\":{\"load\":\"rate\",\"from\":2,\"to\":40,\"shape\":\"linear\"},"
      "\"timeseries\":[{\"t_s\":0.5,\"offered_load\":4.5,\"ttft_p99_ms\":20,\"e2e_p50_ms\":100,\"e2e_p99_ms\":150},"
      "{\"t_s\":1.0,\"offered_load\":9.5,\"ttft_p99_ms\":null,\"e2e_p50_ms\":120,\"e2e_p99_ms\":300}]";
  const auto built = html::build_view_model({{"s.json", load_results(extra)}});
  ASSERT_TRUE(built) << built.error();
  simdjson::dom::parser parser;
  const simdjson::dom::element st = parser.parse(*built)["files"].at(0)["stages"];
  const simdjson::dom::element s0 = st.at(0);
  EXPECT_EQ(std::string_view(s0["ramp"]["load"]), "rate");
  EXPECT_DOUBLE_EQ(double(s0["ramp"]["to"]), 40);
  EXPECT_EQ(std::string_view(s0["ramp"]["shape"]), "linear");
  EXPECT_DOUBLE_EQ(double(s0["timeseries"]["offered_load"].at(1)), 9.5);  // a level, not divided by the width
  EXPECT_DOUBLE_EQ(double(s0["timeseries"]["e2e_p99_ms"].at(1)), 300);
  EXPECT_DOUBLE_EQ(double(s0["timeseries"]["ttft_p99_ms"].at(0)), 20);
  EXPECT_TRUE(s0["timeseries"]["ttft_p99_ms"].at(1).is_null());  // no figure: nothing drawn
  EXPECT_TRUE(st.at(1)["ramp"].is_null());                        // a steady stage
}

TEST(HtmlViewModel, LabelsAreBaseNamesUnlessTwoFilesShareOne) {
  EXPECT_EQ(html::file_labels({{"x/a.json", ""}, {"y/b.json", ""}}), (std::vector<std::string>{"a.json", "b.json"}));
  EXPECT_EQ(html::file_labels({{"x/r.json", ""}, {"y/r.json", ""}}),
            (std::vector<std::string>{"x/r.json", "y/r.json"}));
}

TEST(HtmlErrors, ABadFileGetsOneLineNamingItAndWhatWasWrong) {
  const auto error_for = [](const std::string& json) {
    const auto rendered = render_html_report({{"good.json", spec_results("p", {1})}, {"runs/bad.json", json}});
    EXPECT_FALSE(rendered);
    const std::string error = rendered ? std::string() : rendered.error();
    EXPECT_EQ(error.find('\n'), std::string::npos);
    return error;
  };
  EXPECT_EQ(error_for("{\"x\":").rfind("runs/bad.json: not valid JSON (", 0), 0u);
  EXPECT_EQ(error_for("[1,2]"), "runs/bad.json: not an llmbench results file (no summary object)");
  EXPECT_EQ(error_for("{\"summary\":{}}"),
            "runs/bad.json: not an llmbench results file (no prompts object and no stages)");
  EXPECT_EQ(error_for("{\"summary\":{},\"stages\":[{\"summary\":{\"histograms\":{\"e2e_ns\":\"llh1-64-44:zz\"}}}]}"),
            "runs/bad.json: stages[0].summary.histograms.e2e_ns is not a valid histogram");
  EXPECT_EQ(error_for("{\"summary\":{},\"stages\":[{\"summary\":{},\"timeseries\":[{\"t_s\":2},{\"t_s\":1}]}]}"),
            "runs/bad.json: stages[0].timeseries[1].t_s is missing or not increasing");
}

TEST(HtmlErrors, ReportCommandExitsTwoAndWritesNothing) {
  const std::string bad = "/tmp/llmbench-report-bad.json", out = "/tmp/llmbench-report-bad.html";
  std::ofstream(bad) << "{\"summary\":{}}";
  std::remove(out.c_str());
  EXPECT_EQ(cli::run_report({{bad}, out}), cli::kExitUsage);
  EXPECT_FALSE(std::ifstream(out).good());
  std::ofstream(bad) << spec_results("p", {1, 2, 3});
  EXPECT_EQ(cli::run_report({{bad}, out}), cli::kExitOk);
  EXPECT_TRUE(std::ifstream(out).good());
  std::remove(bad.c_str());
  std::remove(out.c_str());
}

}  // namespace
}  // namespace llmbench::report
