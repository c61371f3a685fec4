#include "llmbench/stats/time_series.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace llmbench::stats {

namespace {
constexpr int kSub = 3;
}  // namespace

void CoarseHistogram::record(std::int64_t us) noexcept {
  const auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(0, us));
  const int shift = std::max(0, static_cast<int>(std::bit_width(v)) - (kSub + 1));
  const std::size_t idx = (static_cast<std::size_t>(shift) << kSub) + static_cast<std::size_t>(v >> shift);
  ++counts_[std::min(idx, kCounts - 1)];
  ++n_;
}

double CoarseHistogram::median() const noexcept { return n_ == 0 ? -1 : at_rank((n_ + 1) / 2); }

double CoarseHistogram::quantile(double q) const noexcept {
  if (n_ == 0) return -1;
  return at_rank(std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n_)))));
}

// The middle of the bucket holding the rank-th smallest value (1-based).
double CoarseHistogram::at_rank(std::uint64_t rank) const noexcept {
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kCounts; ++i) {
    seen += counts_[i];
    if (seen < rank) continue;
    const auto octave = static_cast<int>(i >> kSub);
    const int shift = octave > 1 ? octave - 1 : 0;
    const std::size_t sub = i - (static_cast<std::size_t>(shift) << kSub);
    const double width = std::ldexp(1.0, shift);
    return static_cast<double>(sub) * width + (width - 1.0) / 2.0;
  }
  return -1;
}

TimeSeries::TimeSeries(std::int64_t origin_ns, std::int64_t interval_ns, std::int64_t run_start_ns)
    : origin_ns_(origin_ns), interval_ns_(interval_ns > 0 ? interval_ns : 1'000'000'000), run_start_ns_(run_start_ns) {}

TimeSeries::Raw* TimeSeries::at(std::int64_t t_ns) {
  if (t_ns < origin_ns_) t_ns = origin_ns_;  // a read stamped before the stage began: its first bucket
  const auto i = static_cast<std::size_t>((t_ns - origin_ns_) / interval_ns_);
  // A bound against a corrupt timestamp: a day of buckets at most.
  if (i > 86'400'000'000'000 / static_cast<std::uint64_t>(interval_ns_)) return nullptr;
  if (i >= raw_.size()) raw_.resize(i + 1);
  return &raw_[i];
}

void TimeSeries::add_tokens(std::int64_t t_ns, double tokens) {
  if (Raw* b = at(t_ns)) b->tokens += tokens;
}

void TimeSeries::add_started(std::int64_t t_ns) {
  if (Raw* b = at(t_ns)) ++b->started;
}

void TimeSeries::add_ended(std::int64_t t_ns, bool ok, bool cancelled) {
  Raw* b = at(t_ns);
  if (b == nullptr) return;
  ++b->ended;
  if (ok) {
    ++b->completed;
  } else if (!cancelled) {
    ++b->failed;
  }
}

void TimeSeries::add_first_token(std::int64_t t_ns, std::int64_t ttft_ns) {
  Raw* b = at(t_ns);
  if (b == nullptr) return;
  if (!b->ttft_us) b->ttft_us = std::make_shared<CoarseHistogram>();
  b->ttft_us->record(ttft_ns / 1000);
}

void TimeSeries::add_e2e(std::int64_t end_ns, std::int64_t e2e_ns) {
  Raw* b = at(end_ns);
  if (b == nullptr) return;
  if (!b->e2e_us) b->e2e_us = std::make_shared<CoarseHistogram>();
  b->e2e_us->record(e2e_ns / 1000);
}

std::vector<TimeBucket> TimeSeries::buckets() const {
  std::vector<TimeBucket> out;
  out.reserve(raw_.size());
  std::int64_t in_flight = 0;
  for (std::size_t i = 0; i < raw_.size(); ++i) {
    const Raw& r = raw_[i];
    in_flight += static_cast<std::int64_t>(r.started) - static_cast<std::int64_t>(r.ended);
    TimeBucket b;
    b.t_s = static_cast<double>(origin_ns_ - run_start_ns_ + static_cast<std::int64_t>(i) * interval_ns_) / 1e9;
    b.output_tokens = r.tokens;
    b.requests_started = r.started;
    b.requests_completed = r.completed;
    b.requests_failed = r.failed;
    b.in_flight = static_cast<std::uint64_t>(std::max<std::int64_t>(0, in_flight));
    b.ttft_p50_ms = r.ttft_us ? r.ttft_us->median() / 1e3 : -1;
    b.ttft_p99_ms = r.ttft_us ? r.ttft_us->quantile(0.99) / 1e3 : -1;
    b.e2e_p50_ms = r.e2e_us ? r.e2e_us->median() / 1e3 : -1;
    b.e2e_p99_ms = r.e2e_us ? r.e2e_us->quantile(0.99) / 1e3 : -1;
    out.push_back(b);
  }
  return out;
}

SteadyState steady_state(const std::vector<TimeBucket>& series, double window_start_s, double window_end_s,
                         double tolerance) {
  SteadyState s;
  if (series.size() < 2) return s;
  const double width = series[1].t_s - series[0].t_s;
  // Whole buckets inside the window only: a partial one would read as a dip.
  std::vector<double> tps;
  for (const TimeBucket& b : series) {
    if (b.t_s >= window_start_s - 1e-9 && b.t_s + width <= window_end_s + 1e-9) tps.push_back(b.output_tokens / width);
  }
  s.buckets = tps.size();
  if (tps.size() < 4) return s;
  const std::size_t half = tps.size() / 2;
  double first = 0, second = 0;
  for (std::size_t i = 0; i < half; ++i) first += tps[i];
  for (std::size_t i = tps.size() - half; i < tps.size(); ++i) second += tps[i];
  s.first_half_tps = first / static_cast<double>(half);
  s.second_half_tps = second / static_cast<double>(half);
  s.change_pct = s.first_half_tps > 0 ? (s.second_half_tps / s.first_half_tps - 1) * 100 : 0;
  // Least squares over the bucket index: the slope times the span is the
  // line's change across the window.
  const auto n = static_cast<double>(tps.size());
  double mx = (n - 1) / 2, my = 0;
  for (const double v : tps) my += v;
  my /= n;
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < tps.size(); ++i) {
    sxy += (static_cast<double>(i) - mx) * (tps[i] - my);
    sxx += (static_cast<double>(i) - mx) * (static_cast<double>(i) - mx);
  }
  s.trend_pct_over_window = my > 0 && sxx > 0 ? sxy / sxx * (n - 1) / my * 100 : 0;
  s.judged = true;
  s.steady = std::abs(s.change_pct) <= tolerance * 100 && std::abs(s.trend_pct_over_window) <= tolerance * 100;
  return s;
}

}  // namespace llmbench::stats
