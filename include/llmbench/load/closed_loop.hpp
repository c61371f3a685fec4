#pragma once
// Closed loop: C clients, each sending its next request as soon as its last
// one ended (spec mode is the closed loop of one client over a fixed list).
#include <cstddef>

#include "llmbench/load/driver.hpp"
#include "llmbench/load/ticket.hpp"

namespace llmbench {

struct Slot;

class ClosedLoopDriver final : public Driver {
 public:
  ClosedLoopDriver(TicketSource& source, std::size_t clients) noexcept : source_(source), clients_(clients) {}
  void start(asio::io_context& io, RequestPath& path) override;

 private:
  asio::awaitable<void> start_clients(asio::io_context& io, RequestPath& path);
  asio::awaitable<void> client(RequestPath& path, Slot& slot);
  asio::awaitable<void> pause(RequestPath& path, std::int64_t ns);
  asio::awaitable<void> watch_stage_end(asio::io_context& io, RequestPath& path);

  TicketSource& source_;
  std::size_t clients_;
  std::size_t running_ = 0;
};

}  // namespace llmbench
