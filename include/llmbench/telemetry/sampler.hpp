#pragma once
// The telemetry sampler: its own thread calls a list of probes at a fixed
// interval and keeps what they read as timestamped series.
//
// A probe is two functions: fetch() returns text (a /metrics body, a /proc
// file) or nothing when the source cannot be reached; decode() turns the text
// into readings, or nothing when the text is garbage. The sampler knows
// nothing of HTTP or /proc, and nothing of the request path: it only calls
// the probes it is given (telemetry/probes.hpp has ready-made ones).
//
// Schedule. Slot k is due at origin + k x interval, origin being the moment
// start() was called, so slot 0 samples at once and gives the counters their
// baseline. The thread waits for the next due slot on a condition variable
// with that deadline, so stop() wakes it at once. A probe runs every
// `every_slots` slots; the probes due in a slot run one after another, so one
// held up by a slow probe before it runs late, once. When a probe finishes,
// those of its due slots that passed while it ran (or while it waited behind
// another) are not run late to catch up: they are skipped, counted in
// scrapes_skipped, and it next runs at its first due slot still ahead. A
// probe slower than the interval therefore skips its next slot(s) rather
// than piling up. A probe already running when stop() is called is waited
// for (bound it with its own timeout, shorter than the interval); the probes
// after it in that slot are not started.
//
// A point's time is the midpoint of the probe's call, in seconds from
// start_ns (the run's t = 0 on now_ns()'s steady clock): the server answered
// somewhere within the call, and the midpoint is off by at most half of it.
//
// Every failure is counted and sampling goes on: fetch() returning nothing
// (scrapes_failed), decode() returning nothing (scrapes_bad), either throwing
// (scrapes_failed). Non-finite readings are dropped.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "llmbench/telemetry/series.hpp"

namespace llmbench::telemetry {

struct Probe {
  std::string name;
  std::function<std::optional<std::string>()> fetch;
  std::function<std::optional<std::vector<Reading>>(std::string_view)> decode;
  int every_slots = 1;  // run in every Nth slot (page-table walks need not run every second)
};

struct SamplerOptions {
  std::chrono::nanoseconds interval = std::chrono::seconds(1);
  std::int64_t start_ns = 0;  // points are in seconds from this now_ns() value
};

struct ProbeCounters {
  std::string name;
  std::uint64_t scrapes_ok = 0;
  std::uint64_t scrapes_failed = 0;
  std::uint64_t scrapes_bad = 0;
  std::uint64_t scrapes_skipped = 0;
};

// Which slot a probe that was due in `slot` and finished at `end_ns` runs in
// next, and how many of its due slots passed while the sampler was busy: its
// due slots are slot + j x every (j >= 1); one whose time is before end_ns is
// skipped. Pure, so the schedule is tested without threads.
struct NextSlot {
  std::int64_t slot = 0;
  std::uint64_t skipped = 0;
};
[[nodiscard]] NextSlot next_slot(std::int64_t slot, int every_slots, std::int64_t end_ns, std::int64_t origin_ns,
                                 std::int64_t interval_ns) noexcept;

class Sampler {
 public:
  Sampler(std::vector<Probe> probes, SamplerOptions opts);
  ~Sampler();  // stop()s
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  // Starts the thread (once; later calls do nothing).
  void start();
  // Wakes the thread and joins it. Idempotent.
  void stop();

  // Copies, safe while the sampler runs.
  [[nodiscard]] std::vector<Series> series() const;
  [[nodiscard]] std::vector<ProbeCounters> counters() const;

 private:
  void run();
  bool wait_until(std::int64_t due_ns);
  void run_probe(std::size_t i, std::int64_t slot);
  void record(const std::vector<Reading>& readings, double t_s);
  [[nodiscard]] bool stopping() const;

  std::vector<Probe> probes_;
  SamplerOptions opts_;
  std::int64_t interval_ns_;
  std::int64_t origin_ns_ = 0;
  std::vector<std::int64_t> next_slot_;  // sampler thread only

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::vector<ProbeCounters> counters_;
  std::vector<Series> series_;
  std::map<std::string, std::size_t> index_;  // name + labels -> series_
  std::thread thread_;
};

}  // namespace llmbench::telemetry
