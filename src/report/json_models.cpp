#include "llmbench/report/json_models.hpp"

namespace llmbench::report {

void write_models(JsonWriter& w, const std::vector<ModelShare>& mix, const std::vector<const stats::MetricSet*>& sets,
                  const MetricsOptions& opt) {
  if (mix.empty() || sets.size() != mix.size()) return;
  std::uint64_t all = 0;
  for (const stats::MetricSet* m : sets) all += m->requests;
  w.key("models").begin_array();
  for (std::size_t i = 0; i < mix.size(); ++i) {
    w.begin_object();
    w.field("model", mix[i].name);
    w.field("weight", mix[i].weight);
    // What the model got of the measured requests, beside what it was given.
    w.field("requests_share", all == 0 ? 0.0 : static_cast<double>(sets[i]->requests) / static_cast<double>(all));
    write_metrics(w, *sets[i], opt);
    w.end_object();
  }
  w.end_array();
}

void write_stage_models(JsonWriter& w, const RunPlan& plan, const StageResult& st, const MetricsOptions& opt) {
  std::vector<const stats::MetricSet*> sets;
  for (const ModelResult& m : st.models) sets.push_back(&m.measured);
  write_models(w, plan.models, sets, opt);
}

void write_run_models(JsonWriter& w, const RunPlan& plan, const std::vector<StageResult>& stages,
                      const MetricsOptions& opt) {
  if (plan.models.empty()) return;
  const std::vector<stats::MetricSet> totals = total_models(stages, plan.models.size());
  std::vector<const stats::MetricSet*> sets;
  for (const stats::MetricSet& m : totals) sets.push_back(&m);
  write_models(w, plan.models, sets, opt);
}

}  // namespace llmbench::report
