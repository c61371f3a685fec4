#include "llmbench/cli/merge.hpp"

#include <simdjson.h>

#include <array>
#include <cstdio>
#include <fmt/format.h>

#include "llmbench/cli/exit_codes.hpp"
#include "llmbench/report/json_report.hpp"
#include "llmbench/report/json_writer.hpp"
#include "llmbench/stats/histogram.hpp"
#include "llmbench/stats/summary.hpp"

namespace llmbench::cli {

namespace {

struct Series {
  std::string_view histogram;  // key under summary.histograms
  std::string_view figure;     // key of the summary it gives
  double scale;                // histogram units -> figure units
};

constexpr std::array<Series, 8> kSeries{{
    {"ttft_ns", "ttft_ms", 1e6},
    {"itl_ns", "itl_ms", 1e6},
    {"tpot_ns", "tpot_ms", 1e6},
    {"e2e_ns", "e2e_ms", 1e6},
    {"tps_milli", "tokens_per_second_per_request", 1e3},
    {"schedule_lag_ns", "schedule_lag_ms", 1e6},
    {"ttft_intended_ns", "ttft_from_intended_ms", 1e6},
    {"e2e_intended_ns", "e2e_from_intended_ms", 1e6},
}};

constexpr std::array<std::string_view, 4> kCounts{"requests_total", "requests_succeeded", "requests_failed",
                                                  "output_tokens"};

}  // namespace

int run_merge(const std::vector<std::string>& files, const std::string& output) {
  std::array<stats::Histogram, kSeries.size()> merged;
  std::array<bool, kSeries.size()> seen{};
  std::array<std::uint64_t, kCounts.size()> counts{};
  simdjson::dom::parser parser;
  for (const std::string& file : files) {
    simdjson::dom::element root;
    if (const auto err = parser.load(file).get(root); err) {
      std::fprintf(stderr, "llmbench merge: %s: %s\n", file.c_str(), simdjson::error_message(err));
      return kExitUsage;
    }
    simdjson::dom::object hist;
    if (root["summary"]["histograms"].get(hist)) {
      std::fprintf(stderr, "llmbench merge: %s: no summary.histograms (not an llmbench results file?)\n", file.c_str());
      return kExitUsage;
    }
    for (std::size_t i = 0; i < kSeries.size(); ++i) {
      std::string_view text;
      if (hist[kSeries[i].histogram].get(text)) continue;
      const auto h = stats::Histogram::from_compact(text);
      if (!h) {
        std::fprintf(stderr, "llmbench merge: %s: summary.histograms.%s is not a valid histogram\n", file.c_str(),
                     std::string(kSeries[i].histogram).c_str());
        return kExitUsage;
      }
      merged[i].merge(*h);
      seen[i] = true;
    }
    for (std::size_t i = 0; i < kCounts.size(); ++i) {
      std::uint64_t v = 0;
      if (!root["summary"][kCounts[i]].get(v)) counts[i] += v;
    }
  }

  std::string table = fmt::format("Merged {} result files\n", files.size());
  table += fmt::format("{:<32}{:>9}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}\n", "", "count", "mean", "p50", "p90", "p99",
                       "p99.9", "max");
  report::JsonWriter w;
  w.begin_object();
  w.field("schema_version", report::kSchemaVersion);
  w.key("merged_from").begin_array();
  for (const std::string& f : files) w.value(f);
  w.end_array();
  w.key("summary").begin_object();
  for (std::size_t i = 0; i < kCounts.size(); ++i) w.field(kCounts[i], counts[i]);
  for (std::size_t i = 0; i < kSeries.size(); ++i) {
    if (!seen[i]) continue;
    const stats::LatencySummary s = stats::summarize(merged[i], kSeries[i].scale);
    table += fmt::format("{:<32}{:>9}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}\n", kSeries[i].figure,
                         s.count, s.mean, s.p50, s.p90, s.p99, s.p999, s.max);
    report::write_latency(w, kSeries[i].figure, s);
  }
  w.key("histograms").begin_object();
  for (std::size_t i = 0; i < kSeries.size(); ++i) {
    if (seen[i]) w.field(kSeries[i].histogram, merged[i].to_compact());
  }
  w.end_object();
  w.end_object();
  w.end_object();
  std::fputs(table.c_str(), stdout);
  if (!output.empty()) {
    std::string error;
    if (!report::write_file_atomically(output, w.take(), error)) {
      std::fprintf(stderr, "llmbench merge: %s\n", error.c_str());
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace llmbench::cli
