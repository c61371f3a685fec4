#pragma once
// A worker thread: one io_context, its streams, its rings. Nothing on its I/O
// path is shared with another thread except the rings' indices.
#include <asio.hpp>
#include <asio/ssl.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "llmbench/http/connection.hpp"
#include "llmbench/load/plan.hpp"
#include "llmbench/load/response_consumer.hpp"
#include "llmbench/load/schedule.hpp"
#include "llmbench/load/ticket.hpp"
#include "llmbench/protocol/event_decoder.hpp"
#include "llmbench/record/record.hpp"
#include "llmbench/record/spsc_ring.hpp"
#include "llmbench/stats/histogram.hpp"

namespace llmbench {

// Resolved once per run and shared read-only by every worker.
struct RunContext {
  const RunPlan* plan = nullptr;
  asio::ip::tcp::resolver::results_type endpoints;
  asio::ssl::context* tls = nullptr;
};

struct WorkerCounters {
  std::atomic<std::uint64_t> ring_full_waits{0};
  std::atomic<std::uint64_t> connections_opened{0};
  std::atomic<std::uint64_t> in_flight{0};
  std::atomic<std::uint64_t> started{0};
  std::atomic<std::uint64_t> scheduled{0};  // tickets taken by this worker
  std::atomic<std::uint64_t> tokens{0};     // content events received (for progress)
};

class Worker {
 public:
  Worker(const RunContext& ctx, std::uint32_t stage, std::size_t ring_capacity);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs `clients` closed-loop clients pulling from `source` until it is
  // exhausted; blocks the calling thread (the worker's own).
  void run_closed(TicketSource& source, int clients);
  // Runs this worker's share of an open-loop schedule (arrivals i with
  // i % workers == index), at most `max_in_flight` at once (0: unbounded).
  void run_open(const OpenSchedule& schedule, std::int64_t start_ns, std::size_t index, std::size_t workers,
                std::size_t max_in_flight, std::size_t prompts);
  // From any thread: stop taking tickets and cancel what is in flight.
  void cancel() noexcept;
  // From any thread: the open loop sends nothing more; in-flight requests go on.
  void stop_scheduling() noexcept { stop_scheduling_.store(true, std::memory_order_relaxed); }

  SpscRing<RequestRecord>& records() noexcept { return records_; }
  SpscRing<GapRecord>& gaps() noexcept { return gaps_; }
  const WorkerCounters& counters() const noexcept { return counters_; }
  // --stamp-lag: every stamped event's delivery lag, and each response's
  // first content event's (ns); read after run_*().
  const stats::Histogram& delivery_lag() const noexcept { return delivery_lag_; }
  const stats::Histogram& first_token_lag() const noexcept { return first_token_lag_; }

 private:
  struct Slot;
  asio::awaitable<void> start_clients(TicketSource& source);
  asio::awaitable<void> client_loop(TicketSource& source, Slot& slot);
  asio::awaitable<void> watch_stage_end(TicketSource& source);
  asio::awaitable<void> open_loop(const OpenSchedule& schedule, std::int64_t start_ns, std::size_t index,
                                  std::size_t workers, std::size_t max_in_flight, std::size_t prompts);
  asio::awaitable<void> run_and_release(Slot& slot, Ticket t);
  asio::awaitable<Slot*> acquire_slot(std::size_t max_in_flight);
  void push_unsent(const Ticket& t);
  // At the end of the schedule: what the cool-down started is cancelled.
  void cancel_phase(Phase phase);
  asio::awaitable<void> run_request(Slot& slot, const Ticket& t);
  asio::awaitable<bool> attempt(Slot& slot, const PromptItem& prompt, bool may_retry);
  asio::awaitable<bool> read_response(Slot& slot, bool may_retry);
  void arm_watchdog(Slot& slot);
  void schedule_watchdog(Slot& slot, std::int64_t at_ns);
  void on_watchdog(Slot& slot, std::uint64_t generation);
  void release_connection(Slot& slot);
  void stage_gap(Slot& slot, const ReadTokens& tokens);
  void flush_gaps(Slot& slot);
  void push_record(const RequestRecord& rec);
  ErrorKind classify(const Slot& slot, const std::error_code& ec) const noexcept;
  std::string describe(const Slot& slot, const std::error_code& ec) const;

  const RunContext& ctx_;
  const RunPlan& plan_;
  std::uint32_t stage_;
  SpscRing<RequestRecord> records_;
  SpscRing<GapRecord> gaps_;
  WorkerCounters counters_;
  protocol::EventDecoder decoder_;       // one simdjson parser per thread
  stats::Histogram delivery_lag_;
  stats::Histogram first_token_lag_;
  std::vector<char> read_buffer_;        // shared by every plain-TCP stream of this worker
  // Declared before what uses it: sockets and timers must die before their
  // io_context, and its pending handlers (which point into slots) are then
  // destroyed without running.
  // Run by this worker's thread alone; other threads only post() to it (the
  // scheduler keeps its lock), so the reactor's per-socket locks, taken a few
  // times per token, are left out.
  asio::io_context io_{ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  http::ConnectionPool pool_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> free_slots_;          // open loop: slots not running a request
  std::unique_ptr<asio::steady_timer> slot_freed_;  // open loop: wakes a scheduler waiting for a slot
  std::unique_ptr<asio::steady_timer> arrival_timer_;  // open loop: sleeps until the next arrival
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> stop_scheduling_{false};
  bool cooldown_cancelled_ = false;  // cancel_phase(cooldown) has run
  std::size_t clients_running_ = 0;
};

}  // namespace llmbench
