#include "llmbench/stats/request_figures.hpp"

namespace llmbench::stats {

namespace {
std::optional<std::int64_t> span(std::int64_t from, std::int64_t to) noexcept {
  if (from < 0 || to < 0) return std::nullopt;
  return to - from;
}
}  // namespace

std::optional<std::int64_t> ttft_ns(const RequestRecord& r) noexcept { return span(r.sent_ns, r.first_token_ns); }

std::optional<std::int64_t> ttfb_ns(const RequestRecord& r) noexcept { return span(r.sent_ns, r.first_byte_ns); }

std::optional<std::int64_t> ttfo_ns(const RequestRecord& r) noexcept { return span(r.sent_ns, r.first_output_ns); }

std::uint32_t content_tokens(const RequestRecord& r) noexcept {
  return r.completion_tokens > r.reasoning_tokens ? r.completion_tokens - r.reasoning_tokens : 0;
}

std::optional<std::int64_t> ttft_from_intended_ns(const RequestRecord& r) noexcept {
  return span(r.intended_ns, r.first_token_ns);
}

std::optional<std::int64_t> e2e_ns(const RequestRecord& r) noexcept { return span(r.sent_ns, r.end_ns); }

std::optional<std::int64_t> e2e_from_intended_ns(const RequestRecord& r) noexcept {
  return span(r.intended_ns, r.end_ns);
}

std::optional<std::int64_t> schedule_lag_ns(const RequestRecord& r) noexcept {
  return span(r.intended_ns, r.start_ns);
}

std::optional<std::int64_t> tpot_ns(const RequestRecord& r) noexcept {
  if (r.completion_tokens < 2 || r.first_token_ns < 0 || r.last_token_ns <= r.first_token_ns) return std::nullopt;
  return (r.last_token_ns - r.first_token_ns) / static_cast<std::int64_t>(r.completion_tokens - 1);
}

std::optional<double> tokens_per_second(const RequestRecord& r) noexcept {
  const auto e2e = e2e_ns(r);
  // Nothing generated (embeddings, rerank): no rate, rather than 0 tok/s.
  if (!r.ok() || !e2e || *e2e <= 0 || r.completion_tokens == 0) return std::nullopt;
  return static_cast<double>(r.completion_tokens) * 1e9 / static_cast<double>(*e2e);
}

std::optional<double> decode_tokens_per_second(const RequestRecord& r) noexcept {
  if (r.first_token_ns < 0 || r.last_token_ns <= r.first_token_ns) return std::nullopt;
  const std::uint32_t n = r.content_events > 1 ? r.content_events : r.completion_tokens;
  if (n < 2) return std::nullopt;
  return static_cast<double>(n - 1) * 1e9 / static_cast<double>(r.last_token_ns - r.first_token_ns);
}

std::optional<std::int64_t> prefill_ns(const RequestRecord& r) noexcept {
  if (!r.timings.present || r.timings.prompt_ms < 0) return std::nullopt;
  return static_cast<std::int64_t>(r.timings.prompt_ms * 1e6 + 0.5);
}

std::optional<std::int64_t> queue_ns(const RequestRecord& r) noexcept {
  const auto ttft = ttft_ns(r);
  const auto prefill = prefill_ns(r);
  if (!ttft || !prefill) return std::nullopt;
  return *ttft > *prefill ? *ttft - *prefill : 0;
}

std::optional<double> server_decode_tokens_per_second(const RequestRecord& r) noexcept {
  if (!r.timings.present || r.timings.predicted_per_second <= 0) return std::nullopt;
  return r.timings.predicted_per_second;
}

std::optional<std::int64_t> cache_n(const RequestRecord& r) noexcept {
  if (r.timings.present) return static_cast<std::int64_t>(r.timings.cache_n);
  if (r.cached_tokens >= 0) return r.cached_tokens;
  return std::nullopt;
}

double duration_s(const RequestRecord& r) noexcept {
  const auto e2e = e2e_ns(r);
  return e2e && *e2e >= 0 ? static_cast<double>(*e2e) / 1e9 : 0.0;
}

bool meets_slo(const RequestRecord& r, const Slo& slo) noexcept {
  if (!r.ok()) return false;
  if (slo.ttft_ms > 0) {
    const auto t = ttft_ns(r);
    if (!t || static_cast<double>(*t) / 1e6 > slo.ttft_ms) return false;
  }
  if (slo.tpot_ms > 0) {
    // Exact division here, not tpot_ns()'s integer nanoseconds: a bound
    // right at the edge must not flip on rounding.
    if (r.completion_tokens > 1 && r.first_token_ns >= 0 && r.last_token_ns > r.first_token_ns) {
      const double tpot_ms = static_cast<double>(r.last_token_ns - r.first_token_ns) / 1e6 /
                             static_cast<double>(r.completion_tokens - 1);
      if (tpot_ms > slo.tpot_ms) return false;
    }
  }
  if (slo.e2e_ms > 0) {
    const auto e = e2e_ns(r);
    if (!e || static_cast<double>(*e) / 1e6 > slo.e2e_ms) return false;
  }
  return true;
}

bool truncated(const RequestRecord& r, int max_tokens) noexcept {
  if (!r.ok()) return false;
  if (r.context_truncated) return true;
  return r.finish == FinishReason::length && max_tokens > 0 &&
         r.completion_tokens < static_cast<std::uint32_t>(max_tokens);
}

bool stopped_before_max_tokens(const RequestRecord& r, int max_tokens) noexcept {
  return r.ok() && r.finish == FinishReason::stop && max_tokens > 0 &&
         r.completion_tokens < static_cast<std::uint32_t>(max_tokens);
}

}  // namespace llmbench::stats
