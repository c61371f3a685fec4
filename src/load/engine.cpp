#include "llmbench/load/engine.hpp"

#include <algorithm>
#include <thread>

#include "llmbench/load/schedule.hpp"
#include "llmbench/util/clock.hpp"

namespace llmbench {

namespace {
constexpr std::size_t kSpecRingCapacity = 256;
constexpr std::size_t kLoadRingCapacity = 4096;

// Closes the gate on a shared ticket source when the run is interrupted:
// nothing new starts, what is in flight goes on until the grace period ends.
class GatedSource final : public TicketSource {
 public:
  GatedSource(TicketSource& inner, const std::atomic<bool>& closed) : inner_(inner), closed_(closed) {}
  bool next(Ticket& out, std::int64_t now) override {
    return !closed_.load(std::memory_order_relaxed) && inner_.next(out, now);
  }
  bool over(std::int64_t now) const override { return closed_.load(std::memory_order_relaxed) || inner_.over(now); }

 private:
  TicketSource& inner_;
  const std::atomic<bool>& closed_;
};

// Splits `total` as evenly as possible over `parts`; part i gets its share.
std::size_t share(std::size_t total, std::size_t parts, std::size_t i) {
  return total / parts + (i < total % parts ? 1 : 0);
}
}  // namespace

std::vector<Ticket> spec_tickets(std::size_t prompts, int runs, int warmup_requests) {
  std::vector<Ticket> t;
  std::uint64_t id = 0;
  for (int i = 0; i < warmup_requests && prompts > 0; ++i) {
    t.push_back(Ticket{id++, static_cast<std::uint32_t>(static_cast<std::size_t>(i) % prompts), Phase::warmup, -1});
  }
  for (std::size_t p = 0; p < prompts; ++p) {
    for (int r = 0; r < runs; ++r) t.push_back(Ticket{id++, static_cast<std::uint32_t>(p), Phase::measured, -1});
  }
  return t;
}

Engine::Engine(const RunPlan& plan) : plan_(plan) { ctx_.plan = &plan_; }

bool Engine::prepare(std::string& error) {
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  std::error_code ec;
  ctx_.endpoints = resolver.resolve(plan_.target.host, std::to_string(plan_.target.port), ec);
  if (ec || ctx_.endpoints.empty()) {
    error = "cannot resolve " + plan_.target.host + ": " + (ec ? ec.message() : "no addresses");
    return false;
  }
  return true;
}

void Engine::interrupt() noexcept {
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

StageResult Engine::run_stage(std::uint32_t index, const StagePlan& stage, const Observers& observers) {
  StageResult r = stage.mode == LoadMode::spec ? run_spec_stage(index, stage, observers)
                                               : run_load_stage(index, stage, observers);
  r.interrupted = gate_closed_.load(std::memory_order_relaxed);
  return r;
}

StageResult Engine::run_spec_stage(std::uint32_t index, const StagePlan& stage, const Observers& observers) {
  StageResult result;
  result.plan = stage;
  result.index = index;
  std::vector<std::unique_ptr<Worker>> workers;
  workers.push_back(std::make_unique<Worker>(ctx_, index, kSpecRingCapacity));
  ListSource list(spec_tickets(plan_.prompts.size(), stage.runs, stage.warmup_requests));
  GatedSource source(list, gate_closed_);
  Aggregator agg(plan_, result, /*keep_records=*/true, observers);
  agg.attach(*workers.front());
  register_workers(workers);
  agg.start();
  workers.front()->run_closed(source, 1);
  unregister_workers();
  agg.finish();
  collect_counters(workers, result);
  return result;
}

StageResult Engine::run_load_stage(std::uint32_t index, const StagePlan& stage, const Observers& observers) {
  StageResult result;
  result.plan = stage;
  result.index = index;
  const std::size_t prompts = plan_.prompts.size();
  const auto want = static_cast<std::size_t>(std::max(1, plan_.threads));
  // Never more threads than clients in a closed loop: an idle thread costs a core.
  const std::size_t nworkers =
      stage.mode == LoadMode::closed ? std::min(want, static_cast<std::size_t>(std::max(1, stage.concurrency))) : want;
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t i = 0; i < nworkers; ++i) workers.push_back(std::make_unique<Worker>(ctx_, index, kLoadRingCapacity));
  Aggregator agg(plan_, result, /*keep_records=*/false, observers);
  for (auto& w : workers) agg.attach(*w);
  register_workers(workers);

  const std::int64_t start = now_ns();
  const StageWindows windows = StageWindows::for_stage(stage, start);
  ClosedLoopSource closed(windows, stage.requests, prompts);
  GatedSource gated(closed, gate_closed_);
  OpenSchedule schedule;
  if (stage.mode == LoadMode::open) {
    schedule = make_open_schedule(stage, plan_.arrival, plan_.burstiness, plan_.seed + index);
  }

  agg.start();
  std::vector<std::thread> threads;
  threads.reserve(nworkers);
  for (std::size_t i = 0; i < nworkers; ++i) {
    Worker& w = *workers[i];
    if (stage.mode == LoadMode::closed) {
      const int clients = static_cast<int>(share(static_cast<std::size_t>(stage.concurrency), nworkers, i));
      threads.emplace_back([&w, &gated, clients] { w.run_closed(gated, clients); });
    } else {
      const std::size_t cap =
          stage.max_concurrency > 0 ? std::max<std::size_t>(1, share(static_cast<std::size_t>(stage.max_concurrency), nworkers, i)) : 0;
      threads.emplace_back([&w, &schedule, start, i, nworkers, cap, prompts] {
        w.run_open(schedule, start, i, nworkers, cap, prompts);
      });
    }
  }
  for (std::thread& t : threads) t.join();
  unregister_workers();
  agg.finish();
  collect_counters(workers, result);
  return result;
}

void Engine::collect_counters(const std::vector<std::unique_ptr<Worker>>& workers, StageResult& result) {
  for (const auto& w : workers) {
    const WorkerCounters& c = w->counters();
    result.scheduled += c.scheduled.load();
    result.ring_full_waits += c.ring_full_waits.load();
    result.connections_opened += c.connections_opened.load();
    result.delivery_lag_ns.merge(w->delivery_lag());
    result.first_token_lag_ns.merge(w->first_token_lag());
  }
}

}  // namespace llmbench
