// The histogram's layout, percentile error bound, exact sums and merge.
// Percentiles are checked against the exact nearest-rank percentile of the
// sorted data for every q in steps of 0.01, on several distributions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "llmbench/stats/histogram.hpp"

namespace llmbench::stats {
namespace {

constexpr double kBound = 1.0 / 128.0;  // the header's proven relative bound

Histogram record_all(const std::vector<std::int64_t>& values) {
  Histogram h;
  for (const std::int64_t v : values) h.record(v);
  return h;
}

// Compares every percentile q = k/100, k = 0..10000, with the exact one.
// The reference rank uses integer arithmetic only: ceil(k * n / 10000).
void expect_percentiles_within_bound(std::vector<std::int64_t> values) {
  const Histogram h = record_all(values);
  std::sort(values.begin(), values.end());
  const std::uint64_t n = values.size();
  ASSERT_EQ(h.count(), n);
  for (std::uint64_t k = 0; k <= 10000; ++k) {
    const std::uint64_t rank = std::max<std::uint64_t>(1, (k * n + 9999) / 10000);
    const auto exact = static_cast<double>(values[rank - 1]);
    const double got = h.percentile(static_cast<double>(k) / 100.0);
    if (exact < static_cast<double>(Histogram::kExactLimit)) {
      ASSERT_EQ(got, exact) << "q=" << static_cast<double>(k) / 100.0;
    } else {
      ASSERT_LE(std::abs(got - exact), exact * kBound) << "q=" << static_cast<double>(k) / 100.0;
    }
  }
  EXPECT_EQ(h.percentile(0), static_cast<double>(values.front()));
  EXPECT_EQ(h.percentile(100), static_cast<double>(values.back()));
}

long double two_pass_std(const std::vector<std::int64_t>& values) {
  long double mean = 0;
  for (const auto v : values) mean += static_cast<long double>(v);
  mean /= static_cast<long double>(values.size());
  long double m2 = 0;
  for (const auto v : values) m2 += (static_cast<long double>(v) - mean) * (static_cast<long double>(v) - mean);
  return std::sqrt(m2 / static_cast<long double>(values.size()));
}

TEST(HistogramLayout, BucketsAreContiguousAndWithinTheBound) {
  EXPECT_EQ(Histogram::kBucketCount, 2496u);
  EXPECT_LE(Histogram::kCountsBytes, 20u * 1024u);
  std::int64_t expected_lowest = 0;
  for (std::size_t i = 0; i < Histogram::kBucketCount; ++i) {
    const std::int64_t lo = Histogram::bucket_lowest(i), hi = Histogram::bucket_highest(i);
    ASSERT_EQ(lo, expected_lowest) << i;
    ASSERT_EQ(Histogram::bucket_index(lo), i);
    ASSERT_EQ(Histogram::bucket_index(hi), i);
    const double mid = Histogram::bucket_midpoint(i);
    const double worst = std::max(mid - static_cast<double>(lo), static_cast<double>(hi) - mid);
    if (lo < static_cast<std::int64_t>(Histogram::kExactLimit)) {
      ASSERT_EQ(mid, static_cast<double>(lo));
    } else {
      ASSERT_LT(worst / static_cast<double>(lo), kBound) << i;
    }
    expected_lowest = hi + 1;
  }
  EXPECT_EQ(expected_lowest - 1, Histogram::kMaxTrackable);
  EXPECT_GT(Histogram::kMaxTrackable, 3'600'000'000'000);  // one hour in ns
}

TEST(HistogramLayout, NearestRankAvoidsFloatingPointTraps) {
  EXPECT_EQ(nearest_rank(90, 10), 9u);
  EXPECT_EQ(nearest_rank(99.9, 1000), 999u);
  EXPECT_EQ(nearest_rank(0, 5), 1u);
  EXPECT_EQ(nearest_rank(100, 5), 5u);
  EXPECT_EQ(nearest_rank(std::nan(""), 5), 1u);
  EXPECT_EQ(nearest_rank(50, 0), 0u);
  for (std::uint64_t n = 1; n <= 150; ++n) {
    for (std::uint64_t k = 0; k <= 10000; ++k) {
      const std::uint64_t want = std::max<std::uint64_t>(1, (k * n + 9999) / 10000);
      ASSERT_EQ(nearest_rank(static_cast<double>(k) / 100.0, n), want) << k << " " << n;
    }
  }
}

TEST(HistogramPercentile, LogUniformOneMicrosecondToOneHour) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> exponent(std::log(1e3), std::log(3.6e12));
  std::vector<std::int64_t> values(20000);
  for (auto& v : values) v = std::llround(std::exp(exponent(rng)));
  expect_percentiles_within_bound(values);
}

TEST(HistogramPercentile, Exponential) {
  std::mt19937_64 rng(2);
  std::exponential_distribution<double> gap(1.0 / 5e7);  // mean 50 ms
  std::vector<std::int64_t> values(12345);
  for (auto& v : values) v = std::llround(gap(rng));
  expect_percentiles_within_bound(values);
}

TEST(HistogramPercentile, ConstantIsExact) {
  const std::vector<std::int64_t> values(1000, 123'456'789);
  const Histogram h = record_all(values);
  for (const double q : {0.0, 0.1, 50.0, 99.9, 100.0}) EXPECT_EQ(h.percentile(q), 123'456'789.0);
  EXPECT_EQ(h.mean(), 123'456'789.0);
  EXPECT_EQ(h.std(), 0.0);
  expect_percentiles_within_bound(values);
}

TEST(HistogramPercentile, ValuesAtBucketEdges) {
  std::vector<std::int64_t> values;
  for (std::size_t i = 0; i < Histogram::kBucketCount; i += 7) {
    values.push_back(Histogram::bucket_lowest(i));
    values.push_back(Histogram::bucket_highest(i));
    values.push_back(Histogram::bucket_highest(i) + 1);
    if (i > 0) values.push_back(Histogram::bucket_lowest(i) - 1);
  }
  expect_percentiles_within_bound(values);
}

TEST(HistogramPercentile, ZerosAndSmallIntegersAreExact) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<std::int64_t> small(0, 127);
  std::vector<std::int64_t> values(5000);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = i % 3 == 0 ? small(rng) : 0;
  expect_percentiles_within_bound(values);  // asserts equality below 128
  const Histogram h = record_all(values);
  EXPECT_EQ(h.percentile(50), 0.0);
  EXPECT_EQ(h.min(), 0);
}

TEST(HistogramPercentile, CountArgumentEqualsRepeatedRecords) {
  Histogram once, repeated;
  once.record(0, 7);
  once.record(5000, 3);
  for (int i = 0; i < 7; ++i) repeated.record(0);
  for (int i = 0; i < 3; ++i) repeated.record(5000);
  EXPECT_EQ(once, repeated);
  EXPECT_EQ(once.percentile(70), 0.0);
  EXPECT_NEAR(once.percentile(71), 5000.0, 5000.0 * kBound);
}

TEST(HistogramSums, MeanAndStdAreExact) {
  std::mt19937_64 rng(4);
  std::normal_distribution<double> noise(0.0, 1000.0);
  std::vector<std::int64_t> values(10000);
  // A large offset and a small spread: the naive sum-of-squares formula in
  // floating point would lose the spread entirely.
  for (auto& v : values) v = 3'000'000'000'000 + std::llround(noise(rng));
  const Histogram h = record_all(values);
  const long double want = two_pass_std(values);
  EXPECT_NEAR(h.std(), static_cast<double>(want), static_cast<double>(want) * 1e-9);
  long double sum = 0;
  for (const auto v : values) sum += static_cast<long double>(v);
  EXPECT_EQ(h.sum(), sum);
  EXPECT_NEAR(h.mean(), static_cast<double>(sum / 10000), 1e-3);
}

TEST(HistogramSums, ValuesAboveTheTopAreClampedButExactInSums) {
  Histogram h;
  const std::int64_t huge = std::numeric_limits<std::int64_t>::max();
  h.record(1'000);
  h.record(huge);
  h.record(huge);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.max(), huge);
  EXPECT_EQ(h.count_at(Histogram::kBucketCount - 1), 2u);
  EXPECT_EQ(h.sum(), 2.0L * static_cast<long double>(huge) + 1000.0L);
  EXPECT_EQ(h.percentile(100), static_cast<double>(huge));
  const double p50 = h.percentile(50);  // the last bucket's midpoint
  EXPECT_EQ(p50, Histogram::bucket_midpoint(Histogram::kBucketCount - 1));
  EXPECT_GT(h.std(), 0.0);
}

TEST(HistogramSums, NegativeValuesAreRejected) {
  Histogram h;
  h.record(-1);
  h.record(-5, 3);
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.rejected(), 4u);
  EXPECT_FALSE(h.allocated());
  h.record(10, 0);  // a count of zero records nothing
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.percentile(50), 0.0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.std(), 0.0);
}

TEST(HistogramLifecycle, AllocatesLazilyResetsAndCopies) {
  Histogram h;
  EXPECT_FALSE(h.allocated());
  EXPECT_LT(sizeof(Histogram), 160u);
  h.record(42);
  EXPECT_TRUE(h.allocated());
  Histogram copy = h;
  EXPECT_EQ(copy, h);
  Histogram moved = std::move(copy);
  EXPECT_EQ(moved, h);
  h.reset();
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h, Histogram{});  // allocated but empty equals never allocated
  EXPECT_NE(moved, h);
  EXPECT_EQ(moved.percentile(50), 42.0);
}

TEST(HistogramMerge, EqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> exponent(0.0, std::log(1e13));
  std::uniform_int_distribution<int> pick(0, 2);
  Histogram all, parts[3];
  for (int i = 0; i < 30000; ++i) {
    const auto v = i % 10 == 0 ? std::int64_t{0} : std::llround(std::exp(exponent(rng)));
    all.record(v);
    parts[pick(rng)].record(v);
  }
  parts[1].record(-3);
  all.record(-3);
  Histogram merged;
  for (const auto& p : parts) merged.merge(p);
  merged.merge(Histogram{});  // merging an unallocated histogram changes nothing
  EXPECT_EQ(merged, all);
  EXPECT_EQ(merged.std(), all.std());
  EXPECT_EQ(merged.mean(), all.mean());
  for (const double q : {1.0, 50.0, 99.0, 99.9}) EXPECT_EQ(merged.percentile(q), all.percentile(q));
  Histogram twice = all;
  twice.merge(twice);  // self-merge doubles every count
  EXPECT_EQ(twice.count(), 2 * all.count());
  EXPECT_EQ(twice.percentile(50), all.percentile(50));
}

// ---- compact text form ------------------------------------------------------

std::vector<Histogram> sample_histograms() {
  std::vector<Histogram> hs(5);
  hs[1].record(-1);  // empty, with a rejected value
  hs[2].record(0);
  std::mt19937_64 rng(6);
  std::uniform_real_distribution<double> exponent(0.0, std::log(3.6e12));
  for (int i = 0; i < 5000; ++i) hs[3].record(i % 4 == 0 ? 0 : std::llround(std::exp(exponent(rng))));
  hs[4].record(std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::uint32_t>::max());
  hs[4].record(Histogram::kMaxTrackable);
  return hs;
}

TEST(HistogramCompact, KnownEncoding) {
  Histogram h;
  h.record(0, 3);
  h.record(1000);  // bucket 317: 316 empty buckets after bucket 0
  EXPECT_EQ(h.to_compact(), "llh1-64-44:4:0:0:3e8:3e8:f4240:3.13c~1");
  EXPECT_EQ(Histogram{}.to_compact(), "llh1-64-44:0:0:0:0:0:0:");
}

TEST(HistogramCompact, RoundTripIsExactCanonicalAndJsonSafe) {
  for (const Histogram& h : sample_histograms()) {
    const std::string text = h.to_compact();
    const auto back = Histogram::from_compact(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, h);
    EXPECT_EQ(back->to_compact(), text);
    EXPECT_EQ(back->std(), h.std());
    for (const char c : text) {
      ASSERT_TRUE(c > ' ' && c < 0x7f && c != '"' && c != '\\') << text;
    }
  }
}

TEST(HistogramCompact, MergeOfParsedShardsEqualsOneHistogram) {
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> gap(1.0 / 2e7);
  Histogram all, shards[4];
  for (int i = 0; i < 20000; ++i) {
    const auto v = std::llround(gap(rng));
    all.record(v);
    shards[static_cast<std::size_t>(i) % 4].record(v);
  }
  Histogram merged;
  for (const auto& s : shards) {
    const auto parsed = Histogram::from_compact(s.to_compact());
    ASSERT_TRUE(parsed.has_value());
    merged.merge(*parsed);
  }
  EXPECT_EQ(merged, all);
  EXPECT_EQ(merged.to_compact(), all.to_compact());
}

TEST(HistogramCompact, RejectsEveryProperPrefix) {
  for (const Histogram& h : sample_histograms()) {
    const std::string text = h.to_compact();
    for (std::size_t n = 0; n < text.size(); ++n) {
      ASSERT_FALSE(Histogram::from_compact(std::string_view(text).substr(0, n))) << text.substr(0, n);
    }
  }
}

TEST(HistogramCompact, RejectsMalformedAndInconsistentInput) {
  const char* bad[] = {
      "",
      "llh2-64-44:0:0:0:0:0:0:",                  // another version
      "llh1-128-44:0:0:0:0:0:0:",                 // another layout
      "llh1-64-44:0:0:0:0:0:0",                   // a field missing
      "llh1-64-44:0:0:0:0:0:0::",                 // a field too many
      "llh1-64-44:1:0:5:5:5:19:5",                // bucket 5 needs "5~1"
      "llh1-64-44:1:0:5:5:5:19:5~1.",             // trailing '.'
      "llh1-64-44:1:0:5:5:5:19:5~1~1",            // two skips
      "llh1-64-44:1:0:5:5:5:19:0~1",              // a zero skip is not canonical
      "llh1-64-44:1:0:5:5:5:19:5~0",              // an empty bucket listed
      "llh1-64-44:1:0:5:5:5:19:05~1",             // leading zero
      "llh1-64-44:1:0:5:5:5:19:5~1 ",             // trailing space
      "llh1-64-44:1:0:A:A:A:64:a~1",              // uppercase hex
      "llh1-64-44:2:0:5:5:a:32:5~1",              // counts do not add up
      "llh1-64-44:1:0:5:4:5:19:5~1",              // min > max
      "llh1-64-44:1:0:5:5:6:19:5~1",              // sum above count x max
      "llh1-64-44:1:0:5:5:5:18:5~1",              // sum of squares too small
      "llh1-64-44:2:0:4:6:a:34:4~1.1.1",          // three buckets for two values
      "llh1-64-44:2:0:4:6:a:31:4~1.1~1",          // n*sumsq < sum^2
      "llh1-64-44:1:0:0:0:0:0:9c0~1",             // bucket index past the end
      "llh1-64-44:1:0:8000000000000000:8000000000000000:8000000000000000:1:9bf~1",
      "llh1-64-44:10000000000000000:0:0:0:0:0:1",  // 17 hex digits in a 64-bit field
      "llh1-64-44:0:0:1:0:0:0:",                  // empty but with a min
      "llh1-64-44:ffffffffffffffff:0:0:0:0:0:ffffffffffffffff.1",  // count overflow
  };
  for (const char* text : bad) EXPECT_FALSE(Histogram::from_compact(text)) << text;
  EXPECT_TRUE(Histogram::from_compact("llh1-64-44:1:0:5:5:5:19:5~1"));  // the good twin
  EXPECT_TRUE(Histogram::from_compact("llh1-64-44:2:0:4:6:a:34:4~1.1~1"));
  EXPECT_TRUE(Histogram::from_compact("llh1-64-44:0:7:0:0:0:0:"));
}

TEST(HistogramCompact, SurvivesRandomBytesAndMutations) {
  std::mt19937_64 rng(8);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 64);
  const std::string alphabet = "0123456789abcdef~.:-lhA ";
  std::uniform_int_distribution<std::size_t> letter(0, alphabet.size() - 1);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(static_cast<std::size_t>(length(rng)), '\0');
    for (auto& c : junk) c = static_cast<char>(byte(rng));
    EXPECT_FALSE(Histogram::from_compact(junk));
  }
  const auto hs = sample_histograms();
  for (int i = 0; i < 20000; ++i) {
    std::string text = hs[static_cast<std::size_t>(i) % hs.size()].to_compact();
    std::uniform_int_distribution<std::size_t> at(0, text.size() - 1);
    switch (i % 3) {
      case 0: text[at(rng)] = alphabet[letter(rng)]; break;
      case 1: text.erase(at(rng), 1); break;
      default: text.insert(at(rng), 1, alphabet[letter(rng)]); break;
    }
    // Whatever is accepted must be canonical: it re-serialises to itself.
    if (const auto h = Histogram::from_compact(text)) {
      ASSERT_EQ(h->to_compact(), text);
    }
  }
}

}  // namespace
}  // namespace llmbench::stats
