// The histogram's cold paths: merge, percentiles, exact std dev, and the
// compact text form. The hot path, record(), is inline in the header.
#include "llmbench/stats/histogram.hpp"

#include <charconv>
#include <cmath>

namespace llmbench::stats {

namespace {

using detail::uint128;
using detail::Uint192;

// 256-bit unsigned integers, little-endian limbs: wide enough for n * sumsq
// (< 2^254) and sum^2 (< 2^254), so the variance numerator is exact.
using Wide = std::array<std::uint64_t, 4>;

Wide widen(const Uint192& x) noexcept { return {x.limb[0], x.limb[1], x.limb[2], 0}; }
Wide widen(std::uint64_t x) noexcept { return {x, 0, 0, 0}; }

// a * b modulo 2^256 (callers keep products below 2^256).
Wide mul(const Wide& a, const Wide& b) noexcept {
  Wide r{};
  for (std::size_t i = 0; i < r.size(); ++i) {
    uint128 carry = 0;
    for (std::size_t j = 0; i + j < r.size(); ++j) {
      carry += static_cast<uint128>(a[i]) * b[j] + r[i + j];
      r[i + j] = static_cast<std::uint64_t>(carry);
      carry >>= 64;
    }
  }
  return r;
}

bool less(const Wide& a, const Wide& b) noexcept {
  for (std::size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return false;
}

Wide sub(const Wide& a, const Wide& b) noexcept {  // a >= b
  Wide r{};
  std::uint64_t borrow = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const std::uint64_t d = a[i] - b[i];
    r[i] = d - borrow;
    borrow = (a[i] < b[i] || d < borrow) ? 1 : 0;
  }
  return r;
}

long double to_long_double(const Wide& x) noexcept {
  long double r = 0;
  for (std::size_t i = x.size(); i-- > 0;) r = std::ldexp(r, 64) + static_cast<long double>(x[i]);
  return r;
}

// ---- compact text form -----------------------------------------------------

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

long double detail::Uint192::to_long_double() const noexcept {
  return stats::to_long_double(Wide{limb[0], limb[1], limb[2], 0});
}

std::uint64_t nearest_rank(double q, std::uint64_t n) noexcept {
  if (n == 0) return 0;
  if (!(q > 0.0)) return 1;
  if (!(q < 100.0)) return n;
  const long double exact = static_cast<long double>(q) * static_cast<long double>(n) / 100.0L;
  const long double rank = std::ceil(exact - exact * 1e-15L);
  if (!(rank > 1.0L)) return 1;
  if (rank >= static_cast<long double>(n)) return n;
  return static_cast<std::uint64_t>(rank);
}

void Histogram::merge(const Histogram& other) {
  rejected_ += other.rejected_;
  if (other.count_ == 0) return;
  if (counts_.empty()) counts_.assign(kBucketCount, 0);
  for (std::size_t i = bucket_index(other.min_); i <= bucket_index(other.max_); ++i) {
    counts_[i] += other.counts_[i];
  }
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_.add(other.sum_);
  sum_sq_.add(other.sum_sq_);
}

void Histogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  rejected_ = 0;
  min_ = std::numeric_limits<std::int64_t>::max();
  max_ = 0;
  sum_ = {};
  sum_sq_ = {};
}

double Histogram::mean() const noexcept {
  if (count_ == 0) return 0.0;
  return static_cast<double>(sum_.to_long_double() / static_cast<long double>(count_));
}

double Histogram::std() const noexcept {
  if (count_ == 0) return 0.0;
  // n^2 * variance = n * sumsq - sum^2, exact in 256 bits (>= 0 by
  // Cauchy-Schwarz, and from_compact enforces it).
  const Wide n = widen(count_);
  const Wide lhs = mul(n, widen(sum_sq_)), rhs = mul(widen(sum_), widen(sum_));
  if (!less(rhs, lhs)) return 0.0;
  const long double n_ld = static_cast<long double>(count_);
  return static_cast<double>(std::sqrt(to_long_double(sub(lhs, rhs)) / (n_ld * n_ld)));
}

double Histogram::percentile(double q) const noexcept {
  if (count_ == 0) return 0.0;
  const auto lo = static_cast<double>(min_), hi = static_cast<double>(max_);
  if (!(q > 0.0)) return lo;
  if (!(q < 100.0)) return hi;
  const std::uint64_t rank = nearest_rank(q, count_);
  std::uint64_t seen = 0;
  const std::size_t last = bucket_index(max_);
  for (std::size_t i = bucket_index(min_); i <= last; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(bucket_midpoint(i), lo, hi);
  }
  return hi;  // unreachable while the counts add up to count_
}

bool operator==(const Histogram& a, const Histogram& b) noexcept {
  if (a.count_ != b.count_ || a.rejected_ != b.rejected_ || a.min() != b.min() ||
      a.max_ != b.max_ || a.sum_ != b.sum_ || a.sum_sq_ != b.sum_sq_) {
    return false;
  }
  if (a.counts_.size() == b.counts_.size()) return a.counts_ == b.counts_;
  const auto& allocated = a.counts_.empty() ? b.counts_ : a.counts_;
  return std::all_of(allocated.begin(), allocated.end(), [](std::uint64_t c) { return c == 0; });
}

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
