#pragma once
// A request's deadline (--timeout) and idle limit (--idle-timeout), on one
// timer. Reads only store a timestamp (touch); the timer sleeps until the
// earlier of the two limits and, when it wakes early because data kept
// arriving, goes back to sleep until the new limit: no timer operation per
// read. When a limit passes it runs its expiry action (closing the
// request's connection, which fails the pending read).
//
// A generation counter, bumped by every arm and disarm, makes a wake-up that
// belongs to an earlier request a no-op: Asio may already have queued the
// completion of a timer that was cancelled.
//
// The same timer runs the quiet probe: when a request has had no data for
// kFirstProbeNs, the probe action runs (the request path asks the
// connection whether the kernel holds something its read has not been woken
// for), then again after twice the gap, up to kMaxProbeGapNs, and the gap
// starts over once data comes. It is the safety net of edge-triggered reads
// (http/edge_socket.hpp): a peer's reset that arrives in one burst with its
// last bytes raises no edge of its own. A stream that keeps sending costs one
// timer wake-up per kFirstProbeNs, not one per read.
#include <asio.hpp>

#include <cstdint>
#include <functional>

namespace llmbench {

class Watchdog {
 public:
  static constexpr std::int64_t kFirstProbeNs = 1'000'000'000;
  static constexpr std::int64_t kMaxProbeGapNs = 8'000'000'000;

  // `on_quiet` (may be empty) is the quiet probe.
  Watchdog(asio::io_context& io, std::function<void()> on_expire, std::function<void()> on_quiet = {});
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Starts watching a request that began at start_ns. idle_ns 0: no idle limit.
  void arm(std::int64_t start_ns, std::int64_t timeout_ns, std::int64_t idle_ns);
  // Data arrived at t_ns.
  void touch(std::int64_t t_ns) noexcept { last_activity_ns_ = t_ns; }
  void disarm() noexcept;

  [[nodiscard]] bool expired() const noexcept { return expired_; }
  // "request exceeded --timeout" or "no data within the idle timeout".
  [[nodiscard]] const char* reason() const noexcept { return reason_; }

 private:
  [[nodiscard]] std::int64_t due_ns() const noexcept;
  [[nodiscard]] std::int64_t wake_ns() const noexcept;
  void sleep_until(std::int64_t at_ns);
  void on_wake(std::uint64_t generation);

  asio::steady_timer timer_;
  std::function<void()> on_expire_;
  std::function<void()> on_quiet_;
  std::uint64_t generation_ = 0;
  std::int64_t probe_gap_ns_ = kFirstProbeNs;
  std::int64_t next_probe_ns_ = 0;
  std::int64_t activity_at_probe_ns_ = 0;  // last_activity_ns_ when the gap last grew
  std::int64_t deadline_ns_ = 0;
  std::int64_t idle_ns_ = 0;
  std::int64_t last_activity_ns_ = 0;
  bool expired_ = false;
  const char* reason_ = "";
};

}  // namespace llmbench
