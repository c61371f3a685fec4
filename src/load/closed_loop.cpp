#include "llmbench/load/closed_loop.hpp"

#include <asio/experimental/as_tuple.hpp>

#include "llmbench/load/request_path.hpp"
#include "llmbench/load/session_runner.hpp"
#include "llmbench/util/clock.hpp"

#include <spdlog/spdlog.h>

namespace llmbench {

void ClosedLoopDriver::start(asio::io_context& io, RequestPath& path) {
  running_ = clients_;
  if (!starts_ns_.empty()) join_ = std::make_unique<asio::steady_timer>(io);  // a ramp's joins
  asio::co_spawn(io, start_clients(io, path), asio::detached);
  asio::co_spawn(io, watch_stage_end(io, path), asio::detached);
}

// Spawning every client at once would run all their first steps (request,
// socket, connect: ~30 us each) before the event loop looked at a socket
// again, so the first responses would wait behind the last clients' connects
// and be stamped late: 10 ms of TTFT error at 512 clients. In batches, with
// a turn of the loop between them, responses are read as they come.
//
// A concurrency ramp's clients join at their own times (load/ramp.hpp): the
// loop sleeps until each is due. A client that never joins (the run stopped
// first) is no longer counted as running.
asio::awaitable<void> ClosedLoopDriver::start_clients(asio::io_context& io, RequestPath& path) {
  constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
  constexpr std::size_t kBatch = 16;
  for (std::size_t i = 0; i < clients_; ++i) {
    if (i < starts_ns_.size() && now_ns() < starts_ns_[i]) {
      if (path.cancelled() || source_.stopped()) {
        running_ -= clients_ - i;
        co_return;
      }
      join_->expires_at(to_time_point(starts_ns_[i]));
      co_await join_->async_wait(use_tuple);
      if (path.cancelled() || source_.stopped() || source_.over(now_ns())) {
        running_ -= clients_ - i;
        co_return;
      }
    }
    asio::co_spawn(io, client(path, path.new_slot()), asio::detached);
    if ((i + 1) % kBatch == 0) co_await asio::post(io, asio::use_awaitable);
  }
}

void ClosedLoopDriver::wake() noexcept {
  if (join_) join_->cancel();
}

asio::awaitable<void> ClosedLoopDriver::client(RequestPath& path, Slot& slot) {
  Ticket t;
  SourceTurns turns(source_, path);
  while (!path.cancelled() && source_.next(t, now_ns())) {
    path.counters().scheduled.fetch_add(1, std::memory_order_relaxed);
    if (path.plan().session) {
      t.prompt = static_cast<std::uint32_t>(source_.begin_session() % path.plan().session->conversations.size());
      co_await run_session(path, slot, t, turns);
    } else {
      co_await path.run(slot, t);
    }
    if (slot.rec.error == ErrorKind::connect) {
      slot.last_end_ns = -1;  // the pause is the backoff's, not the client's slowness
      co_await pause(path, slot.backoff.next());
    } else {
      slot.backoff.reset();
    }
  }
  // The schedule is over for everyone: cool-down requests still running on
  // other clients only kept the load up and are cancelled now.
  path.cancel_cooldown();
  --running_;
}

// After a failed connect: the client waits before its next request (see
// backoff.hpp). A cancel cuts the pause short at its next check, within 1 s.
asio::awaitable<void> ClosedLoopDriver::pause(RequestPath& path, std::int64_t ns) {
  constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
  if (path.cancelled()) co_return;
  spdlog::debug("a client backs off {:.0f} ms after a failed connect", static_cast<double>(ns) / 1e6);
  asio::steady_timer timer(path.io(), std::chrono::nanoseconds(ns));
  co_await timer.async_wait(use_tuple);
}

// A client only notices the end of the cool-down when its request ends; a
// long one would keep the stage alive. This wakes every 50 ms to cancel the
// cool-down's requests as soon as its time is up.
asio::awaitable<void> ClosedLoopDriver::watch_stage_end(asio::io_context& io, RequestPath& path) {
  constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
  asio::steady_timer timer(io);
  while (running_ > 0 && !path.cancelled()) {
    if (source_.over(now_ns())) {
      path.cancel_cooldown();
      break;
    }
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(use_tuple);
  }
}

}  // namespace llmbench
