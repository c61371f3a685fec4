#include "llmbench/load/worker.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <thread>

#include "llmbench/util/clock.hpp"

namespace llmbench {

namespace {
constexpr std::size_t kReadBufferBytes = 64 * 1024;
constexpr std::size_t kPaddingBytes = 64;  // simdjson reads up to 64 bytes past a document
}  // namespace

// Everything one in-flight request needs, reused for every request the slot
// runs, so the request path allocates nothing once the slot exists.
struct Worker::Slot {
  Slot(Worker& w) : consumer(w.decoder_, w.plan_.max_event_bytes), watchdog(w.io_) {
    if (w.plan_.stamp_lag) consumer.record_delivery_lag(&w.delivery_lag_, &w.first_token_lag_);
  }
  ResponseConsumer consumer;
  RequestRecord rec;
  asio::steady_timer watchdog;
  std::unique_ptr<http::Connection> conn;
  // This request's inter-token gaps, handed to the aggregator only when it
  // succeeds (ITL then covers the same requests as TTFT and TPOT). The
  // capacity is kept across requests: no allocation once it has grown.
  std::vector<GapRecord> staged_gaps;
  std::uint64_t generation = 0;
  std::int64_t deadline_ns = 0;
  std::int64_t last_activity_ns = 0;
  bool timed_out = false;
  bool cancelled = false;
  bool active = false;
  const char* timeout_reason = "";
};

Worker::Worker(const RunContext& ctx, std::uint32_t stage, std::size_t ring_capacity)
    : ctx_(ctx),
      plan_(*ctx.plan),
      stage_(stage),
      records_(ring_capacity),
      gaps_(ring_capacity * 4),
      read_buffer_(kReadBufferBytes + kPaddingBytes) {}

Worker::~Worker() {
  slots_.clear();
  pool_.close_all();
}

void Worker::run_closed(TicketSource& source, int clients) {
  slots_.reserve(static_cast<std::size_t>(clients));
  clients_running_ = static_cast<std::size_t>(clients);
  for (int i = 0; i < clients; ++i) slots_.push_back(std::make_unique<Slot>(*this));
  asio::co_spawn(io_, start_clients(source), asio::detached);
  asio::co_spawn(io_, watch_stage_end(source), asio::detached);
  io_.run();
  pool_.close_all();
}

// Spawning every client at once would run all their first steps (request,
// socket, connect: ~30 us each) before the event loop looked at a socket
// again, so the first responses would wait behind the last clients' connects
// and be stamped late: 10 ms of TTFT error at 512 clients. In batches, with
// a turn of the loop between them, responses are read as they come.
asio::awaitable<void> Worker::start_clients(TicketSource& source) {
  constexpr std::size_t kBatch = 16;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    asio::co_spawn(io_, client_loop(source, *slots_[i]), asio::detached);
    if ((i + 1) % kBatch == 0) co_await asio::post(io_, asio::use_awaitable);
  }
}

void Worker::cancel() noexcept {
  cancelled_.store(true, std::memory_order_relaxed);
  // Closing sockets must happen on the worker's own thread.
  asio::post(io_, [this] {
    for (auto& s : slots_) {
      s->cancelled = true;
      if (s->conn) s->conn->close();
    }
    pool_.close_all();
    if (slot_freed_) slot_freed_->cancel();
    if (arrival_timer_) arrival_timer_->cancel();
  });
}

void Worker::cancel_phase(Phase phase) {
  // Once the schedule is over no request of the phase can start again: one
  // pass is enough (every client that finds the source empty would otherwise
  // walk every slot, quadratic at 10,000 clients).
  if (phase == Phase::cooldown) {
    if (cooldown_cancelled_) return;
    cooldown_cancelled_ = true;
  }
  for (auto& s : slots_) {
    if (!s->active || s->rec.phase != phase) continue;
    s->cancelled = true;
    if (s->conn) s->conn->close();
  }
}

asio::awaitable<void> Worker::client_loop(TicketSource& source, Slot& slot) {
  Ticket t;
  while (!cancelled_.load(std::memory_order_relaxed) && source.next(t, now_ns())) {
    counters_.scheduled.fetch_add(1, std::memory_order_relaxed);
    co_await run_request(slot, t);
  }
  // The schedule is over for everyone: cool-down requests still running on
  // other clients only kept the load up and are cancelled now.
  cancel_phase(Phase::cooldown);
  slot.watchdog.cancel();
  --clients_running_;
}

// A client only notices the end of the cool-down when its request ends; a
// long one would keep the stage alive. This wakes every 50 ms to cancel the
// cool-down's requests as soon as its time is up.
asio::awaitable<void> Worker::watch_stage_end(TicketSource& source) {
  constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
  asio::steady_timer timer(io_);
  while (clients_running_ > 0 && !cancelled_.load(std::memory_order_relaxed)) {
    if (source.over(now_ns())) {
      cancel_phase(Phase::cooldown);
      break;
    }
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(use_tuple);
  }
}

void Worker::run_open(const OpenSchedule& schedule, std::int64_t start_ns, std::size_t index, std::size_t workers,
                      std::size_t max_in_flight, std::size_t prompts) {
  slot_freed_ = std::make_unique<asio::steady_timer>(io_);
  arrival_timer_ = std::make_unique<asio::steady_timer>(io_);
  if (max_in_flight > 0) slots_.reserve(max_in_flight);
  asio::co_spawn(io_, open_loop(schedule, start_ns, index, workers, max_in_flight, prompts), asio::detached);
  io_.run();
  pool_.close_all();
}

// Sends each arrival at its intended time. A request that cannot start on
// time (the cap is reached, or this thread was busy) starts late but keeps
// its intended time: TTFT and E2E are also measured from it, free of
// coordinated omission, and the lag is recorded.
asio::awaitable<void> Worker::open_loop(const OpenSchedule& schedule, std::int64_t start_ns, std::size_t index,
                                        std::size_t workers, std::size_t max_in_flight, std::size_t prompts) {
  constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
  asio::steady_timer& timer = *arrival_timer_;
  const std::size_t n = schedule.at_ns.size();
  const auto stopping = [this] {
    return cancelled_.load(std::memory_order_relaxed) || stop_scheduling_.load(std::memory_order_relaxed);
  };
  for (std::size_t i = index; i < n && !stopping(); i += workers) {
    const std::int64_t intended = start_ns + schedule.at_ns[i];
    if (now_ns() < intended) {
      timer.expires_at(to_time_point(intended));
      co_await timer.async_wait(use_tuple);
      if (stopping()) break;
    }
    const Ticket t{i, static_cast<std::uint32_t>(i % (prompts ? prompts : 1)), schedule.phase_of(i), intended};
    counters_.scheduled.fetch_add(1, std::memory_order_relaxed);
    Slot* slot = co_await acquire_slot(max_in_flight);
    if (slot == nullptr) {
      push_unsent(t);
      continue;
    }
    slot->active = true;
    slot->rec.phase = t.phase;
    asio::co_spawn(io_, run_and_release(*slot, t), asio::detached);
  }
  cancel_phase(Phase::cooldown);
}

asio::awaitable<Worker::Slot*> Worker::acquire_slot(std::size_t max_in_flight) {
  constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
  for (;;) {
    if (cancelled_.load(std::memory_order_relaxed)) co_return nullptr;
    if (!free_slots_.empty()) {
      Slot* s = free_slots_.back();
      free_slots_.pop_back();
      co_return s;
    }
    if (max_in_flight == 0 || slots_.size() < max_in_flight) {
      slots_.push_back(std::make_unique<Slot>(*this));
      co_return slots_.back().get();
    }
    // At the cap: sleep until a request ends (release cancels the timer).
    slot_freed_->expires_at(asio::steady_timer::time_point::max());
    co_await slot_freed_->async_wait(use_tuple);
  }
}

asio::awaitable<void> Worker::run_and_release(Slot& slot, Ticket t) {
  co_await run_request(slot, t);
  slot.active = false;
  free_slots_.push_back(&slot);
  slot_freed_->cancel_one();
}

// A ticket that never reached the request path (the run ended while it
// waited for a free slot) is still accounted for, as cancelled.
void Worker::push_unsent(const Ticket& t) {
  RequestRecord rec;
  rec.request_id = t.id;
  rec.stage = stage_;
  rec.prompt = t.prompt;
  rec.phase = t.phase;
  rec.intended_ns = t.intended_ns;
  rec.error = ErrorKind::cancelled;
  rec.set_message("cancelled before it could be sent");
  rec.end_ns = now_ns();
  push_record(rec);
}

asio::awaitable<void> Worker::run_request(Slot& slot, const Ticket& t) {
  RequestRecord& rec = slot.rec;
  rec = RequestRecord{};
  rec.request_id = t.id;
  rec.stage = stage_;
  rec.prompt = t.prompt;
  rec.phase = t.phase;
  slot.active = true;
  rec.start_ns = now_ns();
  rec.intended_ns = t.intended_ns;  // -1 in closed loop: no schedule to be late against
  slot.deadline_ns = rec.start_ns + seconds_to_ns(plan_.timeout_s);
  slot.last_activity_ns = rec.start_ns;
  counters_.started.fetch_add(1, std::memory_order_relaxed);
  counters_.in_flight.fetch_add(1, std::memory_order_relaxed);
  arm_watchdog(slot);

  const PromptItem& prompt = plan_.prompts[t.prompt];
  // A kept-alive connection the server closed in the meantime fails before any
  // byte of a response; that request was never processed and is sent again on
  // a fresh connection (as curl does).
  const bool retry = co_await attempt(slot, prompt, true);
  if (retry) co_await attempt(slot, prompt, false);

  ++slot.generation;  // disarms the watchdog
  slot.watchdog.cancel();
  if (slot.cancelled && !slot.consumer.done()) slot.consumer.fail(ErrorKind::cancelled, "cancelled", now_ns());
  release_connection(slot);
  slot.active = false;
  counters_.in_flight.fetch_sub(1, std::memory_order_relaxed);
  flush_gaps(slot);  // before the record: the aggregator sees a request's gaps first
  push_record(rec);
}

// One try on one connection. Returns true when it should be retried.
asio::awaitable<bool> Worker::attempt(Slot& slot, const PromptItem& prompt, bool may_retry) {
  RequestRecord& rec = slot.rec;
  bool reused = false;
  if (!slot.conn && plan_.keepalive) {
    slot.conn = pool_.take();
    reused = slot.conn != nullptr;
  }
  slot.consumer.start(rec, plan_.stream);
  if (!slot.conn) {
    slot.conn = std::make_unique<http::Connection>(io_, ctx_.tls);
    counters_.connections_opened.fetch_add(1, std::memory_order_relaxed);
    const std::int64_t c0 = now_ns();
    const std::error_code ec = co_await slot.conn->connect(ctx_.endpoints, plan_.target.host);
    rec.connect_ns += now_ns() - c0;
    if (ec) {
      const ErrorKind k = slot.timed_out ? ErrorKind::timeout : slot.cancelled ? ErrorKind::cancelled : ErrorKind::connect;
      slot.consumer.fail(k, "connect to " + plan_.target.origin() + ": " + describe(slot, ec), now_ns());
      co_return false;
    }
  }
  rec.reused_connection = reused;
  rec.sent_ns = now_ns();
  if (const std::error_code ec = co_await slot.conn->write(prompt.request)) {
    if (reused && may_retry && !slot.cancelled && !slot.timed_out) {
      slot.conn.reset();
      co_return true;
    }
    slot.consumer.fail(classify(slot, ec), describe(slot, ec), now_ns());
    co_return false;
  }
  co_return co_await read_response(slot, reused && may_retry);
}

asio::awaitable<bool> Worker::read_response(Slot& slot, bool may_retry) {
  const std::span<char> buf(read_buffer_.data(), kReadBufferBytes);
  for (;;) {
    const http::ReadResult r = co_await slot.conn->read(buf);
    // The read's one timestamp: every event decoded from these bytes shares it.
    const std::int64_t t = now_ns();
    if (!r.ec) {
      slot.last_activity_ns = t;
      ReadTokens tokens;
      const ConsumeState st = slot.consumer.on_read(r.bytes, r.readable_limit, t, tokens);
      if (tokens.content_events > 0) stage_gap(slot, tokens);
      if (st == ConsumeState::done) co_return false;
    } else if (r.ec == asio::error::eof && !slot.timed_out && !slot.cancelled) {
      if (may_retry && slot.consumer.nothing_received()) {
        slot.conn.reset();
        co_return true;
      }
      slot.consumer.on_eof(t);
      co_return false;
    } else {
      if (may_retry && slot.consumer.nothing_received() && r.ec == asio::error::connection_reset &&
          !slot.timed_out && !slot.cancelled) {
        slot.conn.reset();
        co_return true;
      }
      slot.consumer.fail(classify(slot, r.ec), describe(slot, r.ec), t);
      co_return false;
    }
  }
}

std::string Worker::describe(const Slot& slot, const std::error_code& ec) const {
  if (slot.timed_out) return slot.timeout_reason;
  if (slot.cancelled) return "cancelled at the end of the run";
  return ec.message();
}

ErrorKind Worker::classify(const Slot& slot, const std::error_code& ec) const noexcept {
  if (slot.timed_out) return ErrorKind::timeout;
  if (slot.cancelled) return ErrorKind::cancelled;
  if (ec == asio::error::eof) return ErrorKind::incomplete;
  return ErrorKind::reset;
}

void Worker::release_connection(Slot& slot) {
  if (!slot.conn) return;
  if (plan_.keepalive && slot.consumer.reusable() && slot.rec.ok() && !slot.cancelled) {
    pool_.give_back(std::move(slot.conn));
    return;
  }
  slot.conn->close();
  slot.conn.reset();
}

// The watchdog sleeps until the earlier of the request's deadline and its idle
// deadline. Reads only store a timestamp; the timer is re-armed lazily when it
// wakes early, so there is no timer operation per read.
void Worker::arm_watchdog(Slot& slot) {
  ++slot.generation;
  slot.timed_out = false;
  slot.cancelled = cancelled_.load(std::memory_order_relaxed);
  const std::int64_t idle_ns = seconds_to_ns(plan_.idle_timeout_s);
  const std::int64_t first = idle_ns > 0 ? std::min(slot.deadline_ns, slot.last_activity_ns + idle_ns) : slot.deadline_ns;
  schedule_watchdog(slot, first);
}

void Worker::schedule_watchdog(Slot& slot, std::int64_t at_ns) {
  slot.watchdog.expires_at(to_time_point(at_ns));
  const std::uint64_t gen = slot.generation;
  slot.watchdog.async_wait([this, &slot, gen](const std::error_code& ec) {
    if (!ec) on_watchdog(slot, gen);
  });
}

void Worker::on_watchdog(Slot& slot, std::uint64_t generation) {
  if (generation != slot.generation) return;
  const std::int64_t now = now_ns();
  const std::int64_t idle_ns = seconds_to_ns(plan_.idle_timeout_s);
  const std::int64_t idle_at = idle_ns > 0 ? slot.last_activity_ns + idle_ns : slot.deadline_ns;
  const std::int64_t due = std::min(slot.deadline_ns, idle_at);
  if (now < due) {
    schedule_watchdog(slot, due);
    return;
  }
  slot.timed_out = true;
  slot.timeout_reason = now < slot.deadline_ns ? "no data within the idle timeout" : "request exceeded --timeout";
  if (slot.conn) slot.conn->close();
}

void Worker::stage_gap(Slot& slot, const ReadTokens& tokens) {
  counters_.tokens.fetch_add(tokens.content_events, std::memory_order_relaxed);
  if (slot.rec.phase != Phase::measured) return;  // only the measured window has statistics
  GapRecord g;
  g.stage = stage_;
  g.prompt = slot.rec.prompt;
  g.phase = slot.rec.phase;
  g.gap_ns = tokens.gap_ns;
  g.zero_gaps = tokens.content_events - 1;
  if (g.gap_ns < 0 && g.zero_gaps == 0) return;  // a lone first token: no gap yet
  slot.staged_gaps.push_back(g);
}

void Worker::flush_gaps(Slot& slot) {
  if (slot.rec.ok()) {
    for (const GapRecord& g : slot.staged_gaps) {
      while (!gaps_.try_push(g)) {
        counters_.ring_full_waits.fetch_add(1, std::memory_order_relaxed);
        std::this_thread::yield();
      }
    }
  }
  slot.staged_gaps.clear();
}

void Worker::push_record(const RequestRecord& rec) {
  while (!records_.try_push(rec)) {
    counters_.ring_full_waits.fetch_add(1, std::memory_order_relaxed);
    std::this_thread::yield();
  }
}

}  // namespace llmbench
