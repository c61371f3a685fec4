#include "llmbench/load/model_tally.hpp"

#include "llmbench/stats/request_figures.hpp"

namespace llmbench {

ModelTally::ModelTally(const RunPlan& plan, StageResult& result) : plan_(plan), models_(result.models) {
  if (plan.models.size() < 2) return;
  models_.resize(plan.models.size());
  model_of_.reserve(plan.prompts.size());
  for (const PromptItem& p : plan.prompts) model_of_.push_back(p.model);
}

ModelResult* ModelTally::model_of(std::uint32_t prompt) {
  if (prompt >= model_of_.size() || model_of_[prompt] >= models_.size()) return nullptr;
  return &models_[model_of_[prompt]];
}

// As the aggregator counts a group's reads: every token inside the window,
// whatever became of its request; read lag for every measured read; gaps
// only of the measured requests that succeeded.
void ModelTally::on_token_read(const StreamSample& s, bool in_window) {
  ModelResult* m = model_of(s.prompt);
  if (m == nullptr) return;
  if (in_window) m->measured.window_tokens += s.tokens;
  if (s.phase != Phase::measured) return;
  if (s.user_ns > s.t_ns && s.t_ns >= 0) m->measured.read_lag_ns.record(s.user_ns - s.t_ns);
  if (s.ok) m->measured.add_token_read(s.value_ns, s.count, s.tokens);
}

void ModelTally::on_record(const RequestRecord& r, bool in_window) {
  ModelResult* m = model_of(r.prompt);
  if (m == nullptr) return;
  if (r.ok() && in_window) {
    ++m->measured.window_completions;
    if (!r.stream) m->measured.window_tokens += r.completion_tokens;
  }
  switch (r.phase) {
    case Phase::warmup: ++m->phases.warmup; break;
    case Phase::cooldown: ++m->phases.cooldown; break;
    case Phase::measured:
      ++m->phases.measured;
      m->measured.add(r, plan_.slo);
      count_short_reply(m->measured, r);
      break;
  }
}

void ModelTally::count_short_reply(stats::MetricSet& m, const RequestRecord& r) const {
  const int max_tokens = r.prompt < plan_.prompts.size() ? plan_.prompts[r.prompt].max_tokens : 0;
  if (stats::truncated(r, max_tokens)) {
    ++m.truncated;
  } else if (stats::stopped_before_max_tokens(r, max_tokens)) {
    ++m.stopped_before_max_tokens;
  }
}

void ModelTally::open_window(std::int64_t length_ns) {
  for (ModelResult& m : models_) m.measured.open_window(length_ns);
}

}  // namespace llmbench
