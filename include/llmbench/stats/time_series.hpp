#pragma once
// A stage's life in fixed buckets of time (--timeseries-interval, 1 s by
// default): tokens received by their read timestamps, requests started,
// completed and failed, requests in flight, and the TTFT p50 and p99 of the
// requests whose first token fell in the bucket, the E2E p50 and p99 of
// those that ended in it. What the HTML report draws over time
// and what the steady-state test reads.
//
// Memory is bounded by the stage's length, not its traffic: a bucket is a
// few counters and, once a first token lands in it, a coarse histogram of
// 256 counts (8 sub-buckets per octave of microseconds: a p50 within 1/16 of
// the true value, plenty for a chart). An hour at 1 s is under 2 MiB.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace llmbench::stats {

struct TimeBucket {
  double t_s = 0;               // bucket start, seconds from the run's start
  double output_tokens = 0;     // tokens whose read timestamp fell in the bucket
  std::uint64_t requests_started = 0;
  std::uint64_t requests_completed = 0;  // ended successfully in the bucket
  std::uint64_t requests_failed = 0;     // ended with an error (cancelled ones excluded)
  std::uint64_t in_flight = 0;           // started and not yet ended at the bucket's end
  double ttft_p50_ms = -1;               // -1: no first token in the bucket
  double ttft_p99_ms = -1;
  double e2e_p50_ms = -1;                // of the requests that ended successfully in the bucket; -1: none
  double e2e_p99_ms = -1;
  // What the plan offered over the bucket (load/ramp.hpp): intended
  // arrivals/s for an open loop, target clients for a closed one; -1: none
  // (spec mode, trace replay). Filled in by the aggregator, not measured.
  double offered_load = -1;
};

// TTFTs in microseconds, 8 linear sub-buckets per power of two (0..15
// exact, then 8 per octave): 256 counts up to 2^34 us, a median within 1/16.
class CoarseHistogram {
 public:
  static constexpr std::size_t kCounts = 256;
  void record(std::int64_t us) noexcept;
  [[nodiscard]] double median() const noexcept;            // -1 when empty
  [[nodiscard]] double quantile(double q) const noexcept;  // nearest rank; -1 when empty
  [[nodiscard]] std::uint64_t count() const noexcept { return n_; }

 private:
  [[nodiscard]] double at_rank(std::uint64_t rank) const noexcept;
  std::array<std::uint32_t, kCounts> counts_{};
  std::uint64_t n_ = 0;
};

class TimeSeries {
 public:
  // Buckets of `interval_ns` from `origin_ns` (the stage's start, on the
  // run's clock); reported times are relative to `run_start_ns`.
  TimeSeries(std::int64_t origin_ns, std::int64_t interval_ns, std::int64_t run_start_ns);
  void add_tokens(std::int64_t t_ns, double tokens);
  void add_started(std::int64_t t_ns);
  void add_ended(std::int64_t t_ns, bool ok, bool cancelled);
  void add_first_token(std::int64_t t_ns, std::int64_t ttft_ns);
  void add_e2e(std::int64_t end_ns, std::int64_t e2e_ns);

  [[nodiscard]] std::vector<TimeBucket> buckets() const;
  [[nodiscard]] std::int64_t interval_ns() const noexcept { return interval_ns_; }
  [[nodiscard]] bool empty() const noexcept { return raw_.empty(); }

 private:
  struct Raw {
    double tokens = 0;
    std::uint64_t started = 0;
    std::uint64_t completed = 0;
    std::uint64_t failed = 0;
    std::uint64_t ended = 0;                  // any outcome, for in-flight
    std::shared_ptr<CoarseHistogram> ttft_us;  // made on the first TTFT (shared only by copies of a result)
    std::shared_ptr<CoarseHistogram> e2e_us;   // made on the first E2E
  };
  Raw* at(std::int64_t t_ns);

  std::int64_t origin_ns_;
  std::int64_t interval_ns_;
  std::int64_t run_start_ns_;
  std::vector<Raw> raw_;
};

// Whether a stage's measured window was steady: throughput of its first half
// against its second, and the trend (least-squares slope) of the per-bucket
// throughput, both relative to the mean. Steady when both stay within
// `tolerance` (default 10 %). Fewer than 4 full buckets: not judged.
struct SteadyState {
  bool judged = false;
  bool steady = false;
  double first_half_tps = 0;
  double second_half_tps = 0;
  double change_pct = 0;            // second half against the first
  double trend_pct_over_window = 0; // the fitted line's change across the window, against the mean
  std::size_t buckets = 0;
};

SteadyState steady_state(const std::vector<TimeBucket>& series, double window_start_s, double window_end_s,
                         double tolerance = 0.10);

}  // namespace llmbench::stats
