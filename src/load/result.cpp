#include "llmbench/load/result.hpp"

#include <algorithm>

namespace llmbench {

RunTotals total_over_stages(const std::vector<StageResult>& stages, std::size_t groups) {
  RunTotals t;
  t.prompts.resize(groups);
  for (const StageResult& st : stages) {
    t.delivery_lag_ns.merge(st.delivery_lag_ns);
    t.first_token_lag_ns.merge(st.first_token_lag_ns);
    for (std::size_t i = 0; i < st.prompts.size() && i < groups; ++i) t.prompts[i].merge(st.prompts[i].measured);
    t.overall.merge(st.overall);
    t.scheduled += st.scheduled;
    t.succeeded += st.overall.succeeded;
  }
  return t;
}

std::vector<std::string> served_models(const std::vector<StageResult>& stages) {
  std::vector<std::string> out;
  for (const StageResult& st : stages) {
    for (const std::string& m : st.served_models) {
      if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
    }
  }
  return out;
}

std::vector<stats::MetricSet> total_models(const std::vector<StageResult>& stages, std::size_t models) {
  std::vector<stats::MetricSet> out(models);
  for (const StageResult& st : stages) {
    for (std::size_t m = 0; m < st.models.size() && m < models; ++m) out[m].merge(st.models[m].measured);
  }
  return out;
}

std::vector<std::size_t> failed_prompts(const StageResult& stage) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < stage.prompts.size(); ++i) {
    const stats::MetricSet& m = stage.prompts[i].measured;
    if (m.requests > m.cancelled && m.succeeded == 0) out.push_back(i);
  }
  return out;
}

std::vector<const stats::MetricSet*> prompt_sets(const StageResult& stage) {
  std::vector<const stats::MetricSet*> out;
  out.reserve(stage.prompts.size());
  for (const PromptResult& p : stage.prompts) out.push_back(&p.measured);
  return out;
}

std::vector<const stats::MetricSet*> prompt_sets(const RunTotals& totals) {
  std::vector<const stats::MetricSet*> out;
  out.reserve(totals.prompts.size());
  for (const stats::MetricSet& m : totals.prompts) out.push_back(&m);
  return out;
}

}  // namespace llmbench
