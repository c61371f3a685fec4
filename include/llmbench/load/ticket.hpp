#pragma once
// Tickets: what a schedule hands to the request path, one per request.
#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "llmbench/record/record.hpp"

namespace llmbench {

struct Ticket {
  std::uint64_t id = 0;
  std::uint32_t prompt = 0;
  Phase phase = Phase::measured;
  std::int64_t intended_ns = -1;  // open loop: when it should be sent; -1: now
  // A session's turn (plan.session set): `prompt` is then the turn's own
  // prompt, the session is the id of its first ticket, turns count from 1.
  std::uint32_t session = 0;
  std::uint16_t turn = 0;
};

// Supplies one worker's tickets. Called on that worker's thread only; sources
// shared between workers coordinate through atomics, never locks.
class TicketSource {
 public:
  virtual ~TicketSource() = default;
  // False when the schedule is exhausted (or the run is stopping).
  virtual bool next(Ticket& out, std::int64_t now_ns) = 0;
  // True once no ticket will be handed out any more (the cool-down is over).
  virtual bool over(std::int64_t now_ns) const = 0;
  // True once the run is stopping (an interrupt): a ticket taken earlier but
  // not yet sent (the open loop waits for its intended time) is dropped.
  [[nodiscard]] virtual bool stopped() const noexcept { return false; }
  // Closed-loop sessions: how many sessions began on this source before
  // this one, whichever worker begins it. A session's conversation is this
  // count modulo their number: its turns take tickets too, so the ticket's
  // own prompt index would skip conversations.
  std::uint64_t begin_session() noexcept { return sessions_.fetch_add(1, std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> sessions_{0};
};

// A fixed list handed out in order (spec mode: per prompt, its warm-up then
// its runs). `before_measured`, when set, runs on the taking thread before
// each measured ticket is handed out (spec mode's --erase-slots: one client,
// nothing in flight then), and is not part of any request's time.
class ListSource final : public TicketSource {
 public:
  explicit ListSource(std::vector<Ticket> tickets, std::function<void()> before_measured = {})
      : tickets_(std::move(tickets)), before_measured_(std::move(before_measured)) {}
  bool next(Ticket& out, std::int64_t) override {
    const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed);
    if (i >= tickets_.size()) return false;
    out = tickets_[i];
    if (before_measured_ && out.phase == Phase::measured) before_measured_();
    return true;
  }
  bool over(std::int64_t) const override { return next_.load(std::memory_order_relaxed) >= tickets_.size(); }
  // Tickets handed out so far.
  [[nodiscard]] std::size_t taken() const noexcept {
    const std::size_t n = next_.load(std::memory_order_relaxed);
    return n < tickets_.size() ? n : tickets_.size();
  }

 private:
  std::vector<Ticket> tickets_;
  std::function<void()> before_measured_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace llmbench
