#include "llmbench/report/run_report.hpp"

#include "llmbench/stats/sweep.hpp"

namespace llmbench::report {

int find_knee(const std::vector<StageResult>& stages) {
  std::vector<const stats::MetricSet*> sets;
  sets.reserve(stages.size());
  for (const StageResult& st : stages) sets.push_back(&st.overall);
  return stats::find_knee(sets);
}

std::string display_model(const std::string& model_id) {
  const auto slash = model_id.find_last_of("/\\");
  return slash == std::string::npos ? model_id : model_id.substr(slash + 1);
}

}  // namespace llmbench::report
