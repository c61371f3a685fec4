#include "llmbench/load/request_path.hpp"

#include <thread>

#include "llmbench/util/padding.hpp"
#include "llmbench/util/clock.hpp"

#include <spdlog/spdlog.h>

namespace llmbench {

namespace {
constexpr std::size_t kReadBufferBytes = 64 * 1024;

// Waits for the aggregator to make room: it drains every few milliseconds, so
// a full ring means a burst, and dropping a record would break accounting.
template <class T>
void push(SpscRing<T>& ring, const T& v, WorkerCounters& c) {
  while (!ring.try_push(v)) {
    c.ring_full_waits.fetch_add(1, std::memory_order_relaxed);
    std::this_thread::yield();
  }
}
}  // namespace

Slot::Slot(RequestPath& p, std::uint64_t seed)
    : path(p),
      consumer(p.decoder_, p.plan_.max_event_bytes),
      watchdog(
          p.exchange_.io,
          [this] {
            if (conn) conn->close();
          },
          [this] {
            if (conn) conn->wake_if_pending();
          }),
      backoff(seed),
      think_rng(seed ^ 0x7468696e6bull) {
  consumer.stage_samples(&staged, p.plan_.stamp_lag);
}

void Slot::begin() { consumer.start(rec, path.plan_.stream, path.plan_.flavor); }

bool Slot::on_read(std::string_view bytes, const char* readable_limit, std::int64_t t_ns, std::int64_t user_ns) {
  watchdog.touch(t_ns);
  ReadTokens tokens;
  const ConsumeState st = consumer.on_read(bytes, readable_limit, t_ns, tokens, user_ns);
  if (tokens.content_events > 0) path.counters().tokens.fetch_add(tokens.content_events, std::memory_order_relaxed);
  return st == ConsumeState::done;
}

bool Slot::may_resend() const { return consumer.nothing_received() && !watchdog.expired() && !cancelled; }

RequestPath::RequestPath(const RunContext& ctx, std::uint32_t stage, asio::io_context& io, WorkerOutputs out)
    : ctx_(ctx),
      plan_(*ctx.plan),
      stage_(stage),
      out_(out),
      read_buffer_(kReadBufferBytes + util::kJsonPaddingBytes),
      exchange_{io,
                ctx.tls,
                ctx_.endpoints,
                plan_.target.host,
                pool_,
                plan_.keepalive,
                std::span<char>(read_buffer_.data(), kReadBufferBytes),
                plan_.timestamps,
                &clock_} {
  if (plan_.timestamps == http::ReadTimestamps::kernel) stamping_.emplace();
}

RequestPath::~RequestPath() {
  slots_.clear();
  pool_.close_all();
}

Slot& RequestPath::new_slot() {
  slots_.push_back(std::make_unique<Slot>(*this, plan_.seed ^ (std::uint64_t{stage_} << 32) ^ slots_.size()));
  return *slots_.back();
}

// An open-loop slot serves arrivals, not one client: no turnaround.
Slot* RequestPath::take_slot(std::size_t max_slots) {
  if (!free_slots_.empty()) {
    Slot* s = free_slots_.back();
    free_slots_.pop_back();
    s->last_end_ns = -1;
    return s;
  }
  if (max_slots == 0 || slots_.size() < max_slots) return &new_slot();
  return nullptr;
}

void RequestPath::release_slot(Slot& slot) { free_slots_.push_back(&slot); }

void RequestPath::cancel_cooldown() {
  // Once the schedule is over no cool-down request can start again: one
  // pass is enough (every client that finds the source empty would otherwise
  // walk every slot, quadratic at 10,000 clients).
  if (cooldown_cancelled_) return;
  cooldown_cancelled_ = true;
  for (auto& s : slots_) {
    if (!s->active || s->rec.phase != Phase::cooldown) continue;
    s->cancelled = true;
    if (s->conn) s->conn->close();
  }
}

void RequestPath::cancel_all() {
  cancelled_ = true;
  for (auto& s : slots_) {
    s->cancelled = true;
    if (s->conn) s->conn->close();
  }
  pool_.close_all();
}

void RequestPath::push_unsent(const Ticket& t) {
  RequestRecord rec;
  rec.request_id = t.id;
  rec.stage = stage_;
  rec.prompt = t.prompt;
  rec.phase = t.phase;
  rec.intended_ns = t.intended_ns;
  rec.session = t.session;
  rec.turn = t.turn;
  rec.error = ErrorKind::cancelled;
  rec.set_message("cancelled before it could be sent");
  rec.end_ns = now_ns();
  push_record(rec);
}

asio::awaitable<void> RequestPath::run(Slot& slot, const Ticket& t) {
  RequestRecord& rec = slot.rec;
  rec = RequestRecord{};
  rec.request_id = t.id;
  rec.stage = stage_;
  rec.prompt = t.prompt;
  rec.phase = t.phase;
  rec.start_ns = now_ns();
  rec.intended_ns = t.intended_ns;  // -1 in closed loop: no schedule to be late against
  rec.session = t.session;
  rec.turn = t.turn;
  if (slot.last_end_ns >= 0) rec.turnaround_ns = rec.start_ns - slot.last_end_ns;
  slot.active = true;
  slot.cancelled = cancelled_;
  out_.counters.started.fetch_add(1, std::memory_order_relaxed);
  out_.counters.in_flight.fetch_add(1, std::memory_order_relaxed);
  slot.watchdog.arm(rec.start_ns, seconds_to_ns(plan_.timeout_s), seconds_to_ns(plan_.idle_timeout_s));

  std::string_view request = plan_.prompts[t.prompt].request;
  if (t.turn > 0) {
    slot.history.build(plan_, t.prompt, slot.session_request);
    request = slot.session_request;
  }
  slot.consumer.capture_reply(t.turn > 0 ? &slot.history.reply() : nullptr);
  const http::ExchangeResult r = co_await http::exchange(exchange_, slot.conn, request, slot);
  finish(slot, r);
}

// After the exchange: the record gets its times and, for an exchange that
// did not complete, the failure's kind.
void RequestPath::finish(Slot& slot, const http::ExchangeResult& r) {
  RequestRecord& rec = slot.rec;
  rec.connect_ns += r.connect_ns;
  rec.sent_ns = r.sent_ns;
  rec.reused_connection = r.reused;
  if (r.opened) {
    out_.counters.connections_opened.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("connection to {} {} in {:.2f} ms", plan_.target.origin(),
                  r.step == http::ExchangeStep::connect ? "failed" : "opened", static_cast<double>(r.connect_ns) / 1e6);
  }
  count_timestamps(r);
  slot.watchdog.disarm();
  const bool aborted = slot.watchdog.expired() || slot.cancelled;
  if (r.step == http::ExchangeStep::eof && !aborted) {
    slot.consumer.on_eof(r.t_ns);
  } else if (r.step != http::ExchangeStep::complete) {
    std::string why = describe(slot, r);
    if (r.step == http::ExchangeStep::connect) why = "connect to " + plan_.target.origin() + ": " + why;
    slot.consumer.fail(classify(slot, r), why, r.t_ns);
  }
  if (slot.cancelled && !slot.consumer.done()) slot.consumer.fail(ErrorKind::cancelled, "cancelled", now_ns());
  release_connection(slot);
  slot.active = false;
  out_.counters.in_flight.fetch_sub(1, std::memory_order_relaxed);
  flush_samples(slot);  // before the record: the aggregator sees a request's samples first
  push_record(rec);
  slot.last_end_ns = rec.end_ns;
}

std::string RequestPath::describe(const Slot& slot, const http::ExchangeResult& r) const {
  if (slot.watchdog.expired()) return slot.watchdog.reason();
  if (slot.cancelled) return "cancelled at the end of the run";
  return r.ec.message();
}

ErrorKind RequestPath::classify(const Slot& slot, const http::ExchangeResult& r) const noexcept {
  if (slot.watchdog.expired()) return ErrorKind::timeout;
  if (slot.cancelled) return ErrorKind::cancelled;
  if (r.step == http::ExchangeStep::connect) return ErrorKind::connect;
  if (r.ec == asio::error::eof) return ErrorKind::incomplete;
  return ErrorKind::reset;
}

void RequestPath::release_connection(Slot& slot) {
  if (!slot.conn) return;
  if (plan_.keepalive && slot.consumer.reusable() && slot.rec.ok() && !slot.cancelled) {
    pool_.give_back(std::move(slot.conn));
    return;
  }
  slot.conn->close();
  slot.conn.reset();
  spdlog::debug("connection to {} closed", plan_.target.origin());
}

// Every sample, once the request has ended: its outcome and its token count
// are known then. A read's tokens are what its events' usage added when every
// event carried one (continuous_usage_stats), else its events' share of the
// content events (the server's count spread evenly when one event carries
// several tokens).
void RequestPath::flush_samples(Slot& slot) {
  const RequestRecord& rec = slot.rec;
  const bool exact = rec.tokens_known_per_event();
  const double per_event = rec.content_events > 0 && rec.completion_tokens > 0
                               ? static_cast<double>(rec.completion_tokens) / static_cast<double>(rec.content_events)
                               : 1.0;
  for (StreamSample s : slot.staged) {
    s.ok = rec.ok();
    if (s.kind == SampleKind::token_read && !exact) s.tokens = static_cast<double>(s.count) * per_event;
    push(out_.samples, s, out_.counters);
  }
  slot.staged.clear();
}

void RequestPath::push_record(const RequestRecord& rec) { push(out_.records, rec, out_.counters); }

// Once per request, not per read: the exchange counted its reads.
void RequestPath::count_timestamps(const http::ExchangeResult& r) {
  WorkerCounters& c = out_.counters;
  if (r.kernel_stamped_reads) c.kernel_stamped_reads.fetch_add(r.kernel_stamped_reads, std::memory_order_relaxed);
  if (r.user_stamped_reads) c.user_stamped_reads.fetch_add(r.user_stamped_reads, std::memory_order_relaxed);
  if (r.unstamped_connections) c.unstamped_connections.fetch_add(r.unstamped_connections, std::memory_order_relaxed);
}

}  // namespace llmbench
