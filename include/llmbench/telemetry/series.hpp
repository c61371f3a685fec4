#pragma once
// Timestamped telemetry: what the sampler records, and the figures a report
// takes from it over a window.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/telemetry/prometheus.hpp"

namespace llmbench::telemetry {

// counter: a running total that only goes up (or restarts from zero);
// gauge: a level that is read as it is.
enum class SeriesKind : std::uint8_t { counter, gauge };

// One value a probe read, before the sampler timestamps it.
struct Reading {
  std::string name;           // "server.requests_running", "host.cpu_busy_ratio", ...
  std::vector<Label> labels;  // {cpu="3"}; empty for most
  std::string unit;           // "requests", "tokens", "s", "bytes", "ratio", "MHz", "C", ...
  SeriesKind kind = SeriesKind::gauge;
  double value = 0;
};

struct Point {
  double t_s = 0;  // seconds since the run's start (the sampler's start_ns)
  double value = 0;
};

struct Series {
  std::string name;
  std::vector<Label> labels;
  std::string unit;
  SeriesKind kind = SeriesKind::gauge;
  std::vector<Point> points;  // in time order
};

// The figures of a series over [from_s, to_s] (points at either end count).
// A gauge's p50 (nearest rank), max and mean are of its values. A counter's
// are of its rate between successive points, per second, and it also gives
// its increase over the window (delta, a decrease counted as a restart from
// zero, see counter_increase) and delta / (last t - first t) as rate_per_s.
// Fewer than two points give a counter no figures but `points`.
struct SeriesSummary {
  std::size_t points = 0;
  double p50 = 0;
  double max = 0;
  double mean = 0;
  std::optional<double> delta;
  std::optional<double> rate_per_s;
  std::size_t resets = 0;
};

[[nodiscard]] SeriesSummary summarize(const Series& s, double from_s, double to_s);

// The series named `name` with exactly these labels, or nullptr.
[[nodiscard]] const Series* find_series(const std::vector<Series>& all, std::string_view name,
                                        const std::vector<Label>& labels = {});

}  // namespace llmbench::telemetry
