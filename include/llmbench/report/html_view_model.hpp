#pragma once
// The HTML report's view model: everything the page draws, computed here in
// C++ from saved results files, so the page's script only lays numbers out.
// Results are read with simdjson's DOM (any saved file, any schema_version 1
// writer), and every distribution comes from the saved histograms, decoded
// with stats::Histogram::from_compact: the page never estimates a figure.
//
// Shape (compact JSON; times in ms, rates per second; absent data is null or
// an empty array, never a made-up zero):
//
//   {"generator": "llmbench 0.1.0",
//    "files": [{
//      "name": "base.json" (file_labels), "mode": "spec" | "load",
//      "header": {"model", "server_build", "slots", "system", "config",
//                 "date", "llmbench_version", "interrupted"},
//      "summary": {"requests_succeeded", "requests_failed",
//                  "output_tokens_per_second", "request_throughput",
//                  "overall_avg_tokens_per_second"},
//      "prompts": [{"key", "runs", "ok", "cv",             (spec mode)
//                   "tps" | "ttft_ms" | "decode_tps":
//                     {"values": [per run], "mean", "low", "high"}}],
//      "load": {"axis": "concurrency" | "rate" | null,    (load mode)
//               "knee": label | null, "slo": bool},
//      "stages": [{"label", "x", "requests_succeeded", "requests_failed",
//                  "request_throughput", "output_tokens_per_second",
//                  "ttft_p50", "ttft_p99", "itl_p50", "itl_p99",
//                  "e2e_p50", "e2e_p99",
//                  "goodput_rps", "goodput_share",            (null without --slo)
//                  "cdf": {"ttft"|"itl"|"e2e": {"x": [ms], "y": [0..1]}},
//                  "timeseries": null | {"t_s", "output_tps", "in_flight",
//                                        "completed", "failed", "ttft_p50_ms",
//                                        "ttft_p99_ms", "e2e_p50_ms",
//                                        "e2e_p99_ms", "offered_load"},
//                  "ramp": null | {"load": "rate" | "concurrency", "shape",
//                                  "from", "to"},
//                  "prompts": [{"key", "ok", "failed", "tps_per_request",
//                               "ttft_p50", "e2e_p50"}],
//                  "models": [{"model", "weight", "requests", "ok", "failed",   (a --model mix;
//                              "ttft_p50", "ttft_p99", "e2e_p50",                  else empty)
//                              "output_tokens_per_second", "request_throughput"}],
//                  "telemetry": null | [{"key", "title", "unit", "t_s",
//                                        "values"}]}]}]}  (server and host
//                    series in the stage's span, on the run's clock)
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/util/expected.hpp"

#include "llmbench/stats/histogram.hpp"

namespace llmbench::report {

// One results file as the report sees it: its name (the path it was read
// from, or what the caller calls an in-memory run), which errors quote, and
// its JSON text. The page labels each file by its name's base name, or by the
// whole name where two inputs share a base name.
struct ResultsText {
  std::string name;
  std::string json;
};

namespace html {

// The smallest x a CDF point takes, in ms: a log axis cannot show 0, and ITL
// has many exact zeros (events decoded from one read share its timestamp).
inline constexpr double kCdfFloorMs = 1e-3;

struct CdfPoint {
  double x;  // value / scale, at least kCdfFloorMs
  double y;  // share of values <= x
};

// The empirical CDF of `h` with values divided by `scale`: (min, 0), then one
// point per non-empty bucket at its highest value (the last clamped to max)
// with the cumulative share up to and including that bucket. Exact where the
// buckets are (below 128 raw units), otherwise within the histogram's
// 1/128 relative error on x. An empty histogram gives no points.
[[nodiscard]] std::vector<CdfPoint> cdf_points(const stats::Histogram& h, double scale);

// The labels the page shows for `inputs`, in order (see ResultsText).
[[nodiscard]] std::vector<std::string> file_labels(const std::vector<ResultsText>& inputs);

// Builds the view model of `inputs` (in order: the first file is the
// baseline colour). A file that is not a usable results file is an error of
// one line: "<name>: <what was wrong>".
// compare_json (render_compare_json's text), when given, becomes the view
// model's "compare": the page shows it first.
Expected<std::string> build_view_model(const std::vector<ResultsText>& inputs, std::string_view compare_json = {});

}  // namespace html
}  // namespace llmbench::report
