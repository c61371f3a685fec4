#include "llmbench/report/merge.hpp"

#include <simdjson.h>

#include <array>
#include <fmt/format.h>

#include "llmbench/report/json_metrics.hpp"
#include "llmbench/report/json_report.hpp"
#include "llmbench/report/json_writer.hpp"
#include "llmbench/stats/histogram.hpp"
#include "llmbench/stats/summary.hpp"
#include "merge_telemetry.hpp"

namespace llmbench::report {

namespace {

struct Series {
  std::string_view histogram;  // key under summary.histograms
  std::string_view figure;     // key of the summary it gives
  double scale;                // histogram units -> figure units
};

constexpr std::array<Series, 13> kSeries{{
    {"ttft_ns", "ttft_ms", 1e6},
    {"itl_ns", "itl_ms", 1e6},
    {"tpot_ns", "tpot_ms", 1e6},
    {"e2e_ns", "e2e_ms", 1e6},
    {"tps_milli", "tokens_per_second_per_request", 1e3},
    {"schedule_lag_ns", "schedule_lag_ms", 1e6},
    {"ttft_intended_ns", "ttft_from_intended_ms", 1e6},
    {"e2e_intended_ns", "e2e_from_intended_ms", 1e6},
    {"ttfb_ns", "ttfb_ms", 1e6},
    {"ttfo_ns", "ttfo_ms", 1e6},
    {"inter_event_ns", "inter_event_ms", 1e6},
    {"turnaround_ns", "turnaround_ms", 1e6},
    {"client_read_lag_ns", "client_read_lag_ms", 1e6},
}};

constexpr std::array<std::string_view, 4> kCounts{"requests_total", "requests_succeeded", "requests_failed",
                                                  "output_tokens"};

struct Accumulated {
  std::array<stats::Histogram, kSeries.size()> merged;
  std::array<bool, kSeries.size()> seen{};
  std::array<std::uint64_t, kCounts.size()> counts{};
  TelemetryMerge telemetry;
};

Status add_file(simdjson::dom::parser& parser, const std::string& file, Accumulated& acc) {
  simdjson::dom::element root;
  if (const auto err = parser.load(file).get(root); err) {
    return Unexpected(file + ": " + simdjson::error_message(err));
  }
  simdjson::dom::object hist;
  if (root["summary"]["histograms"].get(hist)) {
    return Unexpected(file + ": no summary.histograms (not an llmbench results file?)");
  }
  for (std::size_t i = 0; i < kSeries.size(); ++i) {
    std::string_view text;
    if (hist[kSeries[i].histogram].get(text)) continue;
    const auto h = stats::Histogram::from_compact(text);
    if (!h) return Unexpected(file + ": summary.histograms." + std::string(kSeries[i].histogram) + " is not a valid histogram");
    acc.merged[i].merge(*h);
    acc.seen[i] = true;
  }
  for (std::size_t i = 0; i < kCounts.size(); ++i) {
    std::uint64_t v = 0;
    if (!root["summary"][kCounts[i]].get(v)) acc.counts[i] += v;
  }
  acc.telemetry.add(file, root);
  return {};
}

MergedResults render(const std::vector<std::string>& files, const Accumulated& acc) {
  MergedResults out;
  out.table = fmt::format("Merged {} result files\n", files.size());
  out.table += fmt::format("{:<32}{:>9}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}\n", "", "count", "mean", "p50", "p90",
                           "p99", "p99.9", "max");
  JsonWriter w;
  w.begin_object();
  w.field("schema_version", kSchemaVersion);
  w.key("merged_from").begin_array();
  for (const std::string& f : files) w.value(f);
  w.end_array();
  w.key("summary").begin_object();
  for (std::size_t i = 0; i < kCounts.size(); ++i) w.field(kCounts[i], acc.counts[i]);
  for (std::size_t i = 0; i < kSeries.size(); ++i) {
    if (!acc.seen[i]) continue;
    const stats::LatencySummary s = stats::summarize(acc.merged[i], kSeries[i].scale);
    if (s.count > 0) out.table += fmt::format("{:<32}{:>9}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}\n", kSeries[i].figure,
                             s.count, s.mean, s.p50, s.p90, s.p99, s.p999, s.max);
    write_latency(w, kSeries[i].figure, s);
  }
  w.key("histograms").begin_object();
  for (std::size_t i = 0; i < kSeries.size(); ++i) {
    if (acc.seen[i]) w.field(kSeries[i].histogram, acc.merged[i].to_compact());
  }
  w.end_object();
  acc.telemetry.write_summary(w);
  w.end_object();
  acc.telemetry.write(w);
  w.end_object();
  out.json = w.take();
  return out;
}

}  // namespace

Expected<MergedResults> merge_results(const std::vector<std::string>& files) {
  Accumulated acc;
  simdjson::dom::parser parser;
  for (const std::string& file : files) {
    if (Status st = add_file(parser, file, acc); !st) return Unexpected(st.error());
  }
  return render(files, acc);
}

}  // namespace llmbench::report
