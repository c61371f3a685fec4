#include "llmbench/cli/stage_settings.hpp"

#include <string>

#include "llmbench/cli/ramp_settings.hpp"
#include "llmbench/load/sweep.hpp"

namespace llmbench::cli {

namespace {

std::string flag_beside_stages(const Settings& s) {
  if (s.rate > 0) return "--rate";
  if (s.concurrency > 0) return "--concurrency";
  if (!s.sweep.empty()) return "--sweep";
  if (!s.ramp.empty()) return "--ramp";
  if (!s.trace.empty()) return "--trace";
  return {};
}

Expected<StagePlan> one_stage(const Settings& s, const StageSetting& st, const std::string& where) {
  const int loads = (st.concurrency > 0 ? 1 : 0) + (st.rate > 0 ? 1 : 0) + (st.ramp.empty() ? 0 : 1);
  if (loads != 1) {
    return Unexpected(where + ": expected exactly one of \"concurrency\", \"rate\" or \"ramp\" (above 0)");
  }
  if (!st.ramp_shape.empty() && st.ramp.empty()) return Unexpected(where + ".ramp_shape: needs \"ramp\"");
  Settings x = s;  // the run's bounds, overridden by the stage's own
  if (st.duration_s > 0) x.duration_s = st.duration_s;
  if (st.requests > 0) x.requests = st.requests;
  if (st.warmup_s >= 0) x.warmup_s = st.warmup_s;
  if (st.cooldown_s >= 0) x.cooldown_s = st.cooldown_s;
  if (x.duration_s <= 0 && x.requests == 0) {
    return Unexpected(where + ": needs a bound: \"duration\" or \"requests\" (or --duration/--requests for every stage)");
  }
  const StageBounds b{x.requests, x.duration_s, x.warmup_s, x.cooldown_s, x.max_concurrency};
  if (st.concurrency > 0) return closed_stage(b, st.concurrency);
  if (st.rate > 0) return open_stage(b, st.rate);
  x.ramp = st.ramp;
  x.ramp_shape = st.ramp_shape;
  if (st.duration_s <= 0 && s.duration_s <= 0) return Unexpected(where + ".ramp: needs \"duration\"");
  const auto r = resolve_ramp(x);
  if (!r) return Unexpected(where + ".ramp: " + r.error());
  return ramp_stage(**r, x);
}

}  // namespace

Expected<std::vector<StagePlan>> resolve_config_stages(const Settings& s) {
  std::vector<StagePlan> out;
  if (s.stages.empty()) return out;
  if (const std::string f = flag_beside_stages(s); !f.empty()) {
    return Unexpected("\"stages\" and " + f + ": the config's stages set the load; choose one");
  }
  for (std::size_t i = 0; i < s.stages.size(); ++i) {
    auto st = one_stage(s, s.stages[i], "--config stages[" + std::to_string(i) + "]");
    if (!st) return Unexpected(st.error());
    out.push_back(std::move(*st));
  }
  return out;
}

}  // namespace llmbench::cli
