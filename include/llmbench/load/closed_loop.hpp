#pragma once
// Closed loop: C clients, each sending its next request as soon as its last
// one ended (spec mode is the closed loop of one client over a fixed list).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "llmbench/load/driver.hpp"
#include "llmbench/load/ticket.hpp"

namespace llmbench {

struct Slot;

class ClosedLoopDriver final : public Driver {
 public:
  ClosedLoopDriver(TicketSource& source, std::size_t clients) noexcept : source_(source), clients_(clients) {}
  // A concurrency ramp: client i joins at starts_ns[i] (the run's clock,
  // ascending); the ones due already start at once.
  ClosedLoopDriver(TicketSource& source, std::vector<std::int64_t> starts_ns) noexcept
      : source_(source), clients_(starts_ns.size()), starts_ns_(std::move(starts_ns)) {}
  void start(asio::io_context& io, RequestPath& path) override;
  void wake() noexcept override;

 private:
  asio::awaitable<void> start_clients(asio::io_context& io, RequestPath& path);
  asio::awaitable<void> client(RequestPath& path, Slot& slot);
  asio::awaitable<void> pause(RequestPath& path, std::int64_t ns);
  asio::awaitable<void> watch_stage_end(asio::io_context& io, RequestPath& path);

  TicketSource& source_;
  std::size_t clients_;
  std::vector<std::int64_t> starts_ns_;  // empty: every client at once
  std::unique_ptr<asio::steady_timer> join_;  // sleeps until a ramp's next client joins
  std::size_t running_ = 0;
};

}  // namespace llmbench
