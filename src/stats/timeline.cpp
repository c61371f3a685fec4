#include "llmbench/stats/timeline.hpp"

#include <algorithm>
#include <limits>

namespace llmbench::stats {

namespace {
constexpr std::int64_t kFineBinNs = 10'000'000;
}  // namespace

Timeline::Timeline(TimeSeries series, std::optional<Window> exact, int clients)
    : series_(std::move(series)), exact_(exact), clients_(clients) {}

void Timeline::add_tokens(std::int64_t t_ns, double tokens) {
  series_.add_tokens(t_ns, tokens);
  if (clients_ <= 0 || t_ns < 0) return;
  if (fine_origin_ns_ < 0) fine_origin_ns_ = t_ns - t_ns % kFineBinNs;
  if (t_ns < fine_origin_ns_) return;  // before the first token read: no span starts there
  const auto i = static_cast<std::size_t>((t_ns - fine_origin_ns_) / kFineBinNs);
  if (i >= fine_tokens_.size()) fine_tokens_.resize(i + 1, 0.0);
  fine_tokens_[i] += tokens;
}

void Timeline::add_request(std::int64_t start_ns, std::int64_t end_ns, bool ok, bool cancelled) {
  if (start_ns < 0) return;  // never sent: it was never in flight
  series_.add_started(start_ns);
  series_.add_ended(end_ns, ok, cancelled);
  if (clients_ <= 0) return;
  starts_.push_back(start_ns);
  ends_.push_back(end_ns);
}

std::optional<Timeline::FullConcurrency> Timeline::full_concurrency() const {
  const auto c = static_cast<std::size_t>(std::max(0, clients_));
  if (c == 0 || starts_.size() < c || fine_origin_ns_ < 0) return std::nullopt;
  std::vector<std::int64_t> starts = starts_;
  std::nth_element(starts.begin(), starts.begin() + static_cast<std::ptrdiff_t>(c - 1), starts.end());
  const std::int64_t all_busy = starts[c - 1];
  const std::int64_t last_start = *std::max_element(starts_.begin(), starts_.end());
  std::int64_t first_idle = std::numeric_limits<std::int64_t>::max();
  for (const std::int64_t e : ends_) {
    if (e > last_start) first_idle = std::min(first_idle, e);
  }
  if (first_idle == std::numeric_limits<std::int64_t>::max() || first_idle - all_busy < 10 * kFineBinNs) {
    return std::nullopt;
  }
  // Whole bins inside the span (its edges rounded inwards to 10 ms).
  const std::int64_t lo = std::max<std::int64_t>(0, (all_busy - fine_origin_ns_ + kFineBinNs - 1) / kFineBinNs);
  const std::int64_t hi = std::min<std::int64_t>(static_cast<std::int64_t>(fine_tokens_.size()),
                                                 (first_idle - fine_origin_ns_) / kFineBinNs);
  if (hi <= lo) return std::nullopt;
  double tokens = 0;
  for (std::int64_t i = lo; i < hi; ++i) tokens += fine_tokens_[static_cast<std::size_t>(i)];
  FullConcurrency f;
  f.span_s = static_cast<double>((hi - lo) * kFineBinNs) / 1e9;
  f.tokens_per_second = tokens / f.span_s;
  return f;
}

}  // namespace llmbench::stats
