#include "llmbench/load/watchdog.hpp"

#include <algorithm>

#include "llmbench/util/clock.hpp"

namespace llmbench {

Watchdog::Watchdog(asio::io_context& io, std::function<void()> on_expire, std::function<void()> on_quiet)
    : timer_(io), on_expire_(std::move(on_expire)), on_quiet_(std::move(on_quiet)) {}

void Watchdog::arm(std::int64_t start_ns, std::int64_t timeout_ns, std::int64_t idle_ns) {
  ++generation_;
  expired_ = false;
  reason_ = "";
  deadline_ns_ = start_ns + timeout_ns;
  idle_ns_ = idle_ns;
  last_activity_ns_ = start_ns;
  probe_gap_ns_ = kFirstProbeNs;
  activity_at_probe_ns_ = start_ns;
  next_probe_ns_ = start_ns + kFirstProbeNs;
  sleep_until(wake_ns());
}

void Watchdog::disarm() noexcept {
  ++generation_;
  timer_.cancel();
}

std::int64_t Watchdog::due_ns() const noexcept {
  return idle_ns_ > 0 ? std::min(deadline_ns_, last_activity_ns_ + idle_ns_) : deadline_ns_;
}

std::int64_t Watchdog::wake_ns() const noexcept {
  return on_quiet_ ? std::min(due_ns(), next_probe_ns_) : due_ns();
}

void Watchdog::sleep_until(std::int64_t at_ns) {
  timer_.expires_at(to_time_point(at_ns));
  const std::uint64_t gen = generation_;
  timer_.async_wait([this, gen](const std::error_code& ec) {
    if (!ec) on_wake(gen);
  });
}

void Watchdog::on_wake(std::uint64_t generation) {
  if (generation != generation_) return;
  const std::int64_t now = now_ns();
  const std::int64_t due = due_ns();
  if (now < due) {
    if (on_quiet_) {
      if (last_activity_ns_ != activity_at_probe_ns_) {
        // Data came since the gap last grew: the quiet period starts over.
        probe_gap_ns_ = kFirstProbeNs;
        activity_at_probe_ns_ = last_activity_ns_;
      }
      if (now - last_activity_ns_ >= probe_gap_ns_) {
        probe_gap_ns_ = std::min(probe_gap_ns_ * 2, kMaxProbeGapNs);
        next_probe_ns_ = now + probe_gap_ns_;
        const std::uint64_t gen = generation_;
        on_quiet_();
        if (gen != generation_) return;  // the probe ended the request
      } else {
        next_probe_ns_ = last_activity_ns_ + probe_gap_ns_;
      }
    }
    sleep_until(wake_ns());
    return;
  }
  expired_ = true;
  reason_ = now < deadline_ns_ ? "no data within the idle timeout" : "request exceeded --timeout";
  on_expire_();
}

}  // namespace llmbench
