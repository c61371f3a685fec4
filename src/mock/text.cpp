#include "llmbench/mock/text.hpp"

#include <array>

namespace llmbench::mock {

namespace {
constexpr std::size_t kWholeWordBytes = 8;  // longer words are split ...
constexpr std::size_t kPieceBytes = 4;      // ... into pieces of about this size
constexpr std::int32_t kFirstNormalId = 3;  // 0..2 are <unk>, <s>, </s>

bool is_continuation(unsigned char c) noexcept { return (c & 0xC0) == 0x80; }

// Mostly frequent English pieces, a few sub-word pieces and punctuation, some
// multi-byte UTF-8 (as real models emit) and a newline, so that clients'
// UTF-8 and escape handling is exercised by every long enough stream.
struct RawPiece {
  std::string_view text;
  std::string_view json;
};
constexpr std::array<RawPiece, 72> kRawPieces = {{
    {" the", " the"},       {" of", " of"},         {" and", " and"},       {" to", " to"},
    {" a", " a"},           {" in", " in"},         {" is", " is"},         {" that", " that"},
    {" for", " for"},       {" it", " it"},         {" was", " was"},       {" on", " on"},
    {" with", " with"},     {" as", " as"},         {" be", " be"},         {" at", " at"},
    {" by", " by"},         {" this", " this"},     {" had", " had"},       {" not", " not"},
    {" are", " are"},       {" but", " but"},       {" from", " from"},     {" or", " or"},
    {" have", " have"},     {" an", " an"},         {" they", " they"},     {" which", " which"},
    {" one", " one"},       {" you", " you"},       {" were", " were"},     {" her", " her"},
    {" all", " all"},       {" she", " she"},       {" there", " there"},   {" would", " would"},
    {" their", " their"},   {" we", " we"},         {" him", " him"},       {" been", " been"},
    {" time", " time"},     {" upon", " upon"},     {" once", " once"},     {" cat", " cat"},
    {" story", " story"},   {" little", " little"}, {" house", " house"},   {" river", " river"},
    {" model", " model"},   {" token", " token"},   {" server", " server"}, {" quickly", " quickly"},
    {"ing", "ing"},         {"ed", "ed"},           {"s", "s"},             {"ly", "ly"},
    {"er", "er"},           {"tion", "tion"},       {".", "."},             {",", ","},
    {"!", "!"},             {"?", "?"},             {" \"", " \\\""},       {"\"", "\\\""},
    {"\n", "\\n"},          {" été", " été"},       {" naïve", " naïve"},   {" Москва", " Москва"},
    {" 東京", " 東京"},     {"ü", "ü"},             {" café", " café"},     {" —", " —"},
}};

std::array<Piece, kRawPieces.size()> build_pieces() noexcept {
  std::array<Piece, kRawPieces.size()> out{};
  for (std::size_t i = 0; i < kRawPieces.size(); ++i) {
    const std::string_view t = kRawPieces[i].text;
    const bool space = !t.empty() && t.front() == ' ' && t.size() > 1;
    out[i] = Piece{t, kRawPieces[i].json, token_id(space, space ? t.substr(1) : t)};
  }
  return out;
}
}  // namespace

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) noexcept {
  SplitMix64 r(a ^ (b * 0xD6E8FEB86659FD93ULL));
  return r.next();
}

// FNV-1a over the piece as SentencePiece spells it, folded into the vocabulary.
std::int32_t token_id(bool leading_space, std::string_view core) noexcept {
  std::uint32_t h = 2166136261u;
  const auto step = [&h](unsigned char c) {
    h ^= c;
    h *= 16777619u;
  };
  if (leading_space) step(' ');
  for (char c : core) step(static_cast<unsigned char>(c));
  return kFirstNormalId + static_cast<std::int32_t>(h % static_cast<std::uint32_t>(kVocabSize - kFirstNormalId));
}

namespace detail {
std::size_t word_end(std::string_view text, std::size_t i) noexcept {
  while (i < text.size() && is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

// End of the piece starting at `begin` in the word [begin, end): the whole
// word when short, else ~4 bytes, never splitting a UTF-8 sequence.
std::size_t piece_end(std::string_view text, std::size_t begin, std::size_t end) noexcept {
  if (end - begin <= kWholeWordBytes) return end;
  std::size_t p = begin + kPieceBytes;
  while (p < end && is_continuation(static_cast<unsigned char>(text[p]))) ++p;
  return p;
}
}  // namespace detail

std::size_t count_tokens(std::string_view text) noexcept {
  std::size_t n = 0;
  for_each_token(text, [&n](bool, std::string_view) { ++n; });
  return n;
}

void append_token_ids(std::string_view text, std::vector<std::int32_t>& out) {
  for_each_token(text, [&out](bool space, std::string_view core) { out.push_back(token_id(space, core)); });
}

std::span<const Piece> word_pieces() noexcept {
  static const std::array<Piece, kRawPieces.size()> pieces = build_pieces();
  return pieces;
}

const Piece& TextSampler::next() noexcept {
  const std::span<const Piece> all = word_pieces();
  return all[rng_.next() % all.size()];
}

}  // namespace llmbench::mock
