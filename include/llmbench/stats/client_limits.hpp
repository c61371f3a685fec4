#pragma once
// When the client itself is the bottleneck. A load generator that wakes late
// stamps tokens late, sends late and throttles the load it claims to offer;
// these rules say so per stage (stages[].client_limited), so a figure is
// never trusted silently. The limits are the defaults of --client-limits.
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/stats/metric_set.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::stats {

struct ClientLimits {
  double read_lag_ms = 1.0;        // p99 of (our read time - the kernel's receive time)
  double schedule_lag_ms = 5.0;    // open loop, no --max-concurrency: p99 of (sent - intended)
  double turnaround_ms = 5.0;      // closed loop: p99 of (a response's end -> the client's next send)
  double worker_cpu_share = 0.90;  // the busiest worker thread's CPU time / its wall time
};

// "read_lag_ms=2,turnaround_ms=10": overrides of the defaults, each key once.
Expected<ClientLimits> parse_client_limits(std::string_view spec);

struct ClientLimitReason {
  std::string rule;   // read_lag, schedule_lag, turnaround, worker_cpu
  double measured = 0;
  double limit = 0;
  std::string message;  // one line: what was measured against which limit
};

// What the stage measured about the client itself.
struct ClientLoad {
  const MetricSet* overall = nullptr;
  bool open_loop = false;
  bool closed_loop = false;       // load mode's closed loop (spec mode's runs are not paced)
  bool capped = false;            // open loop with --max-concurrency: waiting for the cap is not lateness
  double worker_cpu_share_max = 0;  // 0 when unknown
};

std::vector<ClientLimitReason> client_limited_reasons(const ClientLoad& load, const ClientLimits& limits);

// What to do about it, one line for the terminal and the report.
std::string_view client_limited_advice() noexcept;

}  // namespace llmbench::stats
