#pragma once
// The per-request figures, each defined once (DESIGN.md "Timing and counting
// rules"); the aggregator, the terminal and the JSON all call these.
//
// Every figure is read off one RequestRecord, whose times are nanoseconds on
// the run's steady clock, -1 where a moment was not reached. A figure that a
// request does not define (no token arrived, a body that was not streamed,
// a single token) is nullopt, never a sentinel that a reporter could print.
#include <cstdint>
#include <optional>

#include "llmbench/record/record.hpp"
#include "llmbench/stats/slo.hpp"

namespace llmbench::stats {

// TTFT: first byte of the request written -> the read that carried the first
// event with generated content. nullopt for a non-streamed body (its content
// has no time of its own) or when no token arrived.
std::optional<std::int64_t> ttft_ns(const RequestRecord& r) noexcept;
// TTFB: first byte of the request written -> the read that carried the
// response's first byte.
std::optional<std::int64_t> ttfb_ns(const RequestRecord& r) noexcept;
// TTFO: first byte written -> the read that carried the first visible output
// (content, a completions text or a tool call; not reasoning). Equal to TTFT
// unless the server streams reasoning apart (reasoning_content / reasoning).
std::optional<std::int64_t> ttfo_ns(const RequestRecord& r) noexcept;
// Completion tokens that were not reasoning.
std::uint32_t content_tokens(const RequestRecord& r) noexcept;
// TTFT from the open loop's intended send time (free of coordinated omission).
std::optional<std::int64_t> ttft_from_intended_ns(const RequestRecord& r) noexcept;
// E2E: first byte written -> last byte read.
std::optional<std::int64_t> e2e_ns(const RequestRecord& r) noexcept;
// E2E from the intended send time.
std::optional<std::int64_t> e2e_from_intended_ns(const RequestRecord& r) noexcept;
// Open loop: intended send time -> picked up by the request path.
std::optional<std::int64_t> schedule_lag_ns(const RequestRecord& r) noexcept;
// TPOT: (last - first content event) / (tokens - 1), tokens being the
// server's completion count. Needs two tokens at distinct reads.
std::optional<std::int64_t> tpot_ns(const RequestRecord& r) noexcept;
// The guide's per-request rate: completion tokens / E2E seconds (successful
// requests with a positive E2E only).
std::optional<double> tokens_per_second(const RequestRecord& r) noexcept;
// Decode rate: content events after the first / time after the first (the
// events actually observed in that span; completion tokens when the stream
// carried a single event).
std::optional<double> decode_tokens_per_second(const RequestRecord& r) noexcept;
// llama-server's view (its `timings`): prefill = prompt_ms; queue = TTFT -
// prompt_ms (waiting for a slot, plus network and client; clamped at 0, as
// the two clocks' rounding can cross); the server's decode rate
// (predicted_per_second, 0 gaps: nullopt); prompt tokens served from its
// cache (timings.cache_n, else usage.prompt_tokens_details.cached_tokens).
std::optional<std::int64_t> prefill_ns(const RequestRecord& r) noexcept;
std::optional<std::int64_t> queue_ns(const RequestRecord& r) noexcept;
std::optional<double> server_decode_tokens_per_second(const RequestRecord& r) noexcept;
std::optional<std::int64_t> cache_n(const RequestRecord& r) noexcept;
// E2E in seconds, 0 when undefined (spec mode's "tokens in X s" line).
double duration_s(const RequestRecord& r) noexcept;

// A successful reply cut short of the requested max_tokens by a limit other
// than the model's own stop: llama.cpp's native "truncated": true, or a
// "length" finish (the context filling up) with fewer completion tokens
// than asked for. `max_tokens` <= 0 (the server decides) leaves only the
// server's own word.
bool truncated(const RequestRecord& r, int max_tokens) noexcept;
// A successful reply that the model ended itself (finish_reason "stop",
// native "eos"/"word") before the requested max_tokens: the run measured
// fewer tokens than planned (--ignore-eos asks the server not to stop).
bool stopped_before_max_tokens(const RequestRecord& r, int max_tokens) noexcept;

// Goodput: succeeded and within every bound of `slo`. A request without a
// token fails a TTFT bound; TPOT is only checked where it is defined.
bool meets_slo(const RequestRecord& r, const Slo& slo) noexcept;

}  // namespace llmbench::stats
