#include "llmbench/telemetry/series.hpp"

#include <algorithm>
#include <span>

namespace llmbench::telemetry {

SeriesSummary summarize(const Series& s, double from_s, double to_s) {
  const auto begin = std::lower_bound(s.points.begin(), s.points.end(), from_s,
                                      [](const Point& p, double t) { return p.t_s < t; });
  const auto end = std::upper_bound(begin, s.points.end(), to_s, [](double t, const Point& p) { return t < p.t_s; });
  const std::span<const Point> window(begin, end);
  return s.kind == SeriesKind::counter ? stats::summarize_counter(window) : stats::summarize_gauge(window);
}

const Series* find_series(const std::vector<Series>& all, std::string_view name, const std::vector<Label>& labels) {
  for (const Series& s : all) {
    if (s.name == name && s.labels == labels) return &s;
  }
  return nullptr;
}

}  // namespace llmbench::telemetry
