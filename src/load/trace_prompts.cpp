// The prompt text of each trace row: see trace_prompt_text() in trace.hpp.
#include <algorithm>
#include <cmath>

#include "llmbench/load/synthetic.hpp"
#include "llmbench/load/trace.hpp"
#include "llmbench/util/splitmix64.hpp"

namespace llmbench {

namespace {

std::size_t words_for(std::uint64_t tokens, double words_per_token) {
  return static_cast<std::size_t>(std::max(1.0, std::round(static_cast<double>(tokens) * words_per_token)));
}

// The generator of one hash id's block. The seed is mixed first so that
// seeds 1 and 2 do not give hash ids 1 and 2 each other's text.
SplitMix64 block_rng(std::uint64_t seed, std::uint64_t hash_id) {
  SplitMix64 mix(seed ^ 0x7ace0b10c5ull);
  return SplitMix64(mix.next() ^ (hash_id * 0x9E3779B97F4A7C15ull));
}

SplitMix64 row_rng(std::uint64_t seed, std::size_t row_index) {
  SplitMix64 mix(seed ^ 0x7ace0a0ull);
  return SplitMix64(mix.next() ^ (static_cast<std::uint64_t>(row_index) * 0xD1B54A32D192ED03ull));
}

void append(std::string& out, const std::string& words) {
  if (!out.empty()) out.push_back(' ');
  out += words;
}

}  // namespace

std::string trace_prompt_text(const TraceRow& row, std::size_t row_index, std::uint64_t seed, double words_per_token) {
  std::string out;
  std::uint64_t left = row.input_tokens;
  for (const std::uint64_t h : row.hash_ids) {
    if (left == 0) break;
    const std::uint64_t take = std::min<std::uint64_t>(left, kTraceBlockTokens);
    // Draw the whole block, then cut it: a row ending inside a block shares
    // that block's beginning with every row that has it whole.
    SplitMix64 rng = block_rng(seed, h);
    std::string block = synthetic_words(words_for(kTraceBlockTokens, words_per_token), rng);
    if (take < kTraceBlockTokens) {
      const std::size_t keep = words_for(take, words_per_token);
      std::size_t pos = 0;
      for (std::size_t w = 0; w < keep && pos != std::string::npos; ++w) pos = block.find(' ', pos + 1);
      if (pos != std::string::npos) block.resize(pos);
    }
    append(out, block);
    left -= take;
  }
  if (left > 0) {
    SplitMix64 rng = row_rng(seed, row_index);
    append(out, synthetic_words(words_for(left, words_per_token), rng));
  }
  return out;
}

}  // namespace llmbench
