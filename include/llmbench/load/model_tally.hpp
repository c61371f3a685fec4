#pragma once
// Every figure of a stage also per model of a --model mix: the aggregator
// hands each sample and record here too, and this keeps one MetricSet per
// model the way the aggregator keeps one per prompt group (same window,
// same phases), so a model's figures mean what the stage's mean.
#include <cstdint>
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/load/result.hpp"
#include "llmbench/record/record.hpp"
#include "llmbench/stats/slo.hpp"

namespace llmbench {

class ModelTally {
 public:
  // Sizes result.models to the plan's mix; without one every call is a no-op.
  ModelTally(const RunPlan& plan, StageResult& result);

  // A token read (aggregator's on_token_read); `in_window`: it landed inside
  // the exact measured window.
  void on_token_read(const StreamSample& s, bool in_window);
  // A request's record; `in_window`: it ended inside the exact window.
  void on_record(const RequestRecord& r, bool in_window);
  // The exact measured window is `length_ns` long (opened, or cut short).
  void open_window(std::int64_t length_ns);

 private:
  [[nodiscard]] ModelResult* model_of(std::uint32_t prompt);
  void count_short_reply(stats::MetricSet& m, const RequestRecord& r) const;

  const RunPlan& plan_;
  std::vector<ModelResult>& models_;
  std::vector<std::uint16_t> model_of_;  // prompt index -> model
};

}  // namespace llmbench
