#pragma once
// llama-server's own view of each request (its `timings`, and usage's
// cached_tokens), joined to what the client measured: prefill time, the wait
// before it (queue), the server's decode rate beside the client's, and prompt
// cache hits. Distributions per stage and per prompt, mergeable; part of
// MetricSet. Figures are defined in request_figures.hpp.
#include <cstdint>

#include "llmbench/record/record.hpp"
#include "llmbench/stats/histogram.hpp"

namespace llmbench::stats {

struct ServerView {
  std::uint64_t requests = 0;     // successful requests whose response carried timings
  std::uint64_t cache_hits = 0;   // successful requests with cache_n > 0
  Histogram prefill_ns;           // timings.prompt_ms
  Histogram queue_ns;             // TTFT - prompt_ms (slot wait, network, client)
  Histogram prefill_tps_milli;    // timings.prompt_per_second x 1000
  Histogram server_decode_milli;  // timings.predicted_per_second x 1000
  Histogram client_decode_milli;  // the client's decode rate x 1000, same requests
  Histogram cache_n;              // prompt tokens served from the cache

  void add(const RequestRecord& r);
  void merge(const ServerView& o);
  [[nodiscard]] bool empty() const noexcept { return requests == 0 && cache_hits == 0; }
};

}  // namespace llmbench::stats
