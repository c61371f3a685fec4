#include "llmbench/load/sweep.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace llmbench {

namespace {
StagePlan with_bounds(const StageBounds& b) {
  StagePlan st;
  st.requests = b.requests;
  st.duration_s = b.duration_s;
  st.warmup_s = b.warmup_s;
  st.cooldown_s = b.cooldown_s;
  st.max_concurrency = b.max_concurrency;
  return st;
}

StageBounds bounds_of(const StagePlan& st) {
  return StageBounds{st.requests, st.duration_s, st.warmup_s, st.cooldown_s, st.max_concurrency};
}
}  // namespace

StagePlan closed_stage(const StageBounds& b, int concurrency) {
  StagePlan st = with_bounds(b);
  st.mode = LoadMode::closed;
  st.concurrency = concurrency;
  st.label = fmt::format("concurrency={}", concurrency);
  return st;
}

StagePlan open_stage(const StageBounds& b, double rate_rps) {
  StagePlan st = with_bounds(b);
  st.mode = LoadMode::open;
  st.rate_rps = rate_rps;
  st.label = fmt::format("rate={:.4g}", rate_rps);
  return st;
}

std::vector<StagePlan> auto_sweep_stages(const StageBounds& b, int saturation_concurrency) {
  StagePlan sat = closed_stage(b, saturation_concurrency);
  sat.label = fmt::format("saturation (concurrency={})", saturation_concurrency);
  return {closed_stage(b, 1), sat};
}

std::vector<StagePlan> auto_sweep_rate_stages(const StageResult& one_client, const StageResult& saturated) {
  const double lo = one_client.overall.request_throughput();
  const double hi = saturated.overall.request_throughput();
  if (!(hi > lo && lo > 0)) {
    spdlog::warn("--sweep auto: saturation gave no more throughput than one client; no rate stages");
    return {};
  }
  std::vector<StagePlan> stages;
  for (int k = 1; k <= 4; ++k) stages.push_back(open_stage(bounds_of(one_client.plan), lo + (hi - lo) * k / 5.0));
  return stages;
}

}  // namespace llmbench
