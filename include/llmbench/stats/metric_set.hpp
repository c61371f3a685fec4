#pragma once
// The statistics of one measured window for one prompt group (or all of
// them): counts by outcome, token totals, and the distributions of every
// per-request figure (request_figures.hpp), mergeable across workers,
// stages and shards.
#include <array>
#include <cstdint>
#include <limits>
#include <span>

#include "llmbench/record/record.hpp"
#include "llmbench/stats/histogram.hpp"
#include "llmbench/stats/running_stats.hpp"
#include "llmbench/stats/server_view.hpp"
#include "llmbench/stats/slo.hpp"
#include "llmbench/stats/token_detail.hpp"

namespace llmbench::stats {

struct MetricSet {
  std::uint64_t requests = 0;   // measured requests that ended (any outcome)
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;     // ended with an error other than `cancelled`
  std::uint64_t cancelled = 0;  // still in flight when the stage ended
  std::array<std::uint64_t, kErrorKindCount> errors{};
  std::uint64_t output_tokens = 0;  // completion tokens of successful requests
  std::uint64_t input_tokens = 0;
  std::uint64_t good = 0;  // succeeded and within every --slo bound (goodput)
  std::array<std::uint64_t, 3> token_sources{};  // successful requests per TokenSource
  // Successful replies that ended short of the requested max_tokens
  // (request_figures.hpp): cut by a limit (the context), or by the model's
  // own stop. Counted by the aggregator, which knows each prompt's max_tokens.
  std::uint64_t truncated = 0;
  std::uint64_t stopped_before_max_tokens = 0;

  Histogram ttfb_ns;           // first byte sent -> first response byte
  Histogram ttft_ns;           // first byte sent -> first content event
  Histogram ttft_intended_ns;  // intended send -> first content event (open loop)
  Histogram itl_ns;            // per token: each gap between content events divided among its event's tokens
  Histogram tpot_ns;           // (last - first content event) / (tokens - 1)
  Histogram e2e_ns;            // first byte sent -> last byte read
  Histogram e2e_intended_ns;   // intended send -> last byte read
  Histogram lag_ns;            // intended send -> picked up by the request path (open loop)
  Histogram connect_ns;        // requests that opened a connection
  Histogram turnaround_ns;     // closed loop: a client's response end -> its next request's start
  Histogram read_lag_ns;       // every token read: user-space time - the kernel's receive time
  Histogram tps_milli;         // per-request tokens/s x 1000 (percentiles in load mode)
  RunningStats tps;            // per-request tokens/s (exact mean and std)
  ServerView server;           // llama-server's timings joined to each request
  TokenDetail detail;          // TTFO, reasoning/content split, tokens per event

  std::int64_t first_start_ns = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_end_ns = std::numeric_limits<std::int64_t>::min();

  // An exact measured window (a stage bounded by --duration): throughput is
  // the tokens read, and the requests completed, inside it, over its length.
  // Windows of several stages merge by adding (they follow each other).
  // Every rate over the window counts only what ended inside it: a window
  // cut short (a stop rule, SIGINT) is followed by a grace period in which
  // the requests in flight finish, and counting those would divide work done
  // after the cut by a window that ended before it.
  bool exact_window = false;
  std::int64_t window_ns = 0;
  double window_tokens = 0;
  std::uint64_t window_completions = 0;
  std::uint64_t window_good = 0;          // ... of which within every --slo bound
  std::uint64_t window_input_tokens = 0;  // their prompt tokens

  // One measured request that ended; `slo` decides whether it was good.
  void add(const RequestRecord& r, const Slo& slo);
  // A request of any phase that succeeded and ended inside the exact window
  // (the caller knows the window): a completion, good or not by `slo`, and
  // its prompt tokens (a non-streamed body's output tokens, which arrive
  // with its last byte, too).
  void add_in_window(const RequestRecord& r, const Slo& slo);
  // One read that carried `content_events` content events and `tokens`
  // tokens, `gap_ns` after the request's previous token read (-1: it carried
  // the first token). Raw inter-event gaps (detail.inter_event_ns): the gap,
  // and a zero gap for every further event in the read (they share its
  // timestamp). ITL per token: each event's gap divided among its tokens
  // (tokens / events of them, at least 1). `tokens` < 0: one per event.
  void add_token_read(std::int64_t gap_ns, std::uint32_t content_events, double tokens = -1);
  void merge(const MetricSet& o);
  // This set's measured window is exact and `length_ns` long.
  void open_window(std::int64_t length_ns) noexcept;

  [[nodiscard]] double success_rate() const noexcept {
    const std::uint64_t n = succeeded + failed;
    return n == 0 ? 0.0 : static_cast<double>(succeeded) / static_cast<double>(n);
  }
  // The measured window's length: exact, or (bounded by a request count)
  // from the first measured token (or start of a request that got none) to
  // the last measured request's end.
  [[nodiscard]] double window_s() const noexcept;
  [[nodiscard]] double request_throughput() const noexcept;
  [[nodiscard]] double output_tokens_per_second() const noexcept;
  // The prompt tokens of the requests that succeeded (the server's count:
  // usage.prompt_tokens) over the measured window; the rate of the
  // endpoints that generate nothing (embeddings, rerank). In an exact
  // window, of the requests that ended inside it (window_input_tokens).
  [[nodiscard]] double input_tokens_per_second() const noexcept;
  // Requests within every --slo bound over the measured window; in an exact
  // window, those that ended inside it (window_good).
  [[nodiscard]] double goodput_per_second() const noexcept;
  [[nodiscard]] double good_share() const noexcept;
};

// The guide's "Overall": the mean of the per-prompt mean tokens/s, over the
// prompts with at least one successful request.
double mean_of_prompt_means(std::span<const MetricSet* const> prompts) noexcept;

}  // namespace llmbench::stats
