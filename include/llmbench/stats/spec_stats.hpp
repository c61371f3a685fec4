#pragma once
// Spec mode's statistics of one prompt, exact over its few runs (no
// histogram): the guide's average and success rate, and what the guide never
// had — spread, CV and its verdict, TTFT and the decode rate.
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "llmbench/record/record.hpp"
#include "llmbench/stats/summary.hpp"

namespace llmbench::stats {

struct SpecStats {
  std::size_t runs = 0;
  std::size_t succeeded = 0;
  double success_rate = 0;      // 0..1, of the runs that were attempted (not cancelled)
  double avg_tps = 0;           // mean of per-run tokens/s over successful runs
  double std_tps = 0;           // sample std dev (n-1), 0 with fewer than 2 runs
  double cv = 0;                // std / mean
  double min_tps = 0;
  double median_tps = 0;
  double max_tps = 0;
  double avg_decode_tps = 0;
  LatencySummary ttft_ms;       // exact, over the successful runs that streamed a token
  LatencySummary ttfo_ms;       // exact, over the successful runs that streamed visible output
  double avg_reasoning_tokens = 0;  // mean over successful runs
  bool reasoning = false;       // some run streamed reasoning apart from content
};

SpecStats spec_stats(std::span<const RequestRecord> runs);

// Exact figures of a few samples, in the histogram summaries' layout.
LatencySummary exact_summary(const std::vector<double>& samples);

// The guide's verdict on a coefficient of variation.
std::string_view cv_verdict(double cv) noexcept;

}  // namespace llmbench::stats
