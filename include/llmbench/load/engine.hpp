#pragma once
// Runs a plan's stages: builds each stage's schedule, starts the workers and
// the aggregator, and returns what was measured.
#include <asio/ssl.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "llmbench/load/aggregator.hpp"
#include "llmbench/load/plan.hpp"
#include "llmbench/load/result.hpp"
#include "llmbench/load/worker.hpp"

namespace llmbench {

class Engine {
 public:
  explicit Engine(const RunPlan& plan);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Resolves the target once (and prepares TLS). False with a one-line reason.
  bool prepare(std::string& error);
  StageResult run_stage(std::uint32_t index, const StagePlan& stage, const Observers& observers);
  // From any thread (a signal watcher): nothing new is sent, in-flight
  // requests go on (the grace period).
  void interrupt() noexcept;
  // From any thread: cancels what is in flight (counted as cancelled).
  void cancel_in_flight() noexcept;
  [[nodiscard]] bool interrupted() const noexcept { return gate_closed_.load(); }

  void set_tls_context(asio::ssl::context* tls) noexcept { ctx_.tls = tls; }

 private:
  StageResult run_spec_stage(std::uint32_t index, const StagePlan& stage, const Observers& observers);
  StageResult run_load_stage(std::uint32_t index, const StagePlan& stage, const Observers& observers);

  void register_workers(std::vector<std::unique_ptr<Worker>>& workers);
  void unregister_workers();
  static void collect_counters(const std::vector<std::unique_ptr<Worker>>& workers, StageResult& result);

  const RunPlan& plan_;
  RunContext ctx_;
  std::atomic<bool> gate_closed_{false};
  std::atomic<bool> interrupted_{false};
  std::mutex workers_mutex_;  // guards the list interrupt() walks; never on the I/O path
  std::vector<Worker*> active_workers_;
};

// The spec stage's tickets: warm-up requests cycling over the prompts, then
// `runs` measured requests per prompt in prompt order.
std::vector<Ticket> spec_tickets(std::size_t prompts, int runs, int warmup_requests);

}  // namespace llmbench
