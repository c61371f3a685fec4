#pragma once
// --trace, --trace-speed, --trace-window: the trace is read and checked while
// the flags are parsed, so a bad file stops the run (exit 2) before anything
// is sent, the server probe included.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "llmbench/cli/settings.hpp"
#include "llmbench/load/trace.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::cli {

struct TraceReplay {
  std::string file;
  TraceFormat format = TraceFormat::mooncake;
  std::size_t rows_in_file = 0;
  double speed = 1.0;
  TraceWindow window;
  std::vector<TraceRow> rows;  // the replayed ones: in the window, re-based, at speed
};

// nullopt without --trace. Errors are one line naming the flag, or the file
// and line. Flags that set a load of their own (--rate, --concurrency,
// --sweep, --duration, --requests, warm-up/cool-down, --arrival, prompt
// sources, --max-tokens) are refused beside --trace: the trace sets them.
Expected<std::optional<TraceReplay>> resolve_trace(const Settings& s);

}  // namespace llmbench::cli
