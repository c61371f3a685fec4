#pragma once
// Request traces (--trace FILE): when each request arrived and how long its
// prompt and reply were, replayed as an open-loop schedule.
//
// Two formats, told apart by content (not by file name):
//  - Mooncake JSON Lines: {"timestamp": ms, "input_length": N,
//    "output_length": M, "hash_ids": [...]}, one object a line. Each hash id
//    names a block of kTraceBlockTokens prompt tokens; rows sharing a hash id
//    share that block, which is how the trace records prefix-cache reuse.
//  - The Azure LLM inference trace CSV: a header
//    "TIMESTAMP,ContextTokens,GeneratedTokens" and rows like
//    "2023-11-16 18:15:46.6805900,4808,10" (a date-time, UTC by convention).
//
// The parser is pure (bytes in, rows out); load_trace() only reads the file.
// Every error is one line naming the file and, for a bad row, its line.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/load/synthetic.hpp"

#include "llmbench/util/expected.hpp"

namespace llmbench {

inline constexpr std::uint32_t kTraceBlockTokens = 512;  // Mooncake's block size

enum class TraceFormat : std::uint8_t { mooncake, azure };
std::string_view to_string(TraceFormat f) noexcept;

struct TraceRow {
  std::int64_t at_ns = 0;  // arrival, from the trace's first arrival
  std::uint32_t input_tokens = 0;
  std::uint32_t output_tokens = 0;
  std::vector<std::uint64_t> hash_ids;  // Mooncake only: the prompt's blocks in order
};

struct Trace {
  TraceFormat format = TraceFormat::mooncake;
  std::vector<TraceRow> rows;  // in arrival order (non-decreasing at_ns)
};

// Parses a whole trace; `name` (the file's path) prefixes every error.
Expected<Trace> parse_trace(std::string_view bytes, const std::string& name);
Expected<Trace> load_trace(const std::string& path);

// --trace-window START:END, seconds of the trace from its first arrival
// ("START:" runs to the end, ":END" from the start).
struct TraceWindow {
  double start_s = 0;
  std::optional<double> end_s;
};
Expected<TraceWindow> parse_trace_window(std::string_view text);

// The rows a replay sends: those inside the window (start inclusive, end
// exclusive), their times re-based to the window's start and divided by
// `speed` (2: twice as fast). An error when no row falls inside.
Expected<std::vector<TraceRow>> select_trace_rows(const Trace& trace, const std::string& name,
                                                  const TraceWindow& window, double speed);

// A row's prompt text, about `row.input_tokens` tokens of synthetic words
// (`words_per_token` from calibrate_words_per_token()). With hash ids, block
// k is kTraceBlockTokens tokens of text drawn from (seed, hash_ids[k]) alone,
// so rows sharing leading hash ids share those leading blocks byte for byte
// and a server's prefix cache sees the reuse the trace recorded; the last
// block is cut to the row's length (a cut block is a prefix of the whole
// one), and tokens past the last hash id are the row's own. Without hash ids
// the whole prompt is drawn from (seed, row_index).
std::string trace_prompt_text(const TraceRow& row, std::size_t row_index, std::uint64_t seed, double words_per_token);

// The same text fitted with the server's counter so that the whole request
// prompt (chat template and BOS included, as the counter counts them) is the
// row's input length (±1): the words of the row's last piece are fitted, its
// earlier blocks kept whole. `count` is empty when the counter failed.
FittedText fitted_trace_prompt(const TraceRow& row, std::size_t row_index, std::uint64_t seed,
                               double words_per_token, const TokenCounter& counter);

// Rows fitted one by one at most (each costs a few /tokenize requests);
// a longer replay uses the calibrated estimate for all of them.
inline constexpr std::size_t kMaxFittedTraceRows = 1000;

}  // namespace llmbench
