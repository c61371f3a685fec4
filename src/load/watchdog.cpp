#include "llmbench/load/watchdog.hpp"

#include <algorithm>

#include "llmbench/util/clock.hpp"

namespace llmbench {

Watchdog::Watchdog(asio::io_context& io, std::function<void()> on_expire)
    : timer_(io), on_expire_(std::move(on_expire)) {}

void Watchdog::arm(std::int64_t start_ns, std::int64_t timeout_ns, std::int64_t idle_ns) {
  ++generation_;
  expired_ = false;
  reason_ = "";
  deadline_ns_ = start_ns + timeout_ns;
  idle_ns_ = idle_ns;
  last_activity_ns_ = start_ns;
  sleep_until(due_ns());
}

void Watchdog::disarm() noexcept {
  ++generation_;
  timer_.cancel();
}

std::int64_t Watchdog::due_ns() const noexcept {
  return idle_ns_ > 0 ? std::min(deadline_ns_, last_activity_ns_ + idle_ns_) : deadline_ns_;
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
    sleep_until(due);
    return;
  }
  expired_ = true;
  reason_ = now < deadline_ns_ ? "no data within the idle timeout" : "request exceeded --timeout";
  on_expire_();
}

}  // namespace llmbench
