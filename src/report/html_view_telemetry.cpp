// The HTML report's telemetry charts for one load stage: the server's and the
// host's series (the results' telemetry.series, on the run's clock like the
// stage's own time series), cut to the stage's span, so the page draws them
// on the same time axis as the client's throughput.
#include <fmt/format.h>

#include <array>
#include <map>
#include <vector>

#include "html_view_parts.hpp"

namespace llmbench::report::html {

namespace {

using simdjson::dom::array;
using simdjson::dom::object;

struct Pt {
  double t;
  double v;
};

// The points of the series called `name` whose labels are exactly `label`
// (empty: no labels), inside [from, to].
std::vector<Pt> points_of(maybe_element series, std::string_view name, std::string_view label_key,
                          std::string_view label_value, double from, double to) {
  array all;
  std::vector<Pt> out;
  if (series.get(all)) return out;
  for (element s : all) {
    if (string_at(s, "name") != name) continue;
    object labels;
    if (s["labels"].get(labels)) continue;
    const bool want_none = label_key.empty();
    if (want_none ? labels.size() != 0 : string_at(s["labels"], label_key) != label_value) continue;
    array pts;
    if (s["points"].get(pts)) continue;
    for (element p : pts) {
      array pair;
      double t = 0;
      double v = 0;
      if (p.get(pair) || pair.size() != 2 || pair.at(0).get_double().get(t) || pair.at(1).get_double().get(v)) continue;
      if (t >= from && t <= to) out.push_back({t, v});
    }
    break;
  }
  return out;
}

// A counter's per-second rate between successive points (a restart counted
// from zero, as stats::counter_increase does).
std::vector<Pt> rates(const std::vector<Pt>& counter) {
  std::vector<Pt> out;
  for (std::size_t i = 1; i < counter.size(); ++i) {
    const double dt = counter[i].t - counter[i - 1].t;
    if (!(dt > 0)) continue;
    const double d = counter[i].v >= counter[i - 1].v ? counter[i].v - counter[i - 1].v : counter[i].v;
    out.push_back({counter[i].t, d / dt});
  }
  return out;
}

// total - free at the times both were read.
std::vector<Pt> in_use(const std::vector<Pt>& total, const std::vector<Pt>& free) {
  std::map<double, double> free_at;
  for (const Pt& p : free) free_at[p.t] = p.v;
  std::vector<Pt> out;
  for (const Pt& p : total) {
    if (const auto it = free_at.find(p.t); it != free_at.end()) out.push_back({p.t, p.v - it->second});
  }
  return out;
}

std::vector<Pt> scaled(std::vector<Pt> pts, double k) {
  for (Pt& p : pts) p.v *= k;
  return pts;
}

void write_chart(JsonWriter& w, std::string_view key, std::string_view title, std::string_view unit,
                 const std::vector<Pt>& pts) {
  if (pts.empty()) return;
  w.begin_object();
  w.field("key", key).field("title", title).field("unit", unit);
  w.key("t_s").begin_array();
  for (const Pt& p : pts) w.value(round_significant(p.t, 6));
  w.end_array();
  w.key("values").begin_array();
  for (const Pt& p : pts) w.value(round_significant(p.v, 5));
  w.end_array();
  w.end_object();
}

}  // namespace

void write_stage_telemetry(JsonWriter& w, maybe_element series, element stage) {
  const double from = number_at(stage, "start_s");
  const double to = from + number_at(stage, "elapsed_s");
  w.key("telemetry");
  if (series.error() || !std::isfinite(from) || !std::isfinite(to)) {
    w.null();
    return;
  }
  const auto get = [&](std::string_view name, std::string_view k = {}, std::string_view v = {}) {
    return points_of(series, name, k, v, from, to);
  };
  std::vector<Pt> busy = get("slots.busy");
  if (busy.empty()) busy = get("server.requests_running");
  w.begin_array();
  write_chart(w, "queue", "Server queue depth", "requests waiting", get("server.requests_waiting"));
  write_chart(w, "busy", "Busy slots", "slots", busy);
  write_chart(w, "server_tps", "Server generation rate", "tokens/s", rates(get("server.generation_tokens_total")));
  write_chart(w, "kv", "KV cache used", "% of the cache", scaled(get("server.kv_usage_ratio"), 100));
  write_chart(w, "cpu_busy", "Host CPU busy", "% of all CPUs", scaled(get("host.cpu_busy_ratio", "cpu", "all"), 100));
  write_chart(w, "cpu_mhz", "CPU clock", "MHz (mean over cores)", get("host.cpufreq_mean_mhz"));
  write_chart(w, "hugepages", "Huge pages in use", "pages", in_use(get("host.hugepages_total"), get("host.hugepages_free")));
  w.end_array();
}

}  // namespace llmbench::report::html
