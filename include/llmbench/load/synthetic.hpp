#pragma once
// Synthetic prompts of a chosen length (--input-tokens MEAN[:STDDEV]) asking
// for a chosen output (--output-tokens MEAN[:STDDEV]).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/load/dataset.hpp"
#include "llmbench/util/expected.hpp"
#include "llmbench/util/splitmix64.hpp"

namespace llmbench {

struct LengthSpec {
  double mean = 0;
  double stddev = 0;
};

// Shared prefixes (--prefix-tokens, --prefix-groups): every prompt starts
// with one of `groups` prefixes of `tokens` tokens, chosen by the seed.
struct PrefixSpec {
  std::uint32_t tokens = 0;  // 0: none
  std::uint32_t groups = 1;
};

// Parses "MEAN" or "MEAN:STDDEV" (positive mean, non-negative stddev).
Expected<LengthSpec> parse_length_spec(std::string_view text);

// Counts the tokens of a text with the server's tokenizer; nullopt when the
// server has no /tokenize.
using TokenCounter = std::function<std::optional<std::uint32_t>(const std::string&)>;

// A counter that stops asking after its first failure (a server without
// /tokenize would otherwise be asked once per prompt: 257 failing requests
// for 256 synthetic prompts) and calls `on_failure` once when it happens.
TokenCounter stop_after_first_failure(TokenCounter counter, std::function<void()> on_failure);

// `n` words drawn from the synthetic word list (about one token each).
std::string synthetic_words(std::size_t n, SplitMix64& rng);

// Words per token of synthetic text as the server counts it, from one
// sample of 512 words; 1.0 when `counter` is empty or fails.
double calibrate_words_per_token(std::uint64_t seed, const TokenCounter& counter);

// A text that the counter counts at `target` tokens (±1), fitted as the
// synthetic prompts are; after `head` and a space when a head is given (the
// target then counts the head too, `head_tokens` of it: the head's count, or
// its estimate). Its words come from `seed`. Without a working counter: its
// own words are about a token a word of target - head_tokens, and no count.
struct FittedText {
  std::string text;
  std::optional<std::uint32_t> count;
};
FittedText fitted_text(std::uint32_t target, std::uint64_t seed, double words_per_token, const TokenCounter& counter,
                       std::string_view head = {}, std::uint32_t head_tokens = 0);

struct SyntheticPrompt {
  DatasetEntry entry;
  std::uint32_t target_tokens = 0;  // the length drawn for it
  std::uint32_t input_tokens = 0;   // the server's count when it could tell, else the target
  bool measured = false;            // input_tokens is the server's count
  std::uint32_t prefix_group = 0;   // which shared prefix it starts with (0 without prefixes)
};

// `count` prompts with lengths drawn from the spec (seeded). Text is built
// from a word list. When `counter` works (it counts the whole request prompt:
// with the chat template and BOS when it can), each prompt's word count is
// fitted until the server counts it at its drawn length (±1 where one word
// is two tokens); otherwise lengths are estimates at about a token a word
// (with a prefix: the prefix's words, then the drawn length's).
//
// With a prefix, a prompt is its group's prefix text, then its own words: the
// prefix is fitted once per group to `prefix.tokens` tokens of text (the
// server's count of it less that of the template around it), and the whole
// prompt to prefix.tokens + its drawn length.
std::vector<SyntheticPrompt> make_synthetic_prompts(const LengthSpec& input, const std::optional<LengthSpec>& output,
                                                    std::size_t count, std::uint64_t seed,
                                                    const TokenCounter& counter, const PrefixSpec& prefix = {});

}  // namespace llmbench
