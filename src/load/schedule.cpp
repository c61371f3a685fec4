#include "llmbench/load/schedule.hpp"

#include <algorithm>
#include <utility>

#include "llmbench/load/arrivals.hpp"
#include "llmbench/load/ramp.hpp"
#include "llmbench/util/clock.hpp"

namespace llmbench {

StageWindows StageWindows::for_stage(const StagePlan& s, std::int64_t start_ns) {
  StageWindows w;
  w.start_ns = start_ns;
  w.warmup_end_ns = start_ns + seconds_to_ns(s.warmup_s);
  if (s.duration_s > 0) w.measured_end_ns = w.warmup_end_ns + seconds_to_ns(s.duration_s);
  w.cooldown_ns = seconds_to_ns(s.cooldown_s);
  return w;
}

ClosedLoopSource::ClosedLoopSource(const StageWindows& w, std::uint64_t measured_requests, std::size_t prompts)
    : w_(w), measured_limit_(measured_requests), prompts_(prompts == 0 ? 1 : prompts) {}

// The phase comes from when the ticket is taken: warm-up first, then the
// measured window until its time or its count runs out, then the cool-down,
// whose requests keep the server as loaded as before while the last measured
// requests finish.
bool ClosedLoopSource::next(Ticket& out, std::int64_t now) {
  if (stopped_.load(std::memory_order_relaxed)) return false;
  Phase phase;
  if (now < w_.warmup_end_ns) {
    phase = Phase::warmup;
  } else if (now < w_.measured_end_ns && measured_closed_ns_.load(std::memory_order_relaxed) == std::numeric_limits<std::int64_t>::max()) {
    phase = Phase::measured;
    if (measured_limit_ > 0) {
      const std::uint64_t n = measured_.fetch_add(1, std::memory_order_relaxed);
      if (n + 1 == measured_limit_) measured_closed_ns_.store(now, std::memory_order_relaxed);
      if (n >= measured_limit_) phase = Phase::cooldown;
    }
  } else {
    phase = Phase::cooldown;
  }
  if (phase == Phase::cooldown) {
    const std::int64_t closed = std::min(w_.measured_end_ns, measured_closed_ns_.load(std::memory_order_relaxed));
    if (now >= closed + w_.cooldown_ns || w_.cooldown_ns == 0) return false;
  }
  const std::uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  out = Ticket{id, static_cast<std::uint32_t>(id % prompts_), phase, -1};
  return true;
}

bool ClosedLoopSource::over(std::int64_t now) const {
  if (stopped_.load(std::memory_order_relaxed)) return true;
  const std::int64_t closed = std::min(w_.measured_end_ns, measured_closed_ns_.load(std::memory_order_relaxed));
  return closed != std::numeric_limits<std::int64_t>::max() && now >= closed + w_.cooldown_ns;
}

OpenSchedule make_open_schedule(const StagePlan& s, Arrival kind, double burstiness, std::uint64_t seed) {
  OpenSchedule o;
  const std::int64_t warmup_ns = seconds_to_ns(s.warmup_s);
  const std::int64_t cooldown_ns = seconds_to_ns(s.cooldown_s);
  std::int64_t until = 0;
  std::uint64_t max_count = 0;
  if (s.duration_s > 0) until = warmup_ns + seconds_to_ns(s.duration_s) + cooldown_ns;
  if (s.requests > 0 && s.duration_s <= 0) {
    // Count-bounded: draw enough for warm-up + N, then the cool-down by time.
    const double expected = s.rate_rps * (s.warmup_s + s.cooldown_s) + static_cast<double>(s.requests);
    max_count = static_cast<std::uint64_t>(expected * 1.5) + 64;
  }
  o.at_ns = s.ramp ? make_ramp_arrivals(kind, *s.ramp, burstiness, seed, s.warmup_s, s.duration_s, s.cooldown_s)
                   : make_arrivals(kind, s.rate_rps, burstiness, seed, until, max_count);
  const auto& a = o.at_ns;
  o.measured_begin = static_cast<std::size_t>(std::lower_bound(a.begin(), a.end(), warmup_ns) - a.begin());
  std::size_t end = a.size();
  if (s.duration_s > 0) {
    end = static_cast<std::size_t>(std::lower_bound(a.begin(), a.end(), warmup_ns + seconds_to_ns(s.duration_s)) - a.begin());
  }
  if (s.requests > 0) end = std::min<std::size_t>(end, o.measured_begin + s.requests);
  o.measured_end = std::min(end, a.size());
  // The cool-down lasts cooldown_s after the last measured arrival.
  if (o.measured_end > o.measured_begin && o.measured_end < a.size()) {
    const std::int64_t stop = a[o.measured_end - 1] + cooldown_ns;
    const auto last = std::upper_bound(a.begin() + static_cast<std::ptrdiff_t>(o.measured_end), a.end(), stop);
    o.at_ns.erase(cooldown_ns > 0 ? last : a.begin() + static_cast<std::ptrdiff_t>(o.measured_end), o.at_ns.end());
  }
  return o;
}

OpenSchedule make_trace_schedule(std::vector<std::int64_t> at_ns) {
  OpenSchedule o;
  o.at_ns = std::move(at_ns);
  o.measured_begin = 0;
  o.measured_end = o.at_ns.size();
  return o;
}

OpenLoopSource::OpenLoopSource(const OpenSchedule& schedule, std::int64_t start_ns, std::size_t index,
                               std::size_t workers, std::size_t prompts) noexcept
    : schedule_(schedule), start_ns_(start_ns), next_(index), stride_(workers == 0 ? 1 : workers),
      prompts_(prompts == 0 ? 1 : prompts) {}

bool OpenLoopSource::next(Ticket& out, std::int64_t) {
  const std::size_t i = next_;
  if (i >= schedule_.at_ns.size()) return false;
  next_ += stride_;
  out = Ticket{i, static_cast<std::uint32_t>(i % prompts_), schedule_.phase_of(i), start_ns_ + schedule_.at_ns[i]};
  return true;
}

bool OpenLoopSource::over(std::int64_t) const { return next_ >= schedule_.at_ns.size(); }

}  // namespace llmbench
