#include "llmbench/cli/ramp_settings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace llmbench::cli {

namespace {

constexpr const char* kForm = "expected rate=A..B or concurrency=A..B";

Expected<double> parse_end(const std::string& flag_text, const std::string& item) {
  char* end = nullptr;
  const double v = std::strtod(item.c_str(), &end);
  if (item.empty() || end != item.c_str() + item.size() || !std::isfinite(v)) {
    return Unexpected(fmt::format("--ramp '{}': '{}' is not a number ({})", flag_text, item, kForm));
  }
  if (v < 0) return Unexpected(fmt::format("--ramp '{}': {} is negative", flag_text, item));
  return v;
}

Expected<RampSpec> parse_ramp(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) return Unexpected(fmt::format("--ramp '{}': {}", text, kForm));
  const std::string what = text.substr(0, eq);
  if (what != "rate" && what != "concurrency") {
    return Unexpected(fmt::format("--ramp '{}': '{}' cannot be ramped ({})", text, what, kForm));
  }
  const std::string range = text.substr(eq + 1);
  const auto dots = range.find("..");
  if (dots == std::string::npos) {
    return Unexpected(fmt::format("--ramp '{}': expected a range {}=A..B (from A to B over --duration)", text, what));
  }
  const auto from = parse_end(text, range.substr(0, dots));
  if (!from) return Unexpected(from.error());
  const auto to = parse_end(text, range.substr(dots + 2));
  if (!to) return Unexpected(to.error());
  RampSpec r;
  r.mode = what == "rate" ? LoadMode::open : LoadMode::closed;
  r.ramp.from = *from;
  r.ramp.to = *to;
  if (r.mode == LoadMode::open && std::max(*from, *to) <= 0) {
    return Unexpected(fmt::format("--ramp '{}': at least one end must be above 0 requests/s", text));
  }
  if (r.mode == LoadMode::closed) {
    if (*from != std::floor(*from) || *to != std::floor(*to) || *to > 1'000'000) {
      return Unexpected(fmt::format("--ramp '{}': client counts must be whole numbers", text));
    }
    if (*to < *from || *to < 1) {
      return Unexpected(fmt::format("--ramp '{}': a concurrency ramp only adds clients (expected A <= B, B >= 1)", text));
    }
  }
  return r;
}

// The first flag given beside --ramp that sets the load the ramp sets.
std::string conflicting_flag(const Settings& s) {
  if (s.rate > 0) return "--rate";
  if (s.concurrency > 0) return "--concurrency";
  if (!s.sweep.empty()) return "--sweep";
  if (!s.trace.empty()) return "--trace";
  return {};
}

}  // namespace

Expected<std::optional<RampSpec>> resolve_ramp(const Settings& s) {
  if (s.ramp.empty()) {
    if (!s.ramp_shape.empty()) return Unexpected("--ramp-shape needs --ramp rate=A..B or concurrency=A..B");
    return std::optional<RampSpec>{};
  }
  auto r = parse_ramp(s.ramp);
  if (!r) return Unexpected(r.error());
  if (s.ramp_shape == "exponential") {
    r->ramp.shape = RampShape::exponential;
    if (!(r->ramp.from > 0) || !(r->ramp.to > 0)) {
      return Unexpected(fmt::format("--ramp '{}' --ramp-shape exponential: both ends must be above 0 "
                                    "(a geometric ramp cannot start or end at 0)", s.ramp));
    }
  } else if (!s.ramp_shape.empty() && s.ramp_shape != "linear") {
    return Unexpected("--ramp-shape '" + s.ramp_shape + "': expected linear or exponential");
  }
  if (const std::string f = conflicting_flag(s); !f.empty()) {
    return Unexpected("--ramp and " + f + ": the ramp sets the load itself; choose one");
  }
  if (!(s.duration_s > 0)) return Unexpected("--ramp needs --duration SECONDS: the ramp runs over the measured window");
  return std::optional<RampSpec>{*r};
}

StagePlan ramp_stage(const RampSpec& r, const Settings& s) {
  StagePlan st;
  st.mode = r.mode;
  st.ramp = r.ramp;
  st.label = fmt::format("ramp {}={:g}..{:g}", r.mode == LoadMode::open ? "rate" : "concurrency", r.ramp.from, r.ramp.to);
  const double top = std::max(r.ramp.from, r.ramp.to);
  if (r.mode == LoadMode::open) {
    st.rate_rps = top;
    st.max_concurrency = s.max_concurrency;
  } else {
    st.concurrency = static_cast<int>(top);
  }
  st.requests = s.requests;
  st.duration_s = s.duration_s;
  st.warmup_s = s.warmup_s;
  st.cooldown_s = s.cooldown_s;
  return st;
}

}  // namespace llmbench::cli
