// The embeddings and rerank endpoints of a Session: a slot, the prompt
// processing time, one JSON body.
#include "llmbench/mock/retrieval.hpp"
#include "llmbench/mock/router.hpp"
#include "llmbench/mock/schedule.hpp"
#include "llmbench/mock/session.hpp"
#include "llmbench/util/clock.hpp"

namespace llmbench::mock {

// Like llama-server, the request waits for a free slot (--parallel), then the
// model reads every input token at --mock-prompt-tps; there is no first
// token, so the body leaves when the reading is done. The prompt cache does
// not apply (llama-server evaluates embeddings inputs whole).
asio::awaitable<After> Session::serve_retrieval(RetrievalKind kind, const Request& req, bool keep) {
  const RetrievalRequest r = parse_retrieval(kind, req.body);
  if (r.error) co_return co_await send_error(*r.error, req, keep);
  if (const auto refused = route_model(st_.models, r.model)) co_return co_await send_error(*refused, req, keep);
  const int slot = co_await st_.pool.acquire();
  if (slot < 0) co_return After::close;
  SlotLease lease(st_.pool, slot);
  const int tokens = r.prompt_tokens();
  SlotView view;  // what GET /slots shows while the input is read
  view.used = true;
  view.is_processing = true;
  view.id_task = static_cast<std::int64_t>(st_.next_task());
  view.n_prompt_tokens = tokens;
  view.n_remain = 0;
  st_.pool.describe(slot, view);
  const std::int64_t start_ns = now_ns();
  asio::steady_timer timer(sock_.get_executor());
  if (co_await wait_until(timer, start_ns + prompt_delay_ns(tokens, st_.cfg.prompt_tps, 0.0))) co_return After::drop;
  lease.release();
  st_.counters.prompt_tokens.fetch_add(static_cast<std::uint64_t>(tokens), std::memory_order_relaxed);
  st_.counters.prompt_us.fetch_add(static_cast<std::uint64_t>((now_ns() - start_ns) / 1000), std::memory_order_relaxed);
  std::string body;
  append_retrieval_body(body, r, st_.models.empty() ? std::string_view(model_id(st_.cfg)) : r.model, st_.cfg.seed);
  co_return co_await send_json(200, body, req, keep);
}

}  // namespace llmbench::mock
