// Fuzzes the trace parser (load/trace.hpp, Mooncake JSON Lines and Azure CSV)
// and --trace-window: whatever the bytes, no crash, no read past them, and
// answers that hold together.
//
// The payload up to the first cut is the trace, the rest a --trace-window
// text. Options byte: bit 0 puts the Azure header in front of the payload (so the
// CSV rows get fuzzed, not only the format detection). Invariants:
//  - a parsed trace has rows, starts at 0 and never goes back in time, and
//    every row asks for at least one input and one output token;
//  - an error is one line naming the file;
//  - a window's selection keeps at most the trace's rows, in order, from 0.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "llmbench/load/trace.hpp"

namespace {

void check_rows(const std::vector<llmbench::TraceRow>& rows) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    LLMBENCH_FUZZ_CHECK(rows[i].at_ns >= 0 && rows[i].input_tokens >= 1 && rows[i].output_tokens >= 1);
    if (i > 0) LLMBENCH_FUZZ_CHECK(rows[i].at_ns >= rows[i - 1].at_ns);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = llmbench::fuzz::parse_input(data, size);
  if (!in) return 0;
  // Before the first cut: the trace; after it: a --trace-window text.
  const std::size_t cut = in->cuts.empty() ? in->payload.size() : in->cuts.front();
  std::string text = (in->options & 1) != 0 ? "TIMESTAMP,ContextTokens,GeneratedTokens\n" : "";
  text.append(in->payload.substr(0, cut));
  const llmbench::fuzz::Buffer body(text, 0);
  const auto trace = llmbench::parse_trace(body.view(), "f");
  if (!trace) {
    LLMBENCH_FUZZ_CHECK(trace.error().rfind("f:", 0) == 0 && trace.error().find('\n') == std::string::npos);
    return 0;
  }
  LLMBENCH_FUZZ_CHECK(!trace->rows.empty() && trace->rows.front().at_ns == 0);
  check_rows(trace->rows);
  const llmbench::fuzz::Buffer w(in->cuts.empty() ? std::string_view("0:") : in->payload.substr(cut), 0);
  const auto window = llmbench::parse_trace_window(w.view());
  if (!window) return 0;
  const auto rows = llmbench::select_trace_rows(*trace, "f", *window, 1 + (in->options >> 1) % 8);
  if (rows) {
    LLMBENCH_FUZZ_CHECK(rows->size() <= trace->rows.size() && rows->front().at_ns >= 0);
    check_rows(*rows);
  }
  return 0;
}
