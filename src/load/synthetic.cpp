#include "llmbench/load/synthetic.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <memory>


namespace llmbench {

namespace {

// Common English words: each is one token in most tokenizers once it has a
// leading space, so a prompt of N words is close to N tokens before calibration.
constexpr std::array<std::string_view, 64> kWords = {
    "the",   "of",    "and",   "to",    "in",    "is",    "that",  "for",   "it",    "as",    "was",
    "with",  "be",    "by",    "on",    "not",   "he",    "this",  "are",   "or",    "his",   "from",
    "at",    "which", "but",   "have",  "an",    "had",   "they",  "you",   "were",  "their", "one",
    "all",   "we",    "can",   "her",   "has",   "there", "been",  "if",    "more",  "when",  "will",
    "would", "who",   "so",    "no",    "time",  "people", "year", "way",   "day",   "man",   "thing",
    "world", "life",  "hand",  "part",  "child", "eye",   "place", "work",  "week"};

bool parse_double(std::string_view s, double& out) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size() && std::isfinite(out);
}

std::uint32_t draw(const LengthSpec& spec, SplitMix64& rng) {
  const double v = spec.stddev > 0 ? spec.mean + spec.stddev * rng.normal() : spec.mean;
  return static_cast<std::uint32_t>(std::max(1.0, std::round(v)));
}

}  // namespace

std::string synthetic_words(std::size_t n, SplitMix64& rng) {
  std::string s;
  s.reserve(n * 6);
  for (std::size_t i = 0; i < n; ++i) {
    if (i) s.push_back(' ');
    s.append(kWords[rng.next() % kWords.size()]);
  }
  return s;
}

double calibrate_words_per_token(std::uint64_t seed, const TokenCounter& counter) {
  // One sample: the chat template and BOS add a few tokens that the server's
  // count of the content alone does not show.
  constexpr std::size_t kSample = 512;
  if (!counter) return 1.0;
  SplitMix64 sample_rng(seed);
  if (auto n = counter(synthetic_words(kSample, sample_rng)); n && *n > 0) {
    return static_cast<double>(kSample) / static_cast<double>(*n);
  }
  return 1.0;
}

Expected<LengthSpec> parse_length_spec(std::string_view text) {
  LengthSpec spec;
  const std::size_t colon = text.find(':');
  if (!parse_double(text.substr(0, colon), spec.mean) || spec.mean < 1) {
    return Unexpected("expected MEAN[:STDDEV] with MEAN >= 1, got '" + std::string(text) + "'");
  }
  if (colon != std::string_view::npos && (!parse_double(text.substr(colon + 1), spec.stddev) || spec.stddev < 0)) {
    return Unexpected("expected MEAN[:STDDEV] with STDDEV >= 0, got '" + std::string(text) + "'");
  }
  return spec;
}

TokenCounter stop_after_first_failure(TokenCounter counter, std::function<void()> on_failure) {
  auto failed = std::make_shared<bool>(false);
  return [counter = std::move(counter), on_failure = std::move(on_failure), failed](const std::string& text)
             -> std::optional<std::uint32_t> {
    if (*failed) return std::nullopt;
    auto n = counter(text);
    if (!n) {
      *failed = true;
      if (on_failure) on_failure();
    }
    return n;
  };
}

std::vector<SyntheticPrompt> make_synthetic_prompts(const LengthSpec& input, const std::optional<LengthSpec>& output,
                                                    std::size_t count, std::uint64_t seed,
                                                    const TokenCounter& counter) {
  SplitMix64 rng(seed ^ 0x5eedf00dull);
  const double words_per_token = calibrate_words_per_token(seed, counter);
  std::vector<SyntheticPrompt> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    SyntheticPrompt p;
    const std::uint32_t target = draw(input, rng);
    const auto n_words = static_cast<std::size_t>(std::max(1.0, std::round(target * words_per_token)));
    p.entry.prompt = synthetic_words(n_words, rng);
    p.input_tokens = target;
    if (counter) {
      if (auto n = counter(p.entry.prompt)) p.input_tokens = *n;
    }
    if (output) p.entry.max_tokens = static_cast<int>(draw(*output, rng));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace llmbench
