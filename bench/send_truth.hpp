#pragma once
// The bench server's --stamp truth: what it really sent, for
// bench/contention.sh to check a client's TTFT and ITL against. TTFT from
// reading a request to writing its first token; ITL between a stream's
// writes, the further events of one write 0 after its first (they share a
// read, as a client sees them). Send times, not due times: a write that left
// late is what a client should see.
#include <cstdint>
#include <cstdio>

#include "lag_histogram.hpp"

namespace bench_stream {

class SendTruth {
 public:
  // One write of `k` token events at `sent_ns`; `first` for a response's first.
  void on_write(bool first, std::int64_t request_ns, std::int64_t& last_write_ns, std::uint32_t k,
                std::int64_t sent_ns) {
    if (first) {
      ttft_.add((sent_ns - request_ns) / 1000);
    } else {
      itl_.add((sent_ns - last_write_ns) / 1000);
    }
    for (std::uint32_t i = 1; i < k; ++i) itl_.add(0);
    last_write_ns = sent_ns;
  }

  // ",\"true_ttft_p50_us\":...": JSON members for the summary line, or "".
  void format(char* out, std::size_t size) const {
    out[0] = '\0';
    if (ttft_.total() == 0) return;
    std::snprintf(out, size, ",\"true_ttft_p50_us\":%llu,\"true_ttft_p99_us\":%llu,\"true_itl_p50_us\":%llu,\"true_itl_p99_us\":%llu",
                  static_cast<unsigned long long>(ttft_.percentile(0.50)),
                  static_cast<unsigned long long>(ttft_.percentile(0.99)),
                  static_cast<unsigned long long>(itl_.percentile(0.50)),
                  static_cast<unsigned long long>(itl_.percentile(0.99)));
  }

 private:
  bench_stats::LagHistogram ttft_;
  bench_stats::LagHistogram itl_;
};

}  // namespace bench_stream
