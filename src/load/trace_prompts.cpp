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

// The seed of one hash id's block of words. The run's seed is mixed first
// so that seeds 1 and 2 do not give hash ids 1 and 2 each other's text.
std::uint64_t block_seed(std::uint64_t seed, std::uint64_t hash_id) {
  SplitMix64 mix(seed ^ 0x7ace0b10c5ull);
  return mix.next() ^ (hash_id * 0x9E3779B97F4A7C15ull);
}

std::uint64_t row_seed(std::uint64_t seed, std::size_t row_index) {
  SplitMix64 mix(seed ^ 0x7ace0a0ull);
  return mix.next() ^ (static_cast<std::uint64_t>(row_index) * 0xD1B54A32D192ED03ull);
}

SplitMix64 block_rng(std::uint64_t seed, std::uint64_t hash_id) { return SplitMix64(block_seed(seed, hash_id)); }
SplitMix64 row_rng(std::uint64_t seed, std::size_t row_index) { return SplitMix64(row_seed(seed, row_index)); }

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

// The row's last piece is what is fitted: its own words when it runs past
// its blocks, else its last block (whole or cut). Every block before it is
// drawn whole, as trace_prompt_text() draws it, and the fitted piece is the
// first words of the same stream: a row still shares its blocks' text with
// every row that has them, up to where its own length ends it.
FittedText fitted_trace_prompt(const TraceRow& row, std::size_t row_index, std::uint64_t seed,
                               double words_per_token, const TokenCounter& counter) {
  std::string head;
  std::uint64_t left = row.input_tokens;
  std::uint64_t last_seed = row_seed(seed, row_index);
  for (const std::uint64_t h : row.hash_ids) {
    if (left == 0) break;
    const std::uint64_t take = std::min<std::uint64_t>(left, kTraceBlockTokens);
    if (take == left) {
      last_seed = block_seed(seed, h);
      break;
    }
    SplitMix64 rng = block_rng(seed, h);
    append(head, synthetic_words(words_for(kTraceBlockTokens, words_per_token), rng));
    left -= take;
  }
  const auto target = static_cast<std::uint32_t>(std::min<std::uint64_t>(row.input_tokens, 0xffffffffu));
  // The head's tokens (its whole blocks): without a count, the last piece is
  // the `left` tokens' words that trace_prompt_text draws.
  const auto head_tokens = static_cast<std::uint32_t>(std::min<std::uint64_t>(row.input_tokens - left, 0xffffffffu));
  return fitted_text(target, last_seed, words_per_token, counter, head, head_tokens);
}

}  // namespace llmbench
