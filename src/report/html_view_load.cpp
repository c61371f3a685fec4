// The HTML report's view of load mode: per stage the headline figures, the
// TTFT / ITL / E2E CDFs from the saved histograms, the time series when the
// file has one, and the per-prompt table; for a sweep the load axis, the knee
// and whether goodput was measured.
#include <fmt/format.h>

#include <array>
#include <vector>

#include "html_view_parts.hpp"
#include "llmbench/report/html_view_model.hpp"
#include "llmbench/stats/client_limits.hpp"

namespace llmbench::report::html {

namespace {

using simdjson::dom::array;
using simdjson::dom::object;

struct CdfSeries {
  std::string_view name;       // key in the view model
  std::string_view histogram;  // key under summary.histograms (nanoseconds)
};
constexpr std::array<CdfSeries, 3> kCdfs{{{"ttft", "ttft_ns"}, {"itl", "itl_ns"}, {"e2e", "e2e_ns"}}};

// A sweep's x axis: the plan field every stage has. One stage, or stages of
// mixed kinds, have none (and no sweep charts).
std::string load_axis(array stages) {
  if (stages.size() < 2) return {};
  for (const std::string_view axis : {"concurrency", "rate"}) {
    bool all = true;
    for (element st : stages) all = all && std::isfinite(number_at(st, axis));
    if (all) return std::string(axis);
  }
  return {};
}

bool write_cdfs(JsonWriter& w, maybe_element histograms, const std::string& where, std::string& error) {
  w.key("cdf").begin_object();
  for (const CdfSeries& s : kCdfs) {
    std::string_view text;
    std::vector<CdfPoint> points;
    if (!histograms[s.histogram].get(text)) {
      const auto h = stats::Histogram::from_compact(text);
      if (!h) {
        error = fmt::format("{}.summary.histograms.{} is not a valid histogram", where, s.histogram);
        return false;
      }
      points = cdf_points(*h, 1e6);
    }
    w.key(s.name).begin_object();
    w.key("x").begin_array();
    for (const CdfPoint& p : points) w.value(round_significant(p.x, 4));
    w.end_array();
    w.key("y").begin_array();
    for (const CdfPoint& p : points) w.value(round_significant(p.y, 5));
    w.end_array();
    w.end_object();
  }
  w.end_object();
  return true;
}

// One column of the time series: a bucket field, divided by the bucket's
// width when `per_second`.
struct SeriesColumn {
  std::string_view name;   // key in the view model
  std::string_view field;  // key in each bucket
  bool per_second;
};
constexpr std::array<SeriesColumn, 9> kSeriesColumns{{
    {"output_tps", "output_tokens", true},
    {"in_flight", "in_flight", false},
    {"completed", "requests_completed", true},
    {"failed", "requests_failed", true},
    {"ttft_p50_ms", "ttft_p50_ms", false},
    {"ttft_p99_ms", "ttft_p99_ms", false},
    {"e2e_p50_ms", "e2e_p50_ms", false},
    {"e2e_p99_ms", "e2e_p99_ms", false},
    {"offered_load", "offered_load", false},
}};

// stages[].ramp: what was ramped, from what to what; null for a steady stage.
void write_ramp(JsonWriter& w, element stage) {
  w.key("ramp");
  element r;
  if (stage["ramp"].get(r) || !r.is_object()) {
    w.null();
    return;
  }
  w.begin_object();
  w.field("load", string_at(r, "load")).field("shape", string_at(r, "shape"));
  w.field("from", number_at(r, "from")).field("to", number_at(r, "to"));
  w.end_object();
}

// Bucket widths from the spacing of t_s (the format does not state them):
// each bucket runs to the next one's t_s, the last is as wide as the one
// before it, and a lone bucket is taken as 1 s.
std::vector<double> bucket_widths(const std::vector<double>& t) {
  std::vector<double> widths(t.size(), 1.0);
  for (std::size_t i = 0; i + 1 < t.size(); ++i) widths[i] = t[i + 1] - t[i];
  if (t.size() >= 2) widths.back() = widths[t.size() - 2];
  return widths;
}

// stages[].timeseries: an array of buckets {"t_s", "output_tokens",
// "requests_started", "requests_completed", "requests_failed", "in_flight",
// "ttft_p50_ms", "ttft_p99_ms", "e2e_p50_ms", "e2e_p99_ms", "offered_load"}.
// Absent (older files) gives null, which draws nothing.
bool write_timeseries(JsonWriter& w, element stage, const std::string& where, std::string& error) {
  array buckets;
  w.key("timeseries");
  if (stage["timeseries"].get(buckets) || buckets.size() == 0) {
    w.null();
    return true;
  }
  std::vector<double> t;
  for (element b : buckets) {
    t.push_back(number_at(b, "t_s"));
    if (!std::isfinite(t.back()) || (t.size() > 1 && !(t.back() > t[t.size() - 2]))) {
      error = fmt::format("{}.timeseries[{}].t_s is missing or not increasing", where, t.size() - 1);
      return false;
    }
  }
  const std::vector<double> widths = bucket_widths(t);
  w.begin_object();
  w.key("t_s").begin_array();
  for (const double v : t) w.value(round_significant(v, 6));
  w.end_array();
  for (const SeriesColumn& c : kSeriesColumns) {
    w.key(c.name).begin_array();
    std::size_t i = 0;
    for (element b : buckets) {
      const double v = number_at(b, c.field);
      w.value(round_significant(c.per_second ? v / widths[i] : v, 5));
      ++i;
    }
    w.end_array();
  }
  w.end_object();
  return true;
}

void write_stage_prompts(JsonWriter& w, maybe_element prompts) {
  object obj;
  w.key("prompts").begin_array();
  if (!prompts.get(obj)) {
    for (const auto field : obj) {
      const maybe_element st = field.value["stats"];
      w.begin_object();
      w.field("key", field.key);
      w.field("ok", number_at(st, "requests_succeeded")).field("failed", number_at(st, "requests_failed"));
      w.field("tps_per_request", number_at(st["tokens_per_second_per_request"], "mean"));
      w.field("ttft_p50", number_at(st["ttft_ms"], "p50")).field("e2e_p50", number_at(st["e2e_ms"], "p50"));
      // llama-server's view per group (shared prefixes, session turns).
      const maybe_element sv = st["server_view"];
      w.field("prefill_p50", number_at(sv["prefill_ms"], "p50"));
      w.field("cache_hits", number_at(sv, "cache_hits")).field("with_timings", number_at(sv, "requests_with_timings"));
      w.field("cached_p50", number_at(sv["cache_n"], "p50"));
      w.end_object();
    }
  }
  w.end_array();
}

// A --model mix: each model's share and figures (stages[].models).
void write_stage_models(JsonWriter& w, maybe_element models) {
  array list;
  w.key("models").begin_array();
  if (!models.get(list)) {
    for (element m : list) {
      w.begin_object();
      w.field("model", string_at(m, "model")).field("weight", number_at(m, "weight"));
      w.field("requests", number_at(m, "requests_total")).field("ok", number_at(m, "requests_succeeded"));
      w.field("failed", number_at(m, "requests_failed"));
      w.field("ttft_p50", number_at(m["ttft_ms"], "p50")).field("ttft_p99", number_at(m["ttft_ms"], "p99"));
      w.field("e2e_p50", number_at(m["e2e_ms"], "p50"));
      w.field("output_tokens_per_second", number_at(m, "output_tokens_per_second"));
      w.field("request_throughput", number_at(m, "request_throughput"));
      w.end_object();
    }
  }
  w.end_array();
}

void write_stage_figures(JsonWriter& w, element summary) {
  for (const std::string_view k :
       {"requests_succeeded", "requests_failed", "request_throughput", "output_tokens_per_second"}) {
    w.field(k, number_at(summary, k));
  }
  for (const std::string_view d : {"ttft", "itl", "e2e"}) {
    const maybe_element dist = summary[fmt::format("{}_ms", d)];
    w.field(fmt::format("{}_p50", d), number_at(dist, "p50"));
    w.field(fmt::format("{}_p99", d), number_at(dist, "p99"));
  }
  w.field("goodput_rps", number_at(summary["goodput"], "requests_per_second"));
  w.field("goodput_share", number_at(summary["goodput"], "share"));
}

// What the terminal prints as WARNING lines for the stage: an unsteady
// window and a client that was itself the bottleneck (with what to do).
void write_stage_warnings(JsonWriter& w, element stage) {
  w.key("warnings").begin_array();
  bool steady = true;
  if (!stage["steady"]["steady"].get(steady) && !steady) {
    w.value(fmt::format("not steady: output tok/s changed {:+.1f}% from the first half of the window to the second "
                        "(longer --warmup-seconds or --duration)",
                        number_at(stage["steady"], "change_pct")));
  }
  array reasons;
  if (!stage["client_limited_reasons"].get(reasons) && reasons.size() > 0) {
    std::string text = "the client was the bottleneck, figures may be the client's, not the server's:";
    for (element r : reasons) {
      text += ' ';
      text += string_at(r, "message");
      text += ';';
    }
    text += fmt::format(" try {}", stats::client_limited_advice());
    w.value(text);
  }
  w.end_array();
}

bool write_stage(JsonWriter& w, element stage, std::size_t index, const std::string& axis, maybe_element series,
                 std::string& error) {
  const std::string where = fmt::format("stages[{}]", index);
  element summary;
  if (stage["summary"].get(summary) || !summary.is_object()) {
    error = where + ": no summary object";
    return false;
  }
  std::string label = string_at(stage, "label");
  w.begin_object();
  w.field("label", label.empty() ? fmt::format("stage {}", index + 1) : label);
  w.field("x", axis.empty() ? kNaN : number_at(stage, axis));
  write_stage_figures(w, summary);
  write_stage_warnings(w, stage);
  if (!write_cdfs(w, summary["histograms"], where, error) || !write_timeseries(w, stage, where, error)) {
    return false;
  }
  write_ramp(w, stage);
  write_stage_prompts(w, stage["prompts"]);
  write_stage_models(w, stage["models"]);
  write_stage_telemetry(w, series, stage);
  w.end_object();
  return true;
}

// Goodput exists only where the run had an SLO: any bound in load.slo.
bool has_slo(maybe_element load) {
  object slo;
  if (load["slo"].get(slo)) return false;
  for (const auto field : slo) {
    double v = 0;
    if (!field.value.get_double().get(v) && v > 0) return true;
  }
  return false;
}

}  // namespace

bool write_load_view(JsonWriter& w, element root, std::string& error) {
  array stages;
  if (root["stages"].get(stages)) {
    error = "stages is not an array";
    return false;
  }
  const std::string axis = load_axis(stages);
  const maybe_element load = root["load"];
  w.key("load").begin_object();
  if (axis.empty()) {
    w.key("axis").null();
  } else {
    w.field("axis", axis);
  }
  std::string_view knee;
  if (load["knee"].get(knee)) {
    w.key("knee").null();
  } else {
    w.field("knee", knee);
  }
  w.field("slo", has_slo(load));
  w.end_object();
  w.key("stages").begin_array();
  std::size_t index = 0;
  for (element stage : stages) {
    if (!write_stage(w, stage, index++, axis, root["telemetry"]["series"], error)) return false;
  }
  w.end_array();
  return true;
}

}  // namespace llmbench::report::html
