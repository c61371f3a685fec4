#pragma once
// Load modes as schedules: each turns a StagePlan into tickets for the one
// request path. Closed loop: C clients, each taking its next ticket when its
// last request ends. Open loop: arrivals at precomputed times. The drivers
// (closed_loop.hpp, open_loop.hpp) decide when a ticket is sent.
#include <atomic>
#include <cstdint>
#include <limits>
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/load/ticket.hpp"

namespace llmbench {

// The windows of a stage on the run's clock.
struct StageWindows {
  std::int64_t start_ns = 0;
  std::int64_t warmup_end_ns = 0;
  // End of the measured window by time; max() when bounded by count only.
  std::int64_t measured_end_ns = std::numeric_limits<std::int64_t>::max();
  std::int64_t cooldown_ns = 0;

  static StageWindows for_stage(const StagePlan& s, std::int64_t start_ns);
};

// Closed loop, shared by every worker of a stage (atomics, no locks).
class ClosedLoopSource final : public TicketSource {
 public:
  ClosedLoopSource(const StageWindows& w, std::uint64_t measured_requests, std::size_t prompts);
  bool next(Ticket& out, std::int64_t now_ns) override;
  bool over(std::int64_t now_ns) const override;
  void stop() noexcept { stopped_.store(true, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t issued() const noexcept { return next_id_.load(std::memory_order_relaxed); }

 private:
  StageWindows w_;
  std::uint64_t measured_limit_;  // 0: by time only
  std::size_t prompts_;
  std::atomic<std::uint64_t> next_id_{0};
  std::atomic<std::uint64_t> measured_{0};
  // When the measured window closed by count: the cool-down runs from here.
  std::atomic<std::int64_t> measured_closed_ns_{std::numeric_limits<std::int64_t>::max()};
  std::atomic<bool> stopped_{false};
};

// Open loop: every arrival of the stage, as offsets from its start, with the
// index range that forms the measured window.
struct OpenSchedule {
  std::vector<std::int64_t> at_ns;
  std::size_t measured_begin = 0;
  std::size_t measured_end = 0;

  [[nodiscard]] Phase phase_of(std::size_t i) const noexcept {
    return i < measured_begin ? Phase::warmup : i < measured_end ? Phase::measured : Phase::cooldown;
  }
};

OpenSchedule make_open_schedule(const StagePlan& s, Arrival kind, double burstiness, std::uint64_t seed);

// A trace replay's schedule: the given arrivals (ns from the stage's start,
// non-decreasing), every one measured. The open-loop driver sends each at its
// time and measures from it, as for a rate.
OpenSchedule make_trace_schedule(std::vector<std::int64_t> at_ns);

// One worker's share of an open-loop schedule: arrivals index, index +
// workers, index + 2 x workers, ..., each with its intended send time on the
// run's clock. Used by that worker's thread only.
class OpenLoopSource final : public TicketSource {
 public:
  OpenLoopSource(const OpenSchedule& schedule, std::int64_t start_ns, std::size_t index, std::size_t workers,
                 std::size_t prompts) noexcept;
  bool next(Ticket& out, std::int64_t now_ns) override;
  bool over(std::int64_t now_ns) const override;

 private:
  const OpenSchedule& schedule_;
  std::int64_t start_ns_;
  std::size_t next_;
  std::size_t stride_;
  std::size_t prompts_;
};

}  // namespace llmbench
