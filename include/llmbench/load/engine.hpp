#pragma once
// Runs a plan's stages: builds each stage's schedule and drivers, starts the
// workers and the aggregator, and returns what was measured.
#include <asio/ssl.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "llmbench/load/aggregator.hpp"
#include "llmbench/load/plan.hpp"
#include "llmbench/load/result.hpp"
#include "llmbench/load/worker.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench {

// Called before each stage: the observers (progress, per-request lines) for
// stage `index` of `count` (the count can grow: an automatic sweep adds its
// rate stages after the second stage).
using StageObserversFn = std::function<Observers(std::size_t index, const StagePlan& stage, std::size_t count)>;

class Engine {
 public:
  explicit Engine(const RunPlan& plan);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Resolves the target once. An error is a one-line reason.
  Status prepare();
  void set_tls_context(asio::ssl::context* tls) noexcept { ctx_.tls = tls; }
  // Spec mode: called on the worker's thread before each measured run is
  // sent, with nothing in flight (--erase-slots). Blocking is allowed.
  void set_before_measured_run(std::function<void()> fn) { before_measured_run_ = std::move(fn); }

  // Every stage of the plan, in order, until the end or an interrupt; an
  // automatic sweep (plan.auto_sweep) adds its rate stages on the way.
  std::vector<StageResult> run(const StageObserversFn& observers);
  // `planned_ns`: when the stage is to start (--start-at), -1: at once.
  StageResult run_stage(std::uint32_t index, const StagePlan& stage, const Observers& observers,
                        std::int64_t planned_ns = -1);

  // From any thread (a signal watcher): nothing new is sent, in-flight
  // requests go on (the grace period).
  void interrupt() noexcept;
  // From any thread: cancels what is in flight (counted as cancelled).
  void cancel_in_flight() noexcept;
  // By a signal (interrupt()), as opposed to a stop rule (stopped()).
  [[nodiscard]] bool interrupted() const noexcept { return signalled_.load(); }
  // A stage stopped early (--abort-after, --max-error-rate): no later stage runs.
  [[nodiscard]] bool stopped() const noexcept { return stopped_.load(); }
  // What every time in the results is relative to.
  [[nodiscard]] std::int64_t run_start_ns() const noexcept { return run_start_ns_; }

 private:
  struct StageRig;
  void register_workers(std::vector<std::unique_ptr<Worker>>& workers);
  void unregister_workers();

  const RunPlan& plan_;
  std::function<void()> before_measured_run_;
  std::int64_t run_start_ns_;  // what the results' times are relative to
  RunContext ctx_;
  void stop_early() noexcept;
  void wait_until(std::int64_t planned_ns);

  std::atomic<bool> gate_closed_{false};  // nothing new starts (a signal or a stop rule)
  std::atomic<bool> interrupted_{false};  // in-flight requests are being cancelled
  std::atomic<bool> signalled_{false};
  std::atomic<std::int64_t> signalled_at_ns_{-1};  // the first interrupt(): the measured window ends there
  std::atomic<bool> stopped_{false};
  std::mutex workers_mutex_;  // guards the list interrupt() walks; never on the I/O path
  std::vector<Worker*> active_workers_;
};

// The spec stage's tickets, prompt by prompt: its `warmup_per_prompt`
// warm-up requests, then its `runs` measured ones.
std::vector<Ticket> spec_tickets(std::size_t prompts, int runs, int warmup_per_prompt);

// Worker threads for a stage when --threads is 0 (the default): one per 1,000
// streams (closed loop, or an open loop's --max-concurrency) or per 5,000
// requests/s (open loop), at least one, at most `cores`. Spec mode always
// runs on one, whatever this says.
std::size_t default_workers(const StagePlan& stage, std::size_t cores);

}  // namespace llmbench
