#pragma once
// Multi-turn sessions (--turns): the history a session carries, and how a
// turn's request is made from it.
//
// Turn k of a session sends the whole conversation so far: the earlier turns
// as they were sent and the replies the server actually gave (not a
// dataset's recorded ones), then turn k. Every turn's request is built once,
// alone, when the plan is made (PromptItem.request); a session splices its
// history into it at a place found then (locate_session_splice), and fixes
// Content-Length. The replies are kept as the server's JSON string bodies,
// escapes and all, so nothing is unescaped or escaped again: a reply goes
// from the events into the next request as bytes.
//
// Chat: the history is the earlier turns' messages, each followed by an
// assistant message with its reply, put right after `"messages":[`. The
// others (completions, native): one prompt string, the earlier turns' text
// and replies joined by blank lines before this turn's text.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/protocol/api.hpp"

namespace llmbench {

// Fills item's history_at, own_* and length_* from its request. False when
// the request has no place for a history (no messages array or prompt
// string, or no Content-Length): that prompt cannot be a session's turn.
bool locate_session_splice(PromptItem& item, protocol::ApiFlavor flavor);

// Replies longer than this are cut in the history (the turn itself is
// measured whole): a bound on a session's memory, far above any real turn.
inline constexpr std::size_t kMaxReplyBytes = 1u << 20;

// The most turns a session has (--turns, and a dataset's conversations are
// cut there). An open loop's turn k of arrival i has request id
// i x kMaxSessionTurns + k - 1.
inline constexpr std::uint64_t kMaxSessionTurns = 256;

// One client's session: the turns it sent and what came back. Its buffers
// keep their capacity from session to session.
class SessionHistory {
 public:
  // A new session: no history.
  void reset() noexcept;
  // Where the turn in flight captures its reply (ResponseConsumer appends
  // the raw output strings of its events).
  std::string& reply() noexcept { return reply_; }
  // The turn in flight succeeded: it and its reply join the history, which
  // then keeps only its newest exchanges within `max_history_tokens` (0: all).
  // `tokens` is this exchange's size: the turn's own tokens and the reply's.
  void commit(std::uint32_t prompt, std::uint32_t tokens, std::uint32_t max_history_tokens);
  // Turn `prompt`'s request with this history, into `out` (its capacity is
  // reused). The plan's flavor decides the history's form.
  void build(const RunPlan& plan, std::uint32_t prompt, std::string& out);

  [[nodiscard]] std::size_t turns_kept() const noexcept { return kept_.size(); }
  [[nodiscard]] std::size_t turns_dropped() const noexcept { return dropped_; }

 private:
  struct Exchange {
    std::uint32_t prompt = 0;
    std::uint32_t tokens = 0;
    std::string reply;
  };
  std::vector<Exchange> kept_;
  std::string reply_;
  std::string history_;  // scratch for build()
  std::size_t dropped_ = 0;
};

// The tokens a turn's own text adds to a history: the plan's count when it
// has one, else about four bytes a token.
std::uint32_t own_tokens(const PromptItem& item) noexcept;

}  // namespace llmbench
