#pragma once
// The one request path every load mode feeds (STYLE.md: a mode is a
// schedule; there is one request path). One coroutine per request, on the
// worker's io_context: arm the watchdog, run the HTTP exchange (connection
// reuse and the resend policy are http's), classify how it ended, hand the
// request's samples and its record to the aggregator through the worker's
// rings. Nothing here locks; nothing allocates per token.
#include <asio.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "llmbench/http/connection.hpp"
#include "llmbench/http/exchange.hpp"
#include "llmbench/load/backoff.hpp"
#include "llmbench/http/rx_timestamp.hpp"
#include "llmbench/load/plan.hpp"
#include "llmbench/load/response_consumer.hpp"
#include "llmbench/load/session.hpp"
#include "llmbench/load/ticket.hpp"
#include "llmbench/load/watchdog.hpp"
#include "llmbench/protocol/event_decoder.hpp"
#include "llmbench/record/record.hpp"
#include "llmbench/record/spsc_ring.hpp"
#include "llmbench/util/realtime_offset.hpp"
#include "llmbench/util/splitmix64.hpp"

namespace llmbench {

// Resolved once per run and shared read-only by every worker.
struct RunContext {
  const RunPlan* plan = nullptr;
  asio::ip::tcp::resolver::results_type endpoints;
  asio::ssl::context* tls = nullptr;
};

// Written by one worker, read by the aggregator's progress and the engine.
struct WorkerCounters {
  std::atomic<std::uint64_t> ring_full_waits{0};
  std::atomic<std::uint64_t> connections_opened{0};
  std::atomic<std::uint64_t> in_flight{0};
  std::atomic<std::uint64_t> started{0};
  std::atomic<std::uint64_t> scheduled{0};  // tickets taken by this worker
  std::atomic<std::uint64_t> tokens{0};     // content events received (for progress)
  // Reads that returned bytes, by their timestamp's source, and connections
  // that asked for kernel stamps and were refused (--timestamps).
  std::atomic<std::uint64_t> kernel_stamped_reads{0};
  std::atomic<std::uint64_t> user_stamped_reads{0};
  std::atomic<std::uint64_t> unstamped_connections{0};
  // The worker thread's CPU time and wall time over the stage (written once,
  // when it ends): a worker near 100 % of a core is itself the bottleneck.
  std::atomic<std::int64_t> thread_cpu_ns{0};
  std::atomic<std::int64_t> thread_wall_ns{0};
};

// The worker's outputs: its two rings and its counters.
struct WorkerOutputs {
  SpscRing<RequestRecord>& records;
  SpscRing<StreamSample>& samples;
  WorkerCounters& counters;
};

class RequestPath;

// Everything one in-flight request needs, reused for every request the slot
// runs, so the request path allocates nothing once the slot exists.
struct Slot final : http::ResponseReader {
  Slot(RequestPath& path, std::uint64_t seed);
  void begin() override;
  bool on_read(std::string_view bytes, const char* readable_limit, std::int64_t t_ns, std::int64_t user_ns) override;
  [[nodiscard]] bool may_resend() const override;

  RequestPath& path;
  ResponseConsumer consumer;
  RequestRecord rec;
  Watchdog watchdog;
  std::unique_ptr<http::Connection> conn;
  // This request's samples, handed to the aggregator when it has ended (its
  // token reads only if it succeeded). The capacity is kept across requests.
  std::vector<StreamSample> staged;
  ReconnectBackoff backoff;  // this client's pause after a failed connect
  // Multi-turn sessions: the session this client is in, the request built
  // for its turn in flight, and its think times' draws.
  SessionHistory history;
  std::string session_request;
  SplitMix64 think_rng;
  std::int64_t last_end_ns = -1;  // closed loop: the previous request's end (turnaround), -1: none
  bool cancelled = false;
  bool active = false;
};

class RequestPath {
 public:
  RequestPath(const RunContext& ctx, std::uint32_t stage, asio::io_context& io, WorkerOutputs out);
  ~RequestPath();
  RequestPath(const RequestPath&) = delete;
  RequestPath& operator=(const RequestPath&) = delete;

  // Runs one ticket to its end and pushes its record.
  asio::awaitable<void> run(Slot& slot, const Ticket& t);
  // A ticket that never reached the request path (the run ended while it
  // waited for a free slot) is still accounted for, as cancelled.
  void push_unsent(const Ticket& t);

  // A new slot (closed loop: one per client).
  Slot& new_slot();
  // Open loop: a free slot, or a new one while fewer than `max_slots` exist
  // (0: no cap); null at the cap.
  Slot* take_slot(std::size_t max_slots);
  void release_slot(Slot& slot);

  // At the end of the schedule: what the cool-down started is cancelled.
  void cancel_cooldown();
  // Stop everything: in-flight requests end as cancelled.
  void cancel_all();
  [[nodiscard]] bool cancelled() const noexcept { return cancelled_; }
  void close_idle_connections() noexcept { pool_.close_all(); }

  WorkerCounters& counters() noexcept { return out_.counters; }
  [[nodiscard]] const RunPlan& plan() const noexcept { return plan_; }
  asio::io_context& io() noexcept { return exchange_.io; }

 private:
  friend struct Slot;
  void finish(Slot& slot, const http::ExchangeResult& r);
  [[nodiscard]] ErrorKind classify(const Slot& slot, const http::ExchangeResult& r) const noexcept;
  [[nodiscard]] std::string describe(const Slot& slot, const http::ExchangeResult& r) const;
  void release_connection(Slot& slot);
  void flush_samples(Slot& slot);
  void push_record(const RequestRecord& rec);
  void count_timestamps(const http::ExchangeResult& r);

  const RunContext& ctx_;
  const RunPlan& plan_;
  // Kernel timestamps: the kernel's stamping held on for this worker's life
  // (rx_timestamp.hpp says why it must be on before the first request).
  std::optional<http::RxStampingHold> stamping_;
  std::uint32_t stage_;
  WorkerOutputs out_;
  protocol::EventDecoder decoder_;    // one simdjson parser per thread
  std::vector<char> read_buffer_;     // shared by every plain-TCP stream of this worker
  RealtimeOffset clock_;              // maps this worker's kernel receive stamps onto the steady clock
  http::ConnectionPool pool_;
  http::ExchangeContext exchange_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> free_slots_;
  bool cancelled_ = false;
  bool cooldown_cancelled_ = false;
};

}  // namespace llmbench
