#include "llmbench/report/run_report.hpp"

#include "llmbench/stats/sweep.hpp"

namespace llmbench::report {

int find_knee(const std::vector<StageResult>& stages) {
  std::vector<const stats::MetricSet*> sets;
  sets.reserve(stages.size());
  for (const StageResult& st : stages) sets.push_back(&st.overall);
  return stats::find_knee(sets);
}

// A file path (llama-server's id is its -m path unless --alias is set) is
// shown by its file name; a hub-style id ("myorg/tiny-llama-768") is the
// model's name as the server gives it and is shown whole.
std::string display_model(const std::string& model_id) {
  const bool path = model_id.starts_with('/') || model_id.starts_with("./") || model_id.starts_with("../") ||
                    model_id.starts_with('~') || model_id.find('\\') != std::string::npos ||
                    model_id.ends_with(".gguf") || model_id.ends_with(".bin");
  if (!path) return model_id;
  const auto slash = model_id.find_last_of("/\\");
  return slash == std::string::npos ? model_id : model_id.substr(slash + 1);
}

}  // namespace llmbench::report
