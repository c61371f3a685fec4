// `llmbench merge`: histograms from several results files combine exactly.
#include <gtest/gtest.h>

#include <simdjson.h>

#include <cstdio>
#include <fstream>

#include "llmbench/report/merge.hpp"
#include "llmbench/stats/histogram.hpp"

namespace llmbench::report {
namespace {

std::string results_file(const std::string& name, const stats::Histogram& ttft, std::uint64_t requests,
                         const std::string& also = "ttfo_ns") {
  const std::string path = "/tmp/llmbench-merge-" + name + ".json";
  std::ofstream(path) << "{\"summary\":{\"requests_total\":" << requests << ",\"histograms\":{\"ttft_ns\":\""
                      << ttft.to_compact() << "\",\"" << also << "\":\"" << ttft.to_compact() << "\"}}}";
  return path;
}

TEST(Merge, EqualsOneHistogramOfEverySample) {
  stats::Histogram a, b, all;
  for (std::int64_t v = 1000; v < 5'000'000; v = v * 3 / 2 + 7) {
    a.record(v);
    all.record(v);
  }
  for (std::int64_t v = 77; v < 90'000'000; v = v * 2 + 1) {
    b.record(v, 3);
    all.record(v, 3);
  }
  const std::string fa = results_file("a", a, 10), fb = results_file("b", b, 5);
  const auto merged = merge_results({fa, fb});
  ASSERT_TRUE(merged) << merged.error();
  simdjson::dom::parser p;
  simdjson::dom::element root = p.parse(merged->json);
  EXPECT_EQ(std::string(std::string_view(root["summary"]["histograms"]["ttft_ns"])), all.to_compact());
  EXPECT_EQ(std::uint64_t(root["summary"]["requests_total"]), 15u);
  EXPECT_EQ(std::uint64_t(root["summary"]["ttft_ms"]["count"]), all.count());
  EXPECT_DOUBLE_EQ(double(root["summary"]["ttft_ms"]["p99"]), all.percentile(99) / 1e6);
  EXPECT_NE(merged->table.find("Merged 2 result files"), std::string::npos) << merged->table;
  for (const auto& f : {fa, fb}) std::remove(f.c_str());
}

// The first-byte and first-output times, the raw event gaps and the client's
// own lags merge as exactly as TTFT: their histograms are saved too.
TEST(Merge, EverySavedHistogramMergesExactly) {
  for (const char* name : {"ttfb_ns", "ttfo_ns", "inter_event_ns", "turnaround_ns", "client_read_lag_ns"}) {
    SCOPED_TRACE(name);
    stats::Histogram a, b, all;
    for (std::int64_t v = 500; v < 9'000'000; v = v * 5 / 3 + 11) {
      a.record(v);
      b.record(v * 2, 2);
      all.record(v);
      all.record(v * 2, 2);
    }
    const std::string fa = results_file("ha", a, 1, name), fb = results_file("hb", b, 1, name);
    const auto merged = merge_results({fa, fb});
    ASSERT_TRUE(merged) << merged.error();
    simdjson::dom::parser p;
    simdjson::dom::element root = p.parse(merged->json);
    std::string figure(name);
    figure.replace(figure.size() - 3, 3, "_ms");
    EXPECT_EQ(std::string(std::string_view(root["summary"]["histograms"][name])), all.to_compact());
    EXPECT_EQ(std::uint64_t(root["summary"][figure]["count"]), all.count());
    EXPECT_DOUBLE_EQ(double(root["summary"][figure]["p90"]), all.percentile(90) / 1e6);
    for (const auto& f : {fa, fb}) std::remove(f.c_str());
  }
}

TEST(Merge, RejectsAFileWithoutHistogramsOrWithACorruptOne) {
  const std::string bad = "/tmp/llmbench-merge-bad.json";
  std::ofstream(bad) << "{\"summary\":{}}";
  auto merged = merge_results({bad});
  ASSERT_FALSE(merged);
  EXPECT_NE(merged.error().find(bad), std::string::npos) << merged.error();
  EXPECT_NE(merged.error().find("no summary.histograms"), std::string::npos) << merged.error();
  std::ofstream(bad) << "{\"summary\":{\"histograms\":{\"ttft_ns\":\"llh1-64-44:zz\"}}}";
  merged = merge_results({bad});
  ASSERT_FALSE(merged);
  EXPECT_NE(merged.error().find("not a valid histogram"), std::string::npos) << merged.error();
  std::remove(bad.c_str());
}

// Two shards of one run, each with its telemetry: both kept whole, their
// stage summaries combined (counts add up, maxima take the largest, the
// server's rates — one server seen twice — the mean).
TEST(Merge, KeepsTelemetryPerShardAndCombinesSummaries) {
  const auto shard = [](const std::string& name, int tokens, double tps, double queue_max) {
    const std::string path = "/tmp/llmbench-merge-tel-" + name + ".json";
    std::ofstream(path) << R"({"summary":{"requests_total":1,"histograms":{}},"telemetry":{"series":[{"name":"slots.busy",)"
                        << R"("labels":{},"unit":"slots","kind":"gauge","points":[[0.5,)" << name.size() << R"(]]}]},)"
                        << R"("stages":[{"telemetry_summary":{"window_start_s":1,"client_generated_tokens":)" << tokens
                        << R"(,"server_generation_tokens_per_second":)" << tps << R"(,"queue_depth_max":)" << queue_max
                        << R"(,"kv_usage_p50":null}}]})";
    return path;
  };
  const std::string fa = shard("a", 100, 50, 3), fb = shard("bb", 300, 70, 5);
  const auto merged = merge_results({fa, fb});
  ASSERT_TRUE(merged) << merged.error();
  simdjson::dom::parser p;
  simdjson::dom::element root = p.parse(merged->json);
  const simdjson::dom::element sum = root["summary"]["telemetry_summary"];
  EXPECT_EQ(double(sum["client_generated_tokens"]), 400.0);
  EXPECT_EQ(double(sum["server_generation_tokens_per_second"]), 60.0);
  EXPECT_EQ(double(sum["queue_depth_max"]), 5.0);
  EXPECT_TRUE(sum["kv_usage_p50"].error());     // null in every shard: absent, not 0
  EXPECT_TRUE(sum["window_start_s"].error());
  simdjson::dom::array shards = root["telemetry"]["shards"];
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(std::string_view(shards.at(1)["file"]), fb);
  EXPECT_EQ(double(shards.at(1)["telemetry"]["series"].at(0)["points"].at(0).at(1)), 2.0);
  EXPECT_EQ(simdjson::dom::array(shards.at(0)["stage_summaries"]).size(), 1u);
  for (const auto& f : {fa, fb}) std::remove(f.c_str());
}

}  // namespace
}  // namespace llmbench::report
