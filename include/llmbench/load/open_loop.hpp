#pragma once
// Open loop: each arrival is sent at its intended time, whatever became of
// the earlier ones. A request that cannot start on time (the in-flight cap
// is reached, or this thread was busy) starts late but keeps its intended
// time: TTFT and E2E are also measured from it, free of coordinated
// omission, and the lag is recorded.
#include <asio.hpp>

#include <cstddef>
#include <memory>

#include "llmbench/load/driver.hpp"
#include "llmbench/load/ticket.hpp"

namespace llmbench {

struct Slot;

class OpenLoopDriver final : public Driver {
 public:
  // At most `max_in_flight` requests at once (0: no cap).
  OpenLoopDriver(TicketSource& source, std::size_t max_in_flight) noexcept
      : source_(source), max_in_flight_(max_in_flight) {}
  void start(asio::io_context& io, RequestPath& path) override;
  void wake() noexcept override;

 private:
  asio::awaitable<void> dispatch(RequestPath& path);
  asio::awaitable<Slot*> acquire_slot(RequestPath& path);
  asio::awaitable<void> run_and_release(RequestPath& path, Slot& slot, Ticket t);

  TicketSource& source_;
  std::size_t max_in_flight_;
  std::unique_ptr<asio::steady_timer> arrival_;    // sleeps until the next arrival
  std::unique_ptr<asio::steady_timer> slot_freed_;  // wakes a dispatcher waiting for a slot
};

}  // namespace llmbench
