#pragma once
// Figures of a sampled series: values read at points in time (the telemetry
// sampler's gauges and counters), summarised over a window. Defined here, once,
// like every statistic; telemetry/ only picks the window.
#include <cstddef>
#include <optional>
#include <span>

namespace llmbench::stats {

struct TimedValue {
  double t_s = 0;  // seconds from the run's start
  double value = 0;
};

// The increase of a counter from `before` to `after`. A decrease means the
// counter restarted from zero in between (the server restarted), so the
// increase is `after` itself, as Prometheus' rate() assumes; *reset says so.
[[nodiscard]] inline double counter_increase(double before, double after, bool* reset = nullptr) noexcept {
  const bool went_down = after < before;
  if (reset != nullptr) *reset = went_down;
  return went_down ? after : after - before;
}

// p50 (nearest rank, see median()), max and mean of the finite values: of a
// gauge's values, of a counter's per-second rates between successive points.
// A counter also gives its increase (delta, restarts counted from zero) and
// delta / (last t - first t). Fewer than two points give a counter no figures
// but `points`; no finite value gives 0s, never NaN.
struct SampledSummary {
  std::size_t points = 0;
  double p50 = 0;
  double max = 0;
  double mean = 0;
  std::optional<double> delta;
  std::optional<double> rate_per_s;
  std::size_t resets = 0;
};

// `points` in time order.
[[nodiscard]] SampledSummary summarize_gauge(std::span<const TimedValue> points);
[[nodiscard]] SampledSummary summarize_counter(std::span<const TimedValue> points);

}  // namespace llmbench::stats
