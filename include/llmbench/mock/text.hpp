#pragma once
// The mock's toy tokenizer and its generated text.
//
// Real token counts depend on the model's vocabulary; the mock only needs a
// deterministic count that grows with the text the way a BPE count does, so
// that prompt processing time, `usage.prompt_tokens` and the context limit
// respond to prompt length. Words (alnum, '_', any byte >= 0x80) are one token,
// or 4-byte pieces when longer than 8 bytes; each punctuation byte and each
// newline/tab is a token; a single space is folded into the next token as a
// leading space, the way SentencePiece pieces look (" Hello"). Ids come from a
// hash of the piece, so /tokenize is stable across runs and servers.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "llmbench/util/splitmix64.hpp"

namespace llmbench::mock {

inline constexpr std::int32_t kBosId = 1;
inline constexpr std::int32_t kVocabSize = 32000;

// The project's seeded generator: text choice and jitter.
using llmbench::SplitMix64;

// Mixes two values into one seed (for per-request streams of one server seed).
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) noexcept;

// Id of a piece; `leading_space` stands for SentencePiece's "▁" prefix.
std::int32_t token_id(bool leading_space, std::string_view core) noexcept;

namespace detail {
std::size_t word_end(std::string_view text, std::size_t i) noexcept;
std::size_t piece_end(std::string_view text, std::size_t begin, std::size_t end) noexcept;
inline bool is_word_byte(unsigned char c) noexcept {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
}  // namespace detail

// Calls fn(bool leading_space, std::string_view core) once per token, in order.
template <class Fn>
void for_each_token(std::string_view text, Fn&& fn) {
  bool space = true;  // SentencePiece's dummy prefix: the first word reads " Hello"
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == ' ') {
      if (space && i > 0) fn(true, std::string_view{});  // a run of spaces: one token each
      space = true;
      ++i;
    } else if (c == '\n' || c == '\t' || c == '\r') {
      fn(false, text.substr(i, 1));
      space = false;
      ++i;
    } else if (detail::is_word_byte(c)) {
      const std::size_t end = detail::word_end(text, i);
      while (i < end) {
        const std::size_t piece = detail::piece_end(text, i, end);
        fn(space, text.substr(i, piece - i));
        space = false;
        i = piece;
      }
    } else {
      fn(space, text.substr(i, 1));
      space = false;
      ++i;
    }
  }
}

std::size_t count_tokens(std::string_view text) noexcept;
// Appends the ids of `text`'s tokens (what the prompt cache compares).
void append_token_ids(std::string_view text, std::vector<std::int32_t>& out);

// One piece of generated text: its bytes, the same bytes escaped for a JSON
// string (pre-built so the token path never escapes), and its id.
struct Piece {
  std::string_view text;
  std::string_view json;
  std::int32_t id = 0;
};

// The fixed word list generated text is drawn from.
std::span<const Piece> word_pieces() noexcept;

// Draws pieces uniformly from word_pieces(); the same seed gives the same text.
class TextSampler {
 public:
  explicit TextSampler(std::uint64_t seed) noexcept : rng_(seed) {}
  const Piece& next() noexcept;

 private:
  SplitMix64 rng_;
};

}  // namespace llmbench::mock
