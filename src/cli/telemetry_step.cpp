#include "llmbench/cli/telemetry_step.hpp"

#include <spdlog/spdlog.h>

namespace llmbench::cli {

TelemetryStep::TelemetryStep(const ParsedSettings& p, const TargetSetup& t, std::int64_t run_start_ns) {
  telemetry::TelemetryOptions o;
  o.metrics = p.server_metrics;
  o.interval = std::chrono::nanoseconds(static_cast<std::int64_t>(p.raw.metrics_interval_s * 1e9));
  o.server_pid = p.raw.server_pid;
  o.target = t.target;
  o.fetch = t.fetch;
  o.start_ns = run_start_ns;
  tel_ = std::make_unique<telemetry::RunTelemetry>(std::move(o));
  tel_->start();
}

StageObserversFn TelemetryStep::wrap(StageObserversFn inner) {
  return [this, inner = std::move(inner)](std::size_t i, const StagePlan& st, std::size_t n) {
    Observers o = inner(i, st, n);
    tel_->mark_edge();  // no request of this stage is in flight yet
    auto tokens = client_tokens_.emplace_back(std::make_shared<std::uint64_t>(0));
    // On the aggregator's thread; read after the stage's aggregator is joined.
    o.record = [before = std::move(o.record), tokens](const RequestRecord& r) {
      if (before) before(r);
      *tokens += r.completion_tokens;
    };
    return o;
  };
}

void TelemetryStep::finish(report::RunReport& rep) {
  tel_->mark_edge();
  telemetry::TelemetryResult t = tel_->finish();
  for (const std::string& note : t.notes) spdlog::info("{}", note);
  for (std::size_t k = 0; k < rep.stages.size(); ++k) {
    const StageResult& st = rep.stages[k];
    double from = st.start_s;
    double to = st.start_s + st.elapsed_s;
    if (st.window) {
      from = static_cast<double>(st.window->start_ns - st.run_start_ns) / 1e9;
      to = static_cast<double>(st.window->end_ns - st.run_start_ns) / 1e9;
    }
    const bool edges = t.edges.size() == rep.stages.size() + 1;
    std::optional<double> client;
    if (k < client_tokens_.size()) client = static_cast<double>(*client_tokens_[k]);
    rep.stage_telemetry.push_back(telemetry::summarize_stage(t, edges ? &t.edges[k] : nullptr,
                                                             edges ? &t.edges[k + 1] : nullptr, from, to, client));
  }
  rep.telemetry = std::move(t);
}

}  // namespace llmbench::cli
