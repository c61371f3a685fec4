#pragma once
// A --model mix in the results: `models`, one object per model of the mix
// (its name, its planned weight and the share of requests it got), then
// every figure a `summary` has, for that model's requests alone.
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/load/result.hpp"
#include "llmbench/report/json_metrics.hpp"
#include "llmbench/report/json_writer.hpp"
#include "llmbench/stats/metric_set.hpp"

namespace llmbench::report {

// Writes nothing without a mix (`mix` empty), so plain runs keep their layout.
void write_models(JsonWriter& w, const std::vector<ModelShare>& mix, const std::vector<const stats::MetricSet*>& sets,
                  const MetricsOptions& opt);
// One stage's models, and every stage's together (the top level).
void write_stage_models(JsonWriter& w, const RunPlan& plan, const StageResult& st, const MetricsOptions& opt);
void write_run_models(JsonWriter& w, const RunPlan& plan, const std::vector<StageResult>& stages,
                      const MetricsOptions& opt);

}  // namespace llmbench::report
