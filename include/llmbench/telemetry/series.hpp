#pragma once
// Timestamped telemetry: what the sampler records, and the figures a report
// takes from it over a window.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/stats/sampled_series.hpp"
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

// A value and when it was read, in seconds since the run's start (the
// sampler's start_ns).
using Point = stats::TimedValue;

struct Series {
  std::string name;
  std::vector<Label> labels;
  std::string unit;
  SeriesKind kind = SeriesKind::gauge;
  std::vector<Point> points;  // in time order
};

// The figures of a series over [from_s, to_s] (points at either end count):
// stats::summarize_gauge or summarize_counter (sampled_series.hpp) of the
// points in the window, by the series' kind.
using SeriesSummary = stats::SampledSummary;

[[nodiscard]] SeriesSummary summarize(const Series& s, double from_s, double to_s);

// The series named `name` with exactly these labels, or nullptr.
[[nodiscard]] const Series* find_series(const std::vector<Series>& all, std::string_view name,
                                        const std::vector<Label>& labels = {});

}  // namespace llmbench::telemetry
