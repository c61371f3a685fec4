#pragma once
// The run's telemetry as a step of the run: started before the first stage,
// a /metrics scrape at every stage's edge, the client's generated tokens per
// stage counted from the records the aggregator sees, and at the end each
// stage's figures put into the report.
#include <cstdint>
#include <memory>
#include <vector>

#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/cli/target.hpp"
#include "llmbench/load/engine.hpp"
#include "llmbench/report/run_report.hpp"
#include "llmbench/telemetry/run_telemetry.hpp"

namespace llmbench::cli {

class TelemetryStep {
 public:
  TelemetryStep(const ParsedSettings& p, const TargetSetup& t, std::int64_t run_start_ns);
  // Observers that also mark each stage's start and count its tokens.
  StageObserversFn wrap(StageObserversFn inner);
  // After the last stage: stops sampling and fills rep.telemetry and
  // rep.stage_telemetry.
  void finish(report::RunReport& rep);

 private:
  std::unique_ptr<telemetry::RunTelemetry> tel_;
  std::vector<std::shared_ptr<std::uint64_t>> client_tokens_;  // one per stage run
};

}  // namespace llmbench::cli
