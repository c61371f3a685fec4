// The completion endpoints of a Session: queueing for a slot, the prompt
// delay, then tokens on an absolute schedule, streamed or as one body.
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <variant>

#include "llmbench/mock/generation.hpp"
#include "llmbench/mock/router.hpp"
#include "llmbench/mock/session.hpp"
#include "llmbench/mock/wire.hpp"
#include "llmbench/util/clock.hpp"

namespace llmbench::mock {

using namespace asio::experimental::awaitable_operators;

namespace {
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

bool is_pre_slot_fault(FaultMode f) noexcept {
  return f == FaultMode::http_500 || f == FaultMode::http_503 || f == FaultMode::http_429 ||
         f == FaultMode::no_response || f == FaultMode::garbage || f == FaultMode::html_200;
}
}  // namespace

asio::awaitable<After> Session::serve_completion(Api api, const Request& req, bool keep) {
  const FaultMode fault = st_.next_completion_fault();
  if (is_pre_slot_fault(fault)) co_return co_await fault_before_slot(fault, req, keep);
  dribble_ = fault == FaultMode::dribble;
  const ParsedCompletion parsed = parse_completion(api, req.body);
  if (parsed.error) co_return co_await send_error(*parsed.error, req, keep);
  if (const auto refused = route_model(st_.models, parsed.request.model)) {
    co_return co_await send_error(*refused, req, keep);
  }
  auto r = co_await (generate(parsed.request, req, fault, keep) || watch_peer());
  if (r.index() == 0) co_return std::get<0>(r);
  // The watcher won: the client left (or a fault of ours closed the socket
  // just before the generation returned).
  if (!sock_.is_open()) co_return After::drop;
  st_.counters.client_disconnects.fetch_add(1, std::memory_order_relaxed);
  co_return After::close;
}

// llama-server checks the prompt against the slot's context when a slot
// launches the task, so an oversized prompt waits its turn like any other and
// gets a plain JSON 400 even with stream:true (no stream has started yet).
asio::awaitable<After> Session::generate(const CompletionRequest& creq, const Request& req, FaultMode fault,
                                         bool keep) {
  const int slot = co_await st_.pool.acquire(creq.prompt_ids);
  if (slot < 0) co_return After::close;
  const Placement at{slot, st_.next_task(), now_ns(), sock_.get_executor()};
  if (creq.prompt_tokens >= st_.cfg.n_ctx_slot) {
    SlotLease lease(st_.pool, slot);
    lease.release();
    co_return co_await send_json(400, context_error_body(creq.prompt_tokens, st_.cfg.n_ctx_slot), req, keep);
  }
  Generation g(creq, st_, at, fault);
  st_.pool.describe(slot, g.view());
  if (creq.stream) co_return co_await stream(g, req, keep);
  co_return co_await respond_whole(g, req, keep);
}

// Headers go out as soon as the slot picks the request (before the prompt is
// processed), then one chunk per token, each written the moment it is due.
asio::awaitable<After> Session::stream(Generation& g, const Request& req, bool keep) {
  out_.clear();
  wire::append_stream_head(out_, head_options(req, keep));
  if (co_await send(out_)) co_return After::drop;
  st_.counters.requests_streamed.fetch_add(1, std::memory_order_relaxed);
  if (g.fault == FaultMode::stall_after_headers) {
    co_await wait_peer_gone();
    co_return After::close;
  }
  for (int i = 0; i < g.n_tokens; ++i) {
    if (co_await wait_until(g.timer, g.schedule.next_due_ns())) co_return After::drop;
    if (i == g.fault_at) {
      if (const auto after = co_await fault_midstream(g)) co_return *after;
    }
    g.produced(i, now_ns());
    const Piece piece = g.next_piece(i);
    g.has_new_line = g.has_new_line || piece.text == "\n";
    // --tokens-per-event K: K tokens' text in one event (as vLLM's stream
    // interval or speculative decoding send them), never one that mixes
    // reasoning and content.
    if (g.batched == 0) g.batch_first = i;
    g.batch.append(piece.json);
    ++g.batched;
    const bool kind_ends = i + 1 == st_.cfg.reasoning_tokens;
    if (g.batched < st_.cfg.tokens_per_event && i + 1 < g.n_tokens && !kind_ends) continue;
    out_.clear();
    g.enc.token_chunk(out_, Piece{piece.text, g.batch, piece.id}, g.batch_first, i + 1);
    if (co_await send(out_)) co_return After::drop;
    st_.count_tokens(static_cast<std::uint64_t>(g.batched), st_.pool.busy());
    st_.pool.set_decoded(g.slot, i + 1);
    g.batch.clear();
    g.batched = 0;
  }
  const Outcome o = g.finish(st_, false);
  out_.clear();
  g.enc.final_chunks(out_, o);
  if (co_await send(out_)) co_return After::drop;
  // llama-server advertises keep-alive on streams, then closes anyway.
  co_return st_.cfg.close_after_stream || !keep ? After::close : After::keep;
}

// Non-streamed: the same schedule, observed at its first and last token only
// (the timings must still report what happened), then one body.
asio::awaitable<After> Session::respond_whole(Generation& g, const Request& req, bool keep) {
  if (co_await wait_until(g.timer, g.schedule.next_due_ns())) co_return After::drop;
  g.produced(0, now_ns());
  std::int64_t last_due = 0;
  for (int i = 1; i < g.n_tokens; ++i) last_due = g.schedule.next_due_ns();
  if (g.n_tokens > 1) {
    if (co_await wait_until(g.timer, last_due)) co_return After::drop;
    g.produced(g.n_tokens - 1, now_ns());
  }
  std::string content;
  for (int i = 0; i < g.n_tokens; ++i) {
    const Piece piece = g.next_piece(i);
    content += piece.json;
    g.has_new_line = g.has_new_line || piece.text == "\n";
  }
  st_.pool.set_decoded(g.slot, g.n_tokens);
  const Outcome o = g.finish(st_, true);
  std::string body;
  g.enc.body(body, content, o);
  if (g.fault != FaultMode::none && g.fault != FaultMode::dribble) {
    co_return co_await fault_whole(g, o, req, keep, body);
  }
  co_return co_await send_json(200, body, req, keep);
}

// The schedule is absolute: a token already due is written at once, without
// a trip through the timer queue.
asio::awaitable<std::error_code> Session::wait_until(asio::steady_timer& timer, std::int64_t due_ns) {
  if (now_ns() >= due_ns) co_return std::error_code{};
  timer.expires_at(to_time_point(due_ns));
  auto [ec] = co_await timer.async_wait(use_tuple);
  co_return ec;
}

}  // namespace llmbench::mock
