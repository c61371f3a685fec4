#pragma once
// One session on one client (--turns): its turns in order, each sent when
// the last reply has ended and the user's think time has passed. The client
// is held through the think time: in a closed loop, --concurrency C is C
// conversations; in an open loop each arrival begins one.
#include <asio.hpp>

#include <cstdint>

#include "llmbench/load/ticket.hpp"

namespace llmbench {

class RequestPath;
struct Slot;

// Where a session's later turns get their tickets.
class TurnTickets {
 public:
  virtual ~TurnTickets() = default;
  // The first turn's ticket is the one that began the session; this may
  // renumber it.
  virtual void begin(Ticket&) {}
  // The ticket for turn `turn` (2, 3, ...) of the session `first` began, due
  // at `at_ns`; false: the session ends before it.
  virtual bool next(Ticket& out, const Ticket& first, std::uint16_t turn, std::int64_t at_ns) = 0;
  // True once no more turns may be sent: a think time ends early then.
  [[nodiscard]] virtual bool over(std::int64_t now_ns) const = 0;
};

// Closed loop: each turn is a request of the stage like any other, taken
// from its source when it is due (counted, and in the window it starts in).
class SourceTurns final : public TurnTickets {
 public:
  SourceTurns(TicketSource& source, RequestPath& path) noexcept : source_(source), path_(path) {}
  bool next(Ticket& out, const Ticket& first, std::uint16_t turn, std::int64_t at_ns) override;
  [[nodiscard]] bool over(std::int64_t now_ns) const override;

 private:
  TicketSource& source_;
  RequestPath& path_;
};

// Open loop: the arrival is the session's; its later turns belong to the
// same window and are due a think time after the last reply, from when
// their lateness is measured. They stop when the run stops.
class ArrivalTurns final : public TurnTickets {
 public:
  ArrivalTurns(TicketSource& source, RequestPath& path) noexcept : source_(source), path_(path) {}
  void begin(Ticket& t) override;
  bool next(Ticket& out, const Ticket& first, std::uint16_t turn, std::int64_t at_ns) override;
  [[nodiscard]] bool over(std::int64_t now_ns) const override;

 private:
  TicketSource& source_;
  RequestPath& path_;
};

// Runs the session `first` begins (first.prompt picks the conversation):
// every turn, or until one fails (its history would be wrong) or the turns'
// source ends it.
asio::awaitable<void> run_session(RequestPath& path, Slot& slot, const Ticket& first, TurnTickets& more);

}  // namespace llmbench
