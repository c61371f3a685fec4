#pragma once
// The one thread that owns statistics: it drains every worker's rings and
// updates the stage's result. Workers never wait for it; it polls (rings are
// lock-free and a wake-up per record would cost more than the record).
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "llmbench/load/model_tally.hpp"
#include "llmbench/load/result.hpp"
#include "llmbench/load/schedule.hpp"
#include "llmbench/load/stop_rules.hpp"
#include "llmbench/load/worker.hpp"
#include "llmbench/stats/timeline.hpp"

namespace llmbench {

struct Progress {
  const StageResult* stage = nullptr;  // read-only view, valid during the callback
  double elapsed_s = 0;
  std::uint64_t ended = 0;
  std::uint64_t in_flight = 0;
  std::uint64_t errors = 0;
  double output_tokens_per_second = 0;  // over the last interval
};
using ProgressFn = std::function<void(const Progress&)>;
// Called on the aggregator thread for every finished request (spec mode's
// per-run lines). Must be cheap: it runs between ring drains.
using RecordFn = std::function<void(const RequestRecord&)>;

struct Observers {
  ProgressFn progress;
  RecordFn record;
  std::chrono::milliseconds progress_interval{1000};
};

// Where a stage sits on the run's clock, and how it is stopped early.
struct StageClock {
  StageWindows windows;
  std::int64_t run_start_ns = 0;
  // Called once, on the aggregator's thread, when a stop rule is broken.
  std::function<void(const StopReason&)> stop;
  // When the run was interrupted (SIGINT/SIGTERM), or -1: the measured window
  // ends there, as it does where a stop rule stops the stage. Otherwise the
  // planned window's rest, when nothing more was sent, would dilute every
  // rate.
  const std::atomic<std::int64_t>* interrupted_at_ns = nullptr;
};

class Aggregator {
 public:
  // Sizes result.prompts to the plan's statistics groups.
  Aggregator(const RunPlan& plan, StageResult& result, bool keep_records, Observers observers, const StageClock& clock);
  ~Aggregator();
  Aggregator(const Aggregator&) = delete;
  Aggregator& operator=(const Aggregator&) = delete;

  void attach(Worker& w) { workers_.push_back(&w); }
  void start();
  // Call once every producer has stopped: drains what is left and joins.
  void finish();

 private:
  void loop();
  std::size_t drain();
  void on_record(const RequestRecord& r);
  void on_sample(const StreamSample& s);
  void on_token_read(const StreamSample& s);
  void count_in_window(std::uint16_t group, const RequestRecord& r);
  void keep_served_model(const RequestRecord& r);
  void count_short_reply(PromptResult& p, const RequestRecord& r);
  void keep_message(const RequestRecord& r);
  void trace(const RequestRecord& r) const;
  void report_progress(std::int64_t now);
  void finish_timeline();
  void check_stop_rules(std::int64_t now);
  void cut_window(std::int64_t t_ns);

  const RunPlan& plan_;
  StageResult& result_;
  std::vector<std::string> secrets_;
  stats::Slo slo_;
  bool keep_records_;
  Observers obs_;
  std::int64_t progress_interval_ns_;
  std::vector<Worker*> workers_;
  std::vector<std::uint16_t> group_of_;  // prompt index -> statistics group
  stats::Timeline timeline_;
  StopRules stop_rules_;
  std::function<void(const StopReason&)> stop_;
  bool stopped_ = false;
  std::thread thread_;
  std::atomic<bool> producers_done_{false};
  std::int64_t started_ns_ = 0;
  const std::atomic<std::int64_t>* interrupted_at_ns_ = nullptr;
  bool window_cut_ = false;
  std::int64_t last_progress_ns_ = 0;
  std::uint64_t tokens_at_progress_ = 0;
  std::uint64_t errors_ = 0;
  ModelTally models_;  // every figure per model of a --model mix
};

}  // namespace llmbench
