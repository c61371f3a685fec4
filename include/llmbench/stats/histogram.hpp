#pragma once
// A mergeable log-linear histogram (HdrHistogram's layout) of non-negative
// integer values: nanoseconds for latencies, or any integer-scaled quantity
// (tokens/s x 1000). Pure: no I/O, no locks; one owner (the aggregator).
//
// Bucket layout
// -------------
// Values 0..127 each get a bucket of their own (width 1), so small values,
// zero gaps above all, are exact. Above that every power of two
// [2^k, 2^(k+1)), k >= 7, is cut into 64 linear sub-buckets of width
// w = 2^(k-6). The index of a value is computed without a loop or a table:
//
//     shift = bit_width(v | 127) - 7      // 0 below 128, k - 6 in octave k
//     index = shift * 64 + (v >> shift)   // v >> shift is in [64, 128)
//
// which numbers the buckets contiguously: 0..127 for the exact range, then 64
// per octave. Values up to kMaxTrackable = 2^44 - 1 ns (about 4.9 h, well
// past the 1 h a request could last) have their own buckets; larger values go
// into the last bucket (and so into the top percentiles' bucket), while
// count, min, max, sum and sum of squares still use the true value.
// 128 + 64 x (44 - 7) = 2,496 buckets of uint64: 19,968 bytes once allocated.
//
// Error bound
// -----------
// A percentile is reported as the midpoint m = lo + (w - 1) / 2 of the bucket
// [lo, lo + w - 1] that holds the value of that rank, clamped to [min, max].
// For any integer v in that bucket |m - v| <= (w - 1) / 2 < w / 2. Below 128,
// w = 1 and m == v: exact. In octave k, lo >= 2^k and w = 2^(k-6), so
//
//     |m - v| / v  <  2^(k-7) / 2^k  =  1/128  =  0.78125 %
//
// for every value from 128 up to kMaxTrackable, including the 1 us .. 1 h
// range we care about (below 256 the error is also at most half a unit).
// Clamping to [min, max] only moves m towards v, since v lies in [min, max].
// Buckets keep their values in order, so the bucket found by walking the
// cumulative counts to a rank is the bucket of the exact rank-th value: the
// bound holds for every percentile, not just on average. 128 sub-buckets
// would halve it but double the memory (~38 KB); 64 keeps us under 1 %.
//
// Mean and std are exact rather than estimated from buckets: the histogram
// keeps the integer sum (< 2^127) and sum of squares (< 2^190) in 192-bit
// accumulators, and std() evaluates (n*sumsq - sum^2) / n^2 in exact integer
// arithmetic before one final rounding. Integers also make merge exact and
// order-independent, so merging shards gives bit-identical results to
// recording everything in one histogram.
//
// Percentile rank: nearest rank, rank = ceil(q/100 x count), at least 1;
// percentile(0) is min and percentile(100) is max, exactly.
//
// The counts are allocated on the first record(), so a histogram that never
// sees a value (a metric a mode does not produce) costs ~100 bytes.
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmbench::stats {

namespace detail {
__extension__ using uint128 = unsigned __int128;

// An unsigned 192-bit integer in three little-endian 64-bit limbs. Only what
// the histogram's exact sums need: add a product of three 64-bit factors
// (the caller guarantees it fits) and add another accumulator.
struct Uint192 {
  std::array<std::uint64_t, 3> limb{};

  void add_product(std::uint64_t a, std::uint64_t b, std::uint64_t c) noexcept {
    const uint128 ab = static_cast<uint128>(a) * b;
    const uint128 lo = static_cast<uint128>(static_cast<std::uint64_t>(ab)) * c;
    const uint128 hi = static_cast<uint128>(static_cast<std::uint64_t>(ab >> 64)) * c;
    // a*b*c = lo + (hi << 64); carry limb by limb.
    uint128 t = static_cast<uint128>(limb[0]) + static_cast<std::uint64_t>(lo);
    limb[0] = static_cast<std::uint64_t>(t);
    t = (t >> 64) + limb[1] + static_cast<std::uint64_t>(lo >> 64) +
        static_cast<std::uint64_t>(hi);
    limb[1] = static_cast<std::uint64_t>(t);
    limb[2] += static_cast<std::uint64_t>(t >> 64) + static_cast<std::uint64_t>(hi >> 64);
  }
  void add(const Uint192& o) noexcept {
    uint128 carry = 0;
    for (std::size_t i = 0; i < limb.size(); ++i) {
      carry += static_cast<uint128>(limb[i]) + o.limb[i];
      limb[i] = static_cast<std::uint64_t>(carry);
      carry >>= 64;
    }
  }
  [[nodiscard]] long double to_long_double() const noexcept;
  friend bool operator==(const Uint192&, const Uint192&) = default;
};
}  // namespace detail

// The nearest rank of percentile q (0..100) among n values: ceil(q/100 x n),
// clamped to [1, n] (0 when n == 0). q is a double, so 99.9 is really
// 99.90000000000000568...; a relative tolerance of 1e-15 keeps 99.9 % of
// 1000 values at rank 999 instead of 1000. NaN counts as 0.
[[nodiscard]] std::uint64_t nearest_rank(double q, std::uint64_t n) noexcept;

class Histogram {
 public:
  static constexpr int kSubBucketBits = 6;  // 64 linear sub-buckets per octave
  static constexpr std::uint64_t kSubBucketCount = std::uint64_t{1} << kSubBucketBits;
  static constexpr std::uint64_t kExactLimit = 2 * kSubBucketCount;  // 0..127 exact
  static constexpr int kTopBits = 44;
  static constexpr std::int64_t kMaxTrackable = (std::int64_t{1} << kTopBits) - 1;

  // Index of the bucket that holds `value` (>= 0); values above kMaxTrackable
  // map to the last bucket.
  static constexpr std::size_t bucket_index(std::int64_t value) noexcept {
    const std::uint64_t v =
        std::min(static_cast<std::uint64_t>(value), static_cast<std::uint64_t>(kMaxTrackable));
    const int shift = std::bit_width(v | (kExactLimit - 1)) - (kSubBucketBits + 1);
    return (static_cast<std::size_t>(shift) << kSubBucketBits) + (v >> shift);
  }
  // 128 exact buckets, then 64 for each octave from 2^7 to 2^43.
  static constexpr std::size_t kBucketCount =
      static_cast<std::size_t>(kTopBits - kSubBucketBits + 1) << kSubBucketBits;
  static constexpr std::size_t kCountsBytes = kBucketCount * sizeof(std::uint64_t);

  // log2 of the width of bucket `index`.
  static constexpr int bucket_shift(std::size_t index) noexcept {
    const auto octave = static_cast<int>(index >> kSubBucketBits);
    return octave > 0 ? octave - 1 : 0;
  }
  static constexpr std::int64_t bucket_lowest(std::size_t index) noexcept {
    const int shift = bucket_shift(index);
    const std::size_t sub = index - (static_cast<std::size_t>(shift) << kSubBucketBits);
    return static_cast<std::int64_t>(sub) << shift;
  }
  static constexpr std::int64_t bucket_highest(std::size_t index) noexcept {
    return bucket_lowest(index) + (std::int64_t{1} << bucket_shift(index)) - 1;
  }
  // The value a percentile reports for this bucket (before clamping).
  static constexpr double bucket_midpoint(std::size_t index) noexcept {
    return static_cast<double>(bucket_lowest(index)) +
           static_cast<double>((std::int64_t{1} << bucket_shift(index)) - 1) / 2.0;
  }

  // Records `value` `n` times. O(1); allocates only on the first call.
  // Negative values are not recorded but counted in rejected().
  void record(std::int64_t value, std::uint64_t n = 1) {
    if (value < 0 || n == 0) [[unlikely]] {
      if (value < 0) rejected_ += n;
      return;
    }
    if (counts_.empty()) [[unlikely]] counts_.assign(kBucketCount, 0);
    counts_[bucket_index(value)] += n;
    count_ += n;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
    const auto v = static_cast<std::uint64_t>(value);
    sum_.add_product(v, n, 1);
    sum_sq_.add_product(v, v, n);
  }

  // Adds every bucket and every exact sum of `other`: the result equals one
  // histogram that recorded both streams.
  void merge(const Histogram& other);
  // Forgets every value; keeps the counts' memory for reuse.
  void reset() noexcept;

  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t rejected() const noexcept { return rejected_; }
  [[nodiscard]] std::int64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  [[nodiscard]] std::int64_t max() const noexcept { return max_; }
  [[nodiscard]] long double sum() const noexcept { return sum_.to_long_double(); }
  [[nodiscard]] double mean() const noexcept;  // 0 when empty
  [[nodiscard]] double std() const noexcept;   // population std dev; 0 when empty
  // Nearest-rank percentile, q in [0, 100] (clamped); 0 when empty.
  [[nodiscard]] double percentile(double q) const noexcept;

  [[nodiscard]] bool allocated() const noexcept { return !counts_.empty(); }
  [[nodiscard]] std::uint64_t count_at(std::size_t index) const noexcept {
    return index < counts_.size() ? counts_[index] : 0;
  }

  // Self-describing ASCII, safe inside a JSON string without escaping:
  //
  //   llh1-64-44:<count>:<rejected>:<min>:<max>:<sum>:<sumsq>:<buckets>
  //
  // "llh1" is the format version, 64 the sub-buckets per octave and 44 the
  // top bit (decimal); every number after it is lowercase hex without
  // leading zeros. <buckets> lists the non-empty buckets in index order,
  // separated by '.': "<count>" for the bucket right after the previous one
  // (or bucket 0 first), "<skip>~<count>" after skipping <skip> empty buckets.
  // An empty histogram has no buckets and zero min/max/sum/sumsq.
  [[nodiscard]] std::string to_compact() const;
  // Parses to_compact()'s output exactly. Rejects (nullopt) anything else:
  // another layout, non-canonical numbers, buckets out of range, or counts,
  // min, max and sums that contradict each other. Never reads out of bounds.
  // Whatever it accepts, to_compact() reproduces byte for byte.
  [[nodiscard]] static std::optional<Histogram> from_compact(std::string_view text);

  // Same values recorded (an unallocated histogram equals an empty one).
  friend bool operator==(const Histogram& a, const Histogram& b) noexcept;

 private:
  std::vector<std::uint64_t> counts_;  // kBucketCount entries, or none yet
  std::uint64_t count_ = 0;
  std::uint64_t rejected_ = 0;
  std::int64_t min_ = std::numeric_limits<std::int64_t>::max();
  std::int64_t max_ = 0;
  detail::Uint192 sum_;     // sum of values: < 2^63 x 2^64 = 2^127
  detail::Uint192 sum_sq_;  // sum of squares: < 2^126 x 2^64 = 2^190
};

static_assert(Histogram::bucket_index(Histogram::kMaxTrackable) + 1 == Histogram::kBucketCount);
static_assert(Histogram::bucket_highest(Histogram::kBucketCount - 1) == Histogram::kMaxTrackable);

}  // namespace llmbench::stats
