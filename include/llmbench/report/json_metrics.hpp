#pragma once
// The pieces every results file is written with: a distribution, a metric
// set's figures, one spec run. Shared by the run's results and `merge`.
#include <string_view>

#include "llmbench/record/record.hpp"
#include "llmbench/report/json_writer.hpp"
#include "llmbench/stats/histogram.hpp"
#include "llmbench/stats/metric_set.hpp"
#include "llmbench/stats/summary.hpp"

namespace llmbench::report {

// A distribution: key: {count, mean, std, min, max, p50, p90, p95, p99, p999}.
void write_latency(JsonWriter& w, std::string_view key, const stats::LatencySummary& s);

struct MetricsOptions {
  bool open_loop = false;    // schedule lag and the *_from_intended figures
  bool slo = false;          // goodput
  bool ttft = true;          // false where an exact spec-mode TTFT was written already
  // false for endpoints that generate nothing (embeddings, rerank): the
  // token-timing figures (TTFT, TTFO, ITL, TPOT, tokens/s per request) are
  // left out and output_tokens_per_second is null; input tokens/s is the rate.
  bool generation = true;
};
// The load-mode figures every `stats` and `summary` carries, with the
// histograms themselves so that runs can later be merged exactly.
void write_metrics(JsonWriter& w, const stats::MetricSet& m, const MetricsOptions& opt);

// --stamp-lag only: read timestamp minus the server's send stamp, for every
// event and for each response's first content event.
void write_delivery_lag(JsonWriter& w, const stats::Histogram& all, const stats::Histogram& first);

// One spec-mode run, as the guide's `results` list holds it.
void write_run(JsonWriter& w, const RequestRecord& r, int max_tokens);

}  // namespace llmbench::report
