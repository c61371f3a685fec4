#pragma once
// The state of one request from the moment a slot picks it: its envelope and
// encoder, its text and token schedule, its one timer, and what happened
// (for `timings`). Lives in the generating coroutine's frame.
#include <asio.hpp>

#include <cstdint>

#include "llmbench/mock/completion_request.hpp"
#include "llmbench/mock/events.hpp"
#include "llmbench/mock/schedule.hpp"
#include "llmbench/mock/slot_pool.hpp"
#include "llmbench/mock/state.hpp"

namespace llmbench::mock {

inline constexpr std::size_t kHugeEventBytes = 8u << 20;

// Faults that strike inside a stream (after `fault_after_tokens` tokens).
bool is_stream_fault(FaultMode f) noexcept;

// Where and when a slot picked the request.
struct Placement {
  int slot = 0;
  std::uint64_t task = 0;
  std::int64_t pick_ns = 0;
  asio::any_io_executor executor;
};

struct Generation {
  Generation(const CompletionRequest& request, ServerState& st, Placement at, FaultMode fault_mode);
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;
  // Records that token i was produced at t_ns.
  void produced(int i, std::int64_t t_ns) noexcept {
    if (i == 0) first_ns = t_ns;
    last_ns = t_ns;
  }
  // Ends the generation: frees the slot (llama-server frees it when the last
  // token is out, before the response is fully written), books the metrics
  // and returns what `timings`/`usage` report.
  Outcome finish(ServerState& st, bool count_tokens_now);
  [[nodiscard]] SlotView view() const;
  // Token i's text: the sampler's, or nothing for an end-of-sequence.
  Piece next_piece(int i) noexcept;

  const CompletionRequest& creq;
  SlotLease lease;
  Envelope env;
  EventEncoder enc;
  TextSampler text;
  TextSampler replay;        // `text` from its start: the generated ids the slot's cache keeps
  int cache_n = 0;           // prompt tokens the slot's cache already held (prompt cache)
  TokenSchedule schedule;    // after cache_n: only the uncached tokens delay the first
  asio::steady_timer timer;  // the stream's one timer, re-armed per token
  FaultMode fault;
  int slot;
  std::uint64_t task;
  int n_tokens = 0;
  int fault_at = -1;         // index of the token a mid-stream fault strikes before, or -1
  bool truncated = false;    // the slot's context, not max_tokens, ended it
  bool eos = false;          // the last token is end-of-sequence (no text): `empty_reply`, eos_after_tokens
  bool has_new_line = false;
  std::string batch;         // --tokens-per-event: the pending tokens' JSON text
  int batched = 0;           // tokens in `batch`
  int batch_first = 0;       // index of its first token
  std::int64_t pick_ns = 0;
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
};

// {"error":{"code":400,"message":"request (N tokens) exceeds the available
// context size (C tokens), try increasing it","type":"exceed_context_size_error",
// "n_prompt_tokens":N,"n_ctx":C}}
std::string context_error_body(int prompt_tokens, int n_ctx);

}  // namespace llmbench::mock
