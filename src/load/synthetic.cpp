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

// The first n words of a prompt's own word stream, drawn as they are needed
// (so that trying a longer prompt only appends).
class WordStream {
 public:
  explicit WordStream(std::uint64_t seed) : rng_(seed) {}
  std::string text(std::size_t n) {
    while (words_.size() < n) words_.push_back(static_cast<std::uint8_t>(rng_.next() % kWords.size()));
    std::string s;
    s.reserve(n * 6);
    for (std::size_t i = 0; i < n; ++i) {
      if (i) s.push_back(' ');
      s.append(kWords[words_[i]]);
    }
    return s;
  }

 private:
  SplitMix64 rng_;
  std::vector<std::uint8_t> words_;
};

// A prompt's text: `head` (a shared prefix, or nothing), then the first n
// words of its own word stream, then `tail`, a space between each.
struct Composer {
  std::string_view head;
  WordStream& words;
  std::string operator()(std::size_t n, std::string_view tail = {}) const {
    std::string text(head);
    if (n > 0) {
      if (!text.empty()) text.push_back(' ');
      text += words.text(n);
    }
    if (!tail.empty()) {
      if (!text.empty()) text.push_back(' ');
      text += tail;
    }
    return text;
  }
};

std::size_t words_for(double tokens, double words_per_token) {
  return static_cast<std::size_t>(std::max(1.0, std::round(tokens * words_per_token)));
}

struct Fitted {
  std::string text;
  std::optional<std::uint32_t> count;
};

// The first try, `n` its own words. Without a head: about a token a word.
// With one: the head and one word, whose count says what the head costs, and
// then the own part sized from that. When nothing counts (a server without
// /tokenize), the own part is the estimate of what the head leaves
// (`head_tokens` of the target are the head's), about a token a word: not the
// one word that only served to count the head.
Fitted first_fit(std::uint32_t target, double words_per_token, const Composer& compose, const TokenCounter& counter,
                 std::uint32_t head_tokens, std::size_t& n) {
  n = compose.head.empty() ? words_for(target, words_per_token) : 1;
  Fitted best{compose(n), std::nullopt};
  best.count = counter(best.text);
  if (compose.head.empty()) return best;
  if (!best.count) {
    n = words_for(static_cast<double>(target) - std::min(head_tokens, target), words_per_token);
    return {compose(n), std::nullopt};
  }
  if (*best.count < target) {
    // The head counted: the own part is the rest.
    const double rest = static_cast<double>(target) - static_cast<double>(*best.count) + 1;
    const std::size_t m = words_for(rest, words_per_token);
    if (m != n) {
      std::string text = compose(m);
      if (const std::optional<std::uint32_t> c = counter(text)) {
        n = m;
        best = {std::move(text), c};
      }
    }
  }
  return best;
}

// Fits a prompt's word count so that the server's count of the whole request
// prompt (chat template and BOS included, as the counter counts them) is the
// target. A word is about one token, so the first correction lands within a
// token or two and a second one on it; a correction that does not get closer
// is retried at half the step. At most kMaxCounts counts per prompt.
Fitted fit_words(std::uint32_t target, double words_per_token, WordStream& words, const TokenCounter& counter,
                 std::string_view head = {}, std::uint32_t head_tokens = 0) {
  constexpr int kMaxCounts = 8;  // and one more for the last token below
  const auto distance = [target](std::uint32_t c) { return c > target ? c - target : target - c; };
  const Composer compose{head, words};
  std::size_t n = 0;
  Fitted best = first_fit(target, words_per_token, compose, counter, head_tokens, n);
  double damp = 1;
  for (int k = 1; k < kMaxCounts && best.count && *best.count != target; ++k) {
    const double diff = static_cast<double>(target) - static_cast<double>(*best.count);
    auto step = static_cast<long>(std::lround(diff * words_per_token / damp));
    if (step == 0) step = diff > 0 ? 1 : -1;
    if (static_cast<long>(n) + step < 1) step = 1 - static_cast<long>(n);
    if (step == 0) break;
    const auto m = static_cast<std::size_t>(static_cast<long>(n) + step);
    std::string text = compose(m);
    const std::optional<std::uint32_t> c = counter(text);
    if (!c) break;
    if (distance(*c) < distance(*best.count)) {
      n = m;
      best = {std::move(text), c};
      damp = 1;
    } else if (step == 1 || step == -1) {
      break;  // the next word is two tokens here: finished below
    } else {
      damp *= 2;
    }
  }
  // One token off because the word that would close the gap is two tokens:
  // end with "the" (one token in every vocabulary) instead, appended when a
  // token is missing, in place of the last word when one is too many.
  if (best.count && distance(*best.count) == 1) {
    const bool missing = *best.count < target;
    if (missing || n >= 2) {
      std::string text = compose(missing ? n : n - 1, "the");
      if (const std::optional<std::uint32_t> c = counter(text); c && distance(*c) < distance(*best.count)) {
        best = {std::move(text), c};
      }
    }
  }
  return best;
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

FittedText fitted_text(std::uint32_t target, std::uint64_t seed, double words_per_token, const TokenCounter& counter,
                       std::string_view head, std::uint32_t head_tokens) {
  WordStream words(seed);
  if (counter) {
    Fitted f = fit_words(target, words_per_token, words, counter, head, head_tokens);
    return {std::move(f.text), f.count};
  }
  const double own = static_cast<double>(target) - (head.empty() ? 0 : std::min(head_tokens, target));
  return {Composer{head, words}(words_for(own, words_per_token)), std::nullopt};
}

std::vector<SyntheticPrompt> make_synthetic_prompts(const LengthSpec& input, const std::optional<LengthSpec>& output,
                                                    std::size_t count, std::uint64_t seed,
                                                    const TokenCounter& counter, const PrefixSpec& prefix) {
  SplitMix64 rng(seed ^ 0x5eedf00dull);
  const double words_per_token = calibrate_words_per_token(seed, counter);
  // The shared prefixes: `prefix.tokens` tokens of text each. The counter
  // counts a whole request prompt, so the template's own tokens around the
  // text (the count of a one-token text, less one) are added to the target.
  std::vector<std::string> prefixes;
  if (prefix.tokens > 0) {
    std::uint32_t around = 0;
    if (counter) {
      if (const auto c = counter("the"); c && *c >= 1) around = *c - 1;
    }
    for (std::uint32_t g = 0; g < std::max(1u, prefix.groups); ++g) {
      WordStream words(seed ^ 0x9ef1c5ull ^ (0x9e3779b97f4a7c15ull * (g + 1)));
      prefixes.push_back(counter ? fit_words(prefix.tokens + around, words_per_token, words, counter).text
                                 : words.text(words_for(prefix.tokens, words_per_token)));
    }
  }
  std::vector<SyntheticPrompt> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    SyntheticPrompt p;
    const std::uint32_t own = draw(input, rng);
    WordStream words(rng.next());
    p.prefix_group = prefixes.empty() ? 0 : static_cast<std::uint32_t>(rng.next() % prefixes.size());
    const std::string_view head = prefixes.empty() ? std::string_view{} : std::string_view(prefixes[p.prefix_group]);
    const std::uint32_t target = own + prefix.tokens;
    p.target_tokens = target;
    p.input_tokens = target;
    if (counter) {
      Fitted f = fit_words(target, words_per_token, words, counter, head, prefix.tokens);
      p.entry.prompt = std::move(f.text);
      if (f.count) {
        p.input_tokens = *f.count;
        p.measured = true;
      }
    } else {
      p.entry.prompt = Composer{head, words}(words_for(own, words_per_token));
    }
    if (output) p.entry.max_tokens = static_cast<int>(draw(*output, rng));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace llmbench
