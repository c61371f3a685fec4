#pragma once
// A stage's figures that depend on when things happened rather than on which
// request they belong to: the exact measured window, the time series, and
// (closed loop bounded by a request count) the span during which every
// client was busy.
//
// Why by timestamp. A throughput that counts the tokens of the requests
// started in the window and divides by the time until the last of them ends
// is diluted by the drain: with fewer and fewer streams in flight the
// denominator runs on (a server making 795 tok/s read as 582 over 5 s, and a
// saturated server seemed to lose throughput past its knee). Counting every
// token whose read timestamp falls inside [t0, t0 + D] — whichever request
// it belongs to — and dividing by D measures the server's rate over exactly
// that interval.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "llmbench/stats/time_series.hpp"

namespace llmbench::stats {

struct Window {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  [[nodiscard]] bool contains(std::int64_t t) const noexcept { return t >= start_ns && t < end_ns; }
  [[nodiscard]] std::int64_t length_ns() const noexcept { return end_ns - start_ns; }
};

class Timeline {
 public:
  // `exact`: the measured window of a duration-bounded stage. `clients` > 0:
  // a closed loop bounded by count, whose full-concurrency span is wanted.
  Timeline(TimeSeries series, std::optional<Window> exact, int clients);

  [[nodiscard]] bool in_window(std::int64_t t_ns) const noexcept { return exact_ && exact_->contains(t_ns); }
  [[nodiscard]] const std::optional<Window>& window() const noexcept { return exact_; }
  // The stage stopped at t_ns (a stop rule, a signal): the window ends there
  // if it would have ended later (empty when that was before it began).
  void cut(std::int64_t t_ns) noexcept {
    if (exact_ && t_ns < exact_->end_ns) exact_->end_ns = std::max(exact_->start_ns, t_ns);
  }

  void add_tokens(std::int64_t t_ns, double tokens);
  // One request that ended (any phase); start_ns < 0: it never started.
  void add_request(std::int64_t start_ns, std::int64_t end_ns, bool ok, bool cancelled);
  void add_first_token(std::int64_t t_ns, std::int64_t ttft_ns) { series_.add_first_token(t_ns, ttft_ns); }
  void add_e2e(std::int64_t end_ns, std::int64_t e2e_ns) { series_.add_e2e(end_ns, e2e_ns); }

  [[nodiscard]] std::vector<TimeBucket> buckets() const { return series_.buckets(); }

  // Closed loop by count: tokens per second over the span from the moment
  // every client had started to the first time a client went idle (the
  // first request end after the last request started). The span is found
  // when the stage has ended; tokens are kept in 10 ms bins until then, so
  // its edges are known to 10 ms. nullopt when not tracked or too short.
  struct FullConcurrency {
    double tokens_per_second = 0;
    double span_s = 0;
  };
  [[nodiscard]] std::optional<FullConcurrency> full_concurrency() const;

 private:
  TimeSeries series_;
  std::optional<Window> exact_;
  int clients_;
  std::int64_t fine_origin_ns_ = -1;
  std::vector<double> fine_tokens_;  // 10 ms bins, only when clients_ > 0
  std::vector<std::int64_t> starts_;
  std::vector<std::int64_t> ends_;
};

}  // namespace llmbench::stats
