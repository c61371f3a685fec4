#include "llmbench/load/session_runner.hpp"

#include <asio/experimental/as_tuple.hpp>

#include <algorithm>
#include <cmath>

#include "llmbench/load/request_path.hpp"
#include "llmbench/load/session.hpp"
#include "llmbench/util/clock.hpp"

namespace llmbench {

namespace {

constexpr std::int64_t kPauseSliceNs = 100'000'000;

std::int64_t draw_think_ns(const SessionPlan& sp, SplitMix64& rng) {
  if (sp.think_mean_s <= 0 && sp.think_stddev_s <= 0) return 0;
  const double s = sp.think_stddev_s > 0 ? sp.think_mean_s + sp.think_stddev_s * rng.normal() : sp.think_mean_s;
  return seconds_to_ns(std::max(0.0, s));
}

// Sleeps until `at_ns` in slices, so that the end of the run or the stage
// ends a think time within 100 ms. False: the session must end.
asio::awaitable<bool> pause_until(RequestPath& path, std::int64_t at_ns, const TurnTickets& more) {
  constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
  asio::steady_timer timer(path.io());
  for (;;) {
    const std::int64_t now = now_ns();
    if (path.cancelled() || more.over(now)) co_return false;
    if (now >= at_ns) co_return true;
    timer.expires_at(to_time_point(std::min(at_ns, now + kPauseSliceNs)));
    co_await timer.async_wait(use_tuple);
  }
}

}  // namespace

bool SourceTurns::next(Ticket& out, const Ticket&, std::uint16_t, std::int64_t) {
  if (!source_.next(out, now_ns())) return false;
  path_.counters().scheduled.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool SourceTurns::over(std::int64_t now) const { return source_.stopped() || source_.over(now); }

bool ArrivalTurns::next(Ticket& out, const Ticket& first, std::uint16_t turn, std::int64_t at_ns) {
  if (source_.stopped() || path_.cancelled()) return false;
  out = first;
  out.id = first.id * kMaxSessionTurns + (turn - 1u);
  out.intended_ns = at_ns;
  path_.counters().scheduled.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void ArrivalTurns::begin(Ticket& t) { t.id *= kMaxSessionTurns; }

bool ArrivalTurns::over(std::int64_t) const { return source_.stopped(); }

asio::awaitable<void> run_session(RequestPath& path, Slot& slot, const Ticket& first, TurnTickets& more) {
  const RunPlan& plan = path.plan();
  const SessionPlan& sp = *plan.session;
  const std::vector<std::uint32_t>& turns = sp.conversations[first.prompt % sp.conversations.size()];
  slot.history.reset();
  Ticket t = first;
  more.begin(t);
  for (std::size_t k = 0; k < turns.size() && k < kMaxSessionTurns; ++k) {
    const auto turn = static_cast<std::uint16_t>(k + 1);
    if (k > 0) {
      const std::int64_t think_ns = draw_think_ns(sp, slot.think_rng);
      const std::int64_t at = now_ns() + think_ns;
      if (!co_await pause_until(path, at, more) || !more.next(t, first, turn, at)) break;
      // The think time is the user's, not a delay of the client's own (an
      // open loop's turn has a due time to be late against instead).
      if (t.intended_ns >= 0) {
        slot.last_end_ns = -1;
      } else if (slot.last_end_ns >= 0) {
        slot.last_end_ns += think_ns;
      }
    }
    t.prompt = turns[k];
    t.session = static_cast<std::uint32_t>(first.id);
    t.turn = turn;
    co_await path.run(slot, t);
    if (!slot.rec.ok()) break;
    slot.history.commit(t.prompt, own_tokens(plan.prompts[t.prompt]) + slot.rec.completion_tokens,
                        sp.max_history_tokens);
  }
}

}  // namespace llmbench
