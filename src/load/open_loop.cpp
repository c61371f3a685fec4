#include "llmbench/load/open_loop.hpp"

#include <asio/experimental/as_tuple.hpp>

#include "llmbench/load/request_path.hpp"
#include "llmbench/load/session_runner.hpp"
#include "llmbench/util/clock.hpp"

namespace llmbench {

namespace {
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
}  // namespace

void OpenLoopDriver::start(asio::io_context& io, RequestPath& path) {
  arrival_ = std::make_unique<asio::steady_timer>(io);
  slot_freed_ = std::make_unique<asio::steady_timer>(io);
  asio::co_spawn(io, dispatch(path), asio::detached);
}

void OpenLoopDriver::wake() noexcept {
  if (arrival_) arrival_->cancel();
  if (slot_freed_) slot_freed_->cancel();
}

asio::awaitable<void> OpenLoopDriver::dispatch(RequestPath& path) {
  asio::io_context& io = path.io();
  Ticket t;
  while (!path.cancelled() && source_.next(t, now_ns())) {
    if (now_ns() < t.intended_ns) {
      arrival_->expires_at(to_time_point(t.intended_ns));
      co_await arrival_->async_wait(use_tuple);
      if (path.cancelled() || source_.stopped()) break;
    }
    path.counters().scheduled.fetch_add(1, std::memory_order_relaxed);
    Slot* slot = co_await acquire_slot(path);
    if (slot == nullptr) {
      path.push_unsent(t);
      continue;
    }
    slot->active = true;
    slot->rec.phase = t.phase;
    asio::co_spawn(io, run_and_release(path, *slot, t), asio::detached);
  }
  path.cancel_cooldown();
}

asio::awaitable<Slot*> OpenLoopDriver::acquire_slot(RequestPath& path) {
  for (;;) {
    if (path.cancelled()) co_return nullptr;
    if (Slot* s = path.take_slot(max_in_flight_)) co_return s;
    // At the cap: sleep until a request ends (release cancels the timer).
    slot_freed_->expires_at(asio::steady_timer::time_point::max());
    co_await slot_freed_->async_wait(use_tuple);
  }
}

asio::awaitable<void> OpenLoopDriver::run_and_release(RequestPath& path, Slot& slot, Ticket t) {
  if (path.plan().session) {
    ArrivalTurns turns(source_, path);
    co_await run_session(path, slot, t, turns);
  } else {
    co_await path.run(slot, t);
  }
  path.release_slot(slot);
  slot_freed_->cancel_one();
}

}  // namespace llmbench
