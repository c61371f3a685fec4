// The histogram's compact text form (Histogram::to_compact / from_compact):
// hex fields, run-length-skipped buckets, and the consistency check that
// rejects any string record() could not have produced.
#include <charconv>
#include <limits>

#include "llmbench/stats/histogram.hpp"
#include "wide_uint.hpp"

namespace llmbench::stats {

namespace {

using detail::Uint192;
using wide::less;
using wide::mul;
using wide::Wide;
using wide::widen;

constexpr std::string_view kPrefix = "llh1-64-44:";
static_assert(Histogram::kSubBucketCount == 64 && Histogram::kTopBits == 44,
              "kPrefix names the layout; change its version with the layout");

void append_hex(std::string& out, std::uint64_t v) {
  char buf[16];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, 16);
  out.append(buf, res.ptr);
}

void append_hex(std::string& out, const Uint192& x) {
  std::size_t top = x.limb.size() - 1;
  while (top > 0 && x.limb[top] == 0) --top;
  append_hex(out, x.limb[top]);
  for (std::size_t i = top; i-- > 0;) {  // lower limbs: all 16 digits
    for (int nibble = 15; nibble >= 0; --nibble) {
      out.push_back("0123456789abcdef"[(x.limb[i] >> (4 * nibble)) & 0xf]);
    }
  }
}

// Canonical lowercase hex of at most 16 * `limbs` digits, no leading zeros.
bool parse_hex(std::string_view text, std::size_t limbs, Uint192& out) noexcept {
  out = Uint192{};
  if (text.empty() || text.size() > 16 * limbs) return false;
  if (text.size() > 1 && text.front() == '0') return false;
  for (const char c : text) {
    std::uint64_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint64_t>(c - 'a' + 10);
    } else {
      return false;
    }
    out.limb[2] = (out.limb[2] << 4) | (out.limb[1] >> 60);
    out.limb[1] = (out.limb[1] << 4) | (out.limb[0] >> 60);
    out.limb[0] = (out.limb[0] << 4) | digit;
  }
  return true;
}

bool parse_u64(std::string_view text, std::uint64_t& out) noexcept {
  Uint192 wide;
  if (!parse_hex(text, 1, wide)) return false;
  out = wide.limb[0];
  return true;
}

// Everything from_compact reads, before it is checked for consistency.
struct Parsed {
  std::uint64_t count = 0, rejected = 0, min = 0, max = 0;
  Uint192 sum, sum_sq;
  std::vector<std::uint64_t> counts;
  std::uint64_t bucket_total = 0;
  std::size_t first = 0, last = 0;  // first and last non-empty bucket
};

// Parses one "<count>" or "<skip>~<count>" entry into p; `next` is the index
// the bucket takes when nothing is skipped.
bool parse_entry(std::string_view entry, std::size_t& next, Parsed& p) {
  std::uint64_t skip = 0, n = 0;
  if (const auto tilde = entry.find('~'); tilde != std::string_view::npos) {
    if (!parse_u64(entry.substr(0, tilde), skip) || skip == 0) return false;
    entry.remove_prefix(tilde + 1);
  }
  if (!parse_u64(entry, n) || n == 0) return false;
  if (next >= Histogram::kBucketCount || skip >= Histogram::kBucketCount - next) return false;
  const std::size_t index = next + static_cast<std::size_t>(skip);
  if (n > std::numeric_limits<std::uint64_t>::max() - p.bucket_total) return false;
  if (p.counts.empty()) {
    p.counts.assign(Histogram::kBucketCount, 0);
    p.first = index;
  }
  p.counts[index] = n;
  p.bucket_total += n;
  p.last = index;
  next = index + 1;
  return true;
}

bool parse_buckets(std::string_view text, Parsed& p) {
  std::size_t next = 0;
  while (!text.empty()) {
    const auto dot = text.find('.');
    if (!parse_entry(text.substr(0, dot), next, p)) return false;
    if (dot == std::string_view::npos) return true;
    text.remove_prefix(dot + 1);
    if (text.empty()) return false;  // a trailing '.'
  }
  return true;
}

bool parse_fields(std::string_view text, Parsed& p) {
  std::array<std::string_view, 7> f;
  for (std::size_t i = 0; i + 1 < f.size(); ++i) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return false;
    f[i] = text.substr(0, colon);
    text.remove_prefix(colon + 1);
  }
  f.back() = text;
  return parse_u64(f[0], p.count) && parse_u64(f[1], p.rejected) && parse_u64(f[2], p.min) &&
         parse_u64(f[3], p.max) && parse_hex(f[4], 3, p.sum) && parse_hex(f[5], 3, p.sum_sq) &&
         parse_buckets(f[6], p);
}

// Checks that the numbers could have come from record(): an accepted string
// must not produce a histogram whose min, max, mean or std contradict its
// buckets (or whose std would need the square root of a negative number).
bool consistent(const Parsed& p) noexcept {
  const Wide sum = widen(p.sum), sum_sq = widen(p.sum_sq), n = widen(p.count);
  if (p.count == 0) return p.counts.empty() && p.min == 0 && p.max == 0 && sum == Wide{} &&
                           sum_sq == Wide{};
  constexpr auto kMaxValue = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (p.bucket_total != p.count || p.min > p.max || p.max > kMaxValue) return false;
  if (p.first != Histogram::bucket_index(static_cast<std::int64_t>(p.min)) ||
      p.last != Histogram::bucket_index(static_cast<std::int64_t>(p.max))) {
    return false;
  }
  const Wide lo = widen(p.min), hi = widen(p.max);
  // n*min <= sum <= n*max, min*sum <= sumsq <= max*sum, sum^2 <= n*sumsq.
  return !less(sum, mul(n, lo)) && !less(mul(n, hi), sum) && !less(sum_sq, mul(lo, sum)) &&
         !less(mul(hi, sum), sum_sq) && !less(mul(n, sum_sq), mul(sum, sum));
}

}  // namespace

std::string Histogram::to_compact() const {
  std::string out(kPrefix);
  append_hex(out, count_);
  for (const std::uint64_t v : {rejected_, static_cast<std::uint64_t>(min()),
                                static_cast<std::uint64_t>(max_)}) {
    out.push_back(':');
    append_hex(out, v);
  }
  out.push_back(':');
  append_hex(out, sum_);
  out.push_back(':');
  append_hex(out, sum_sq_);
  out.push_back(':');
  if (count_ == 0) return out;
  std::size_t next = 0;
  for (std::size_t i = bucket_index(min_); i <= bucket_index(max_); ++i) {
    if (counts_[i] == 0) continue;
    if (next > 0) out.push_back('.');
    if (i > next) {
      append_hex(out, static_cast<std::uint64_t>(i - next));
      out.push_back('~');
    }
    append_hex(out, counts_[i]);
    next = i + 1;
  }
  return out;
}

std::optional<Histogram> Histogram::from_compact(std::string_view text) {
  if (text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  Parsed p;
  if (!parse_fields(text.substr(kPrefix.size()), p) || !consistent(p)) return std::nullopt;
  Histogram h;
  h.rejected_ = p.rejected;
  if (p.count == 0) return h;
  h.counts_ = std::move(p.counts);
  h.count_ = p.count;
  h.min_ = static_cast<std::int64_t>(p.min);
  h.max_ = static_cast<std::int64_t>(p.max);
  h.sum_ = p.sum;
  h.sum_sq_ = p.sum_sq;
  return h;
}

}  // namespace llmbench::stats
