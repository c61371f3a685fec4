#include "llmbench/cli/trace_settings.hpp"

#include <cmath>
#include <utility>

namespace llmbench::cli {

namespace {

// The first flag given beside --trace that sets what the trace sets.
std::string conflicting_flag(const Settings& s) {
  const Settings d;
  if (s.rate > 0) return "--rate";
  if (s.concurrency > 0) return "--concurrency";
  if (!s.sweep.empty()) return "--sweep";
  if (s.duration_s > 0) return "--duration";
  if (s.requests > 0) return "--requests";
  if (s.warmup_s > 0) return "--warmup-seconds";
  if (s.cooldown_s > 0) return "--cooldown-seconds";
  if (s.arrival != d.arrival) return "--arrival";
  if (s.burstiness != d.burstiness) return "--burstiness";
  if (!s.dataset.empty()) return "--dataset";
  if (!s.input_tokens.empty()) return "--input-tokens";
  if (!s.output_tokens.empty()) return "--output-tokens";
  if (s.max_tokens > 0) return "--max-tokens";
  if (!s.prompts.empty()) return "--prompts";
  return {};
}

}  // namespace

Expected<std::optional<TraceReplay>> resolve_trace(const Settings& s) {
  if (s.trace.empty()) {
    if (!s.trace_window.empty()) return Unexpected("--trace-window needs --trace FILE");
    if (s.trace_speed != 1.0) return Unexpected("--trace-speed needs --trace FILE");
    return std::optional<TraceReplay>{};
  }
  if (const std::string f = conflicting_flag(s); !f.empty()) {
    return Unexpected("--trace and " + f + ": a trace sets the arrivals, lengths and count itself; drop " + f);
  }
  if (!(s.trace_speed > 0) || !std::isfinite(s.trace_speed) || s.trace_speed > 1e6) {
    return Unexpected("--trace-speed: expected a positive factor (2: twice as fast)");
  }
  TraceReplay r;
  r.file = s.trace;
  r.speed = s.trace_speed;
  if (!s.trace_window.empty()) {
    auto w = parse_trace_window(s.trace_window);
    if (!w) return Unexpected(w.error());
    r.window = *w;
  }
  auto trace = load_trace(s.trace);
  if (!trace) return Unexpected(trace.error());
  r.format = trace->format;
  r.rows_in_file = trace->rows.size();
  auto rows = select_trace_rows(*trace, s.trace, r.window, r.speed);
  if (!rows) return Unexpected(rows.error());
  r.rows = std::move(*rows);
  return std::optional<TraceReplay>(std::move(r));
}

}  // namespace llmbench::cli
