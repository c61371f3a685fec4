#include "llmbench/telemetry/series.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "llmbench/stats/summary.hpp"
#include "llmbench/telemetry/server_metrics.hpp"

namespace llmbench::telemetry {
namespace {

struct Window {
  std::vector<Point>::const_iterator begin, end;
};

Window window(const Series& s, double from_s, double to_s) {
  const auto begin = std::lower_bound(s.points.begin(), s.points.end(), from_s,
                                      [](const Point& p, double t) { return p.t_s < t; });
  const auto end = std::upper_bound(begin, s.points.end(), to_s, [](double t, const Point& p) { return t < p.t_s; });
  return {begin, end};
}

// p50, max and mean of the finite values (a NaN gauge reads as no value).
void describe_values(std::vector<double> values, SeriesSummary& out) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
  if (values.empty()) return;
  double sum = 0;
  out.max = values.front();
  for (double v : values) {
    sum += v;
    out.max = std::max(out.max, v);
  }
  out.mean = sum / static_cast<double>(values.size());
  out.p50 = stats::median(std::move(values));
}

// Per-interval rates, the window's increase and its resets.
void summarize_counter(Window w, SeriesSummary& out) {
  if (w.end - w.begin < 2) return;
  std::vector<double> rates;
  double delta = 0;
  for (auto it = w.begin + 1; it != w.end; ++it) {
    bool reset = false;
    const double inc = counter_increase((it - 1)->value, it->value, &reset);
    delta += inc;
    out.resets += reset ? 1 : 0;
    const double dt = it->t_s - (it - 1)->t_s;
    if (dt > 0) rates.push_back(inc / dt);
  }
  describe_values(std::move(rates), out);
  out.delta = delta;
  const double span = (w.end - 1)->t_s - w.begin->t_s;
  if (span > 0) out.rate_per_s = delta / span;
}

}  // namespace

SeriesSummary summarize(const Series& s, double from_s, double to_s) {
  SeriesSummary out;
  const Window w = window(s, from_s, to_s);
  out.points = static_cast<std::size_t>(w.end - w.begin);
  if (s.kind == SeriesKind::counter) {
    summarize_counter(w, out);
  } else {
    std::vector<double> values;
    for (auto it = w.begin; it != w.end; ++it) values.push_back(it->value);
    describe_values(std::move(values), out);
  }
  return out;
}

const Series* find_series(const std::vector<Series>& all, std::string_view name, const std::vector<Label>& labels) {
  for (const Series& s : all) {
    if (s.name == name && s.labels == labels) return &s;
  }
  return nullptr;
}

}  // namespace llmbench::telemetry
