#include "llmbench/stats/sampled_series.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "llmbench/stats/summary.hpp"

namespace llmbench::stats {
namespace {

// p50, max and mean of the finite values (a NaN gauge reads as no value).
void describe(std::vector<double> values, SampledSummary& out) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
  if (values.empty()) return;
  double sum = 0;
  out.max = values.front();
  for (double v : values) {
    sum += v;
    out.max = std::max(out.max, v);
  }
  out.mean = sum / static_cast<double>(values.size());
  out.p50 = median(std::move(values));
}

}  // namespace

SampledSummary summarize_gauge(std::span<const TimedValue> points) {
  SampledSummary out;
  out.points = points.size();
  std::vector<double> values;
  values.reserve(points.size());
  for (const TimedValue& p : points) values.push_back(p.value);
  describe(std::move(values), out);
  return out;
}

SampledSummary summarize_counter(std::span<const TimedValue> points) {
  SampledSummary out;
  out.points = points.size();
  if (points.size() < 2) return out;
  std::vector<double> rates;
  double delta = 0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    bool reset = false;
    const double inc = counter_increase(points[i - 1].value, points[i].value, &reset);
    delta += inc;
    out.resets += reset ? 1 : 0;
    const double dt = points[i].t_s - points[i - 1].t_s;
    if (dt > 0) rates.push_back(inc / dt);
  }
  describe(std::move(rates), out);
  out.delta = delta;
  const double span_s = points.back().t_s - points.front().t_s;
  if (span_s > 0) out.rate_per_s = delta / span_s;
  return out;
}

}  // namespace llmbench::stats
