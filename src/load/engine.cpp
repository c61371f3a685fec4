#include "llmbench/load/engine.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include "llmbench/load/closed_loop.hpp"
#include "llmbench/load/open_loop.hpp"
#include "llmbench/load/ramp.hpp"
#include "llmbench/load/schedule.hpp"
#include "llmbench/load/shard.hpp"
#include "llmbench/load/sweep.hpp"
#include "llmbench/util/clock.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace llmbench {

namespace {
constexpr std::size_t kSpecRingCapacity = 256;
constexpr std::size_t kLoadRingCapacity = 4096;

// Closes the gate on a ticket source when the run is interrupted: nothing
// new starts, what is in flight goes on until the grace period ends.
class GatedSource final : public TicketSource {
 public:
  GatedSource(TicketSource& inner, const std::atomic<bool>& closed) : inner_(inner), closed_(closed) {}
  bool next(Ticket& out, std::int64_t now) override { return !stopped() && inner_.next(out, now); }
  bool over(std::int64_t now) const override { return stopped() || inner_.over(now); }
  bool stopped() const noexcept override { return closed_.load(std::memory_order_relaxed); }

 private:
  TicketSource& inner_;
  const std::atomic<bool>& closed_;
};

// What a load ticket's prompt picks: a prompt, or with --turns a
// conversation (whose turns then pick their prompts).
std::size_t ticket_prompts(const RunPlan& plan) {
  return plan.session ? plan.session->conversations.size() : plan.prompts.size();
}

std::size_t worker_count(const RunPlan& plan, const StagePlan& stage) {
  if (stage.mode == LoadMode::spec) return 1;
  const std::size_t want = plan.threads > 0 ? static_cast<std::size_t>(plan.threads) : default_workers(stage, std::thread::hardware_concurrency());
  // Never more threads than clients in a closed loop: an idle thread costs a core.
  if (stage.mode == LoadMode::closed) return std::min(want, static_cast<std::size_t>(std::max(1, stage.concurrency)));
  return want;
}
// A finished worker's counters, added to its stage's result.
void add_counters(StageResult& result, const WorkerCounters& c) {
  result.scheduled += c.scheduled.load();
  result.ring_full_waits += c.ring_full_waits.load();
  result.connections_opened += c.connections_opened.load();
  result.kernel_stamped_reads += c.kernel_stamped_reads.load();
  result.user_stamped_reads += c.user_stamped_reads.load();
  result.unstamped_connections += c.unstamped_connections.load();
  const std::int64_t wall = c.thread_wall_ns.load();
  if (wall > 0) {
    const double share = static_cast<double>(c.thread_cpu_ns.load()) / static_cast<double>(wall);
    result.worker_cpu_share_max = std::max(result.worker_cpu_share_max, share);
  }
}

// The rules the client itself broke in this stage (stats/client_limits.hpp).
void judge_client(StageResult& result, const stats::ClientLimits& limits) {
  stats::ClientLoad load;
  load.overall = &result.overall;
  load.open_loop = result.plan.mode == LoadMode::open;
  load.closed_loop = result.plan.mode == LoadMode::closed;
  load.capped = result.plan.max_concurrency > 0;
  load.worker_cpu_share_max = result.worker_cpu_share_max;
  result.client_limited_reasons = stats::client_limited_reasons(load, limits);
  for (const auto& r : result.client_limited_reasons) spdlog::debug("stage {}: client limited: {}", result.plan.label, r.message);
}

}  // namespace

// The default worker count (--threads 0): the fewest workers that each stay
// under the client's own limits (stats/client_limits.hpp), from what one
// worker was measured to carry on one core (bench/RESULTS.md, round 3): about
// 1,000 streams at 50 tokens/s each (50,000 tokens/s, ~0.7 of a core), and
// 5,000 requests/s opened and answered without streaming at schedule lag p99
// 0.15 ms. More threads than that only take cores from a server on the same
// host. A stage that still overloads its workers says so (client_limited:
// worker_cpu, read_lag), and --threads overrides.
namespace {
constexpr double kStreamsPerWorker = 1000;
constexpr double kRequestsPerSecondPerWorker = 5000;
}  // namespace

std::size_t default_workers(const StagePlan& stage, std::size_t cores) {
  double want = 1;
  if (stage.mode == LoadMode::closed) want = stage.concurrency / kStreamsPerWorker;
  if (stage.mode == LoadMode::open) {
    want = std::max(stage.rate_rps / kRequestsPerSecondPerWorker, stage.max_concurrency / kStreamsPerWorker);
  }
  return std::clamp(static_cast<std::size_t>(std::ceil(want)), std::size_t{1}, std::max<std::size_t>(cores, 1));
}

// Each prompt's warm-up comes right before its own runs, not once for the
// whole list: llama-server keeps the last prompt of a slot in its prompt
// cache, so with one warm-up overall the first run of every other prompt
// evaluated its whole prompt and the later runs only the last token (TTFT
// 60-108 ms against 9-11 ms, a CV of 7-12 % on a quiet machine). Warmed up
// this way, every measured run of a prompt meets the same cache.
std::vector<Ticket> spec_tickets(std::size_t prompts, int runs, int warmup_per_prompt) {
  std::vector<Ticket> t;
  std::uint64_t id = 0;
  for (std::size_t p = 0; p < prompts; ++p) {
    const auto prompt = static_cast<std::uint32_t>(p);
    for (int w = 0; w < warmup_per_prompt; ++w) t.push_back(Ticket{id++, prompt, Phase::warmup, -1});
    for (int r = 0; r < runs; ++r) t.push_back(Ticket{id++, prompt, Phase::measured, -1});
  }
  return t;
}

// A stage's schedule, as ticket sources and one driver per worker. Spec
// mode is the closed loop of one client over a fixed list; a closed loop
// shares one source between its workers; an open loop gives each worker its
// share of the arrivals.
struct Engine::StageRig {
  StageRig(const RunPlan& plan, const StagePlan& stage, std::uint32_t index, std::size_t workers,
           const std::atomic<bool>& gate, const StageWindows& w, const std::function<void()>& before_measured)
      : windows(w),
        list(stage.mode == LoadMode::spec ? spec_tickets(plan.prompts.size(), stage.runs, stage.warmup_requests)
                                          : std::vector<Ticket>{},
             stage.mode == LoadMode::spec ? before_measured : std::function<void()>{}),
        closed(windows, stage.requests, ticket_prompts(plan)) {
    if (stage.mode == LoadMode::open) {
      schedule = plan.trace ? make_trace_schedule(plan.trace->at_ns)
                            : make_open_schedule(stage, plan.arrival, plan.burstiness, plan.seed + index);
    }
    TicketSource& shared = stage.mode == LoadMode::spec ? static_cast<TicketSource&>(list) : closed;
    for (std::size_t i = 0; i < workers; ++i) {
      if (stage.mode != LoadMode::open) {
        if (i == 0) gated.push_back(std::make_unique<GatedSource>(shared, gate));
        if (stage.mode == LoadMode::closed && stage.ramp) {
          drivers.push_back(std::make_unique<ClosedLoopDriver>(*gated.front(), ramp_starts(stage, i, workers)));
          continue;
        }
        const std::size_t clients = stage.mode == LoadMode::spec ? 1 : share(static_cast<std::size_t>(stage.concurrency), workers, i);
        drivers.push_back(std::make_unique<ClosedLoopDriver>(*gated.front(), clients));
        continue;
      }
      const ArrivalSlice slice = open_arrivals(plan.shard, i, workers);
      open.push_back(std::make_unique<OpenLoopSource>(schedule, windows.start_ns, slice.first, slice.stride,
                                                      ticket_prompts(plan)));
      gated.push_back(std::make_unique<GatedSource>(*open.back(), gate));
      const std::size_t cap = stage.max_concurrency > 0
                                  ? std::max<std::size_t>(1, share(static_cast<std::size_t>(stage.max_concurrency), workers, i))
                                  : 0;
      drivers.push_back(std::make_unique<OpenLoopDriver>(*gated.back(), cap));
    }
  }

  // A concurrency ramp's clients dealt round-robin to the workers, each
  // joining at its time on the run's clock.
  std::vector<std::int64_t> ramp_starts(const StagePlan& stage, std::size_t worker, std::size_t workers) const {
    const std::vector<std::int64_t> all = ramp_client_starts(*stage.ramp, stage.warmup_s, stage.duration_s);
    std::vector<std::int64_t> mine;
    for (std::size_t k = worker; k < all.size(); k += workers) mine.push_back(windows.start_ns + all[k]);
    return mine;
  }

  StageWindows windows;
  ListSource list;
  ClosedLoopSource closed;
  OpenSchedule schedule;
  std::vector<std::unique_ptr<OpenLoopSource>> open;
  std::vector<std::unique_ptr<GatedSource>> gated;
  std::vector<std::unique_ptr<Driver>> drivers;
};

Engine::Engine(const RunPlan& plan) : plan_(plan), run_start_ns_(now_ns()) { ctx_.plan = &plan_; }

Status Engine::prepare() {
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  std::error_code ec;
  ctx_.endpoints = resolver.resolve(plan_.target.host, std::to_string(plan_.target.port), ec);
  if (ec || ctx_.endpoints.empty()) {
    return Unexpected("cannot resolve " + plan_.target.host + ": " + (ec ? ec.message() : "no addresses"));
  }
  return {};
}

void Engine::interrupt() noexcept {
  std::int64_t none = -1;
  signalled_at_ns_.compare_exchange_strong(none, now_ns(), std::memory_order_acq_rel);
  signalled_.store(true, std::memory_order_relaxed);
  gate_closed_.store(true, std::memory_order_relaxed);
  std::lock_guard lock(workers_mutex_);
  for (Worker* w : active_workers_) w->stop_scheduling();
}

void Engine::cancel_in_flight() noexcept {
  interrupted_.store(true, std::memory_order_relaxed);
  gate_closed_.store(true, std::memory_order_relaxed);
  std::lock_guard lock(workers_mutex_);
  for (Worker* w : active_workers_) w->cancel();
}

// A stop rule broke (on the aggregator's thread): nothing new is sent and
// what is in flight is cancelled now — against a dead server or one failing
// most requests, a grace period would only add failures.
void Engine::stop_early() noexcept {
  stopped_.store(true, std::memory_order_relaxed);
  cancel_in_flight();
}

void Engine::register_workers(std::vector<std::unique_ptr<Worker>>& workers) {
  std::lock_guard lock(workers_mutex_);
  active_workers_.clear();
  for (auto& w : workers) {
    active_workers_.push_back(w.get());
    if (gate_closed_.load(std::memory_order_relaxed)) w->stop_scheduling();
    if (interrupted_.load(std::memory_order_relaxed)) w->cancel();
  }
}

void Engine::unregister_workers() {
  std::lock_guard lock(workers_mutex_);
  active_workers_.clear();
}

// Each stage runs plan.repeat times in a row (spec mode once: its runs are
// its repetitions), each time with fresh workers and connections.
std::vector<StageResult> Engine::run(const StageObserversFn& observers) {
  std::vector<StagePlan> stages = plan_.stages;
  std::vector<StageResult> results;
  std::int64_t planned = plan_.start_at_ns;
  for (std::size_t i = 0; i < stages.size() && !gate_closed_.load(); ++i) {
    const int repeats = stages[i].mode == LoadMode::spec ? 1 : std::max(1, plan_.repeat);
    for (int k = 0; k < repeats && !gate_closed_.load(); ++k) {
      const auto index = static_cast<std::uint32_t>(results.size());
      results.push_back(run_stage(index, stages[i], observers(i, stages[i], stages.size()), planned));
      planned = next_planned_start_ns(stages[i], planned);
      results.back().repeat = k;
      results.back().repeats = repeats;
    }
    // The automatic sweep's rates come from its first two stages' first runs.
    if (plan_.auto_sweep && i == 1) {
      const auto& one = results.front();
      const auto& sat = results[static_cast<std::size_t>(std::max(1, plan_.repeat))];
      for (StagePlan& s : auto_sweep_rate_stages(one, sat)) stages.push_back(std::move(s));
    }
  }
  return results;
}

// --start-at: sleeps until a stage's planned start, in short naps so that a
// signal (which closes the gate) ends the wait within 50 ms.
void Engine::wait_until(std::int64_t planned_ns) {
  if (planned_ns < 0) return;
  while (!gate_closed_.load(std::memory_order_relaxed)) {
    const std::int64_t left = planned_ns - now_ns();
    if (left <= 0) return;
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<std::int64_t>(left, 50'000'000)));
  }
}

// The stage's plan as the results show it is the whole run's (every shard
// reports the same stage list); what this process runs is its shard's share.
StageResult Engine::run_stage(std::uint32_t index, const StagePlan& whole, const Observers& observers,
                              std::int64_t planned_ns) {
  const StagePlan stage = shard_stage(whole, plan_.shard);
  StageResult result;
  result.plan = whole;
  result.index = index;
  const std::size_t nworkers = worker_count(plan_, stage);
  result.workers = nworkers;
  const std::size_t ring = stage.mode == LoadMode::spec ? kSpecRingCapacity : kLoadRingCapacity;
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t i = 0; i < nworkers; ++i) workers.push_back(std::make_unique<Worker>(ctx_, index, ring));
  // A stage starts at its planned instant exactly: the wait ends a little
  // after it (a millisecond or two on a busy machine), and arrivals due
  // meanwhile go at once, their lag recorded. Only a shard more than a
  // second late (launched after --start-at) starts its own schedule now, so
  // it does not send a second's arrivals in a burst; start_late_ms says so.
  // The workers exist before the wait: making them takes milliseconds.
  // A signal during the wait closes the gate: the stage then sends nothing.
  wait_until(planned_ns);
  const std::int64_t now = now_ns();
  const std::int64_t start = planned_ns >= 0 && now - planned_ns < 1'000'000'000 ? planned_ns : now;
  result.planned_start_ns = planned_ns;
  result.began_ns = now;
  const StageWindows windows = StageWindows::for_stage(stage, start);
  Aggregator agg(plan_, result, /*keep_records=*/stage.mode == LoadMode::spec, observers,
                 StageClock{windows, run_start_ns_, [this](const StopReason& why) {
                               spdlog::warn("{}", why.message);
                               stop_early();
                             },
                             &signalled_at_ns_});
  for (auto& w : workers) agg.attach(*w);
  register_workers(workers);
  StageRig rig(plan_, stage, index, nworkers, gate_closed_, windows, before_measured_run_);
  spdlog::debug("stage {} started: {} worker thread(s), {}", stage.label, nworkers,
                stage.duration_s > 0 ? fmt::format("{:g} s measured", stage.duration_s)
                                     : fmt::format("{} measured requests", stage.requests));
  agg.start();
  std::vector<std::thread> threads;
  threads.reserve(nworkers);
  for (std::size_t i = 0; i < nworkers; ++i) {
    threads.emplace_back([w = workers[i].get(), d = rig.drivers[i].get()] { w->run(*d); });
  }
  for (std::thread& t : threads) t.join();
  unregister_workers();
  agg.finish();
  for (const auto& w : workers) add_counters(result, w->counters());
  judge_client(result, plan_.client_limits);
  result.interrupted = signalled_.load(std::memory_order_relaxed);
  spdlog::debug("stage {} ended after {:.1f} s: {} requests, {} succeeded, {} connections opened", stage.label,
                result.elapsed_s, result.ended, result.overall.succeeded, result.connections_opened);
  return result;
}

}  // namespace llmbench
