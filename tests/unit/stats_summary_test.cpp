// summarize() over histograms and the exact nearest-rank percentile of a few
// samples (spec mode).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "llmbench/stats/summary.hpp"

namespace llmbench::stats {
namespace {

TEST(SummaryLatency, EmptyHistogramIsAllZero) {
  const LatencySummary s = summarize(Histogram{}, 1e6);
  EXPECT_EQ(s.count, 0u);
  for (const double v : {s.mean, s.std, s.min, s.max, s.p50, s.p90, s.p95, s.p99, s.p999}) {
    EXPECT_EQ(v, 0.0);
  }
  Histogram only_rejected;
  only_rejected.record(-1);
  EXPECT_EQ(summarize(only_rejected, 1e6).count, 0u);
  EXPECT_EQ(summarize(only_rejected, 1e6).p99, 0.0);
}

TEST(SummaryLatency, ScalesEveryFigure) {
  Histogram h;
  for (std::int64_t i = 1; i <= 1000; ++i) h.record(i * 1'000'000);  // 1..1000 ms in ns
  const LatencySummary s = summarize(h, 1e6);
  EXPECT_EQ(s.count, 1000u);
  EXPECT_DOUBLE_EQ(s.mean, 500.5);
  EXPECT_NEAR(s.std, std::sqrt((1000.0 * 1000.0 - 1.0) / 12.0), 1e-9);
  EXPECT_EQ(s.min, 1.0);
  EXPECT_EQ(s.max, 1000.0);
  const double bound = 1.0 / 128.0;
  EXPECT_NEAR(s.p50, 500.0, 500.0 * bound);
  EXPECT_NEAR(s.p90, 900.0, 900.0 * bound);
  EXPECT_NEAR(s.p95, 950.0, 950.0 * bound);
  EXPECT_NEAR(s.p99, 990.0, 990.0 * bound);
  EXPECT_NEAR(s.p999, 999.0, 999.0 * bound);
  EXPECT_EQ(s.p50, h.percentile(50) / 1e6);
  EXPECT_EQ(s.p999, h.percentile(99.9) / 1e6);
}

TEST(SummaryLatency, BadScaleMeansUnscaled) {
  Histogram h;
  h.record(100);
  for (const double scale : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    const LatencySummary s = summarize(h, scale);
    EXPECT_EQ(s.max, 100.0);
    EXPECT_EQ(s.p50, 100.0);
  }
}

TEST(SummaryExactPercentile, NearestRankOfFewSamples) {
  const std::vector<double> xs = {4.0, 1.0, 3.0, 2.0};  // unsorted on purpose
  EXPECT_EQ(exact_percentile(xs, 0), 1.0);
  EXPECT_EQ(exact_percentile(xs, 25), 1.0);    // rank ceil(1.0) = 1
  EXPECT_EQ(exact_percentile(xs, 25.1), 2.0);  // rank ceil(1.004) = 2
  EXPECT_EQ(exact_percentile(xs, 50), 2.0);
  EXPECT_EQ(exact_percentile(xs, 90), 4.0);    // rank ceil(3.6) = 4
  EXPECT_EQ(exact_percentile(xs, 100), 4.0);
  EXPECT_EQ(median(xs), 2.5);  // the ordinary median: the mean of the two middle values
  EXPECT_EQ(median({5.0, 1.0, 3.0}), 3.0);
  EXPECT_EQ(median({7.5}), 7.5);
}

TEST(SummaryExactPercentile, EmptyAndNaN) {
  EXPECT_EQ(exact_percentile({}, 50), 0.0);
  EXPECT_EQ(median({}), 0.0);
  EXPECT_EQ(median({std::nan(""), 2.0, std::nan(""), 1.0, 3.0}), 2.0);
  EXPECT_EQ(exact_percentile({std::nan("")}, 50), 0.0);
}

TEST(SummaryExactPercentile, AgreesWithTheHistogramOnSmallIntegers) {
  // Below 128 the histogram is exact, so both definitions must give the
  // same value for every q.
  std::vector<double> xs;
  Histogram h;
  for (std::int64_t i = 0; i < 97; ++i) {
    const std::int64_t v = (i * 37) % 101;
    xs.push_back(static_cast<double>(v));
    h.record(v);
  }
  for (int k = 0; k <= 1000; ++k) {
    const double q = static_cast<double>(k) / 10.0;
    ASSERT_EQ(exact_percentile(xs, q), h.percentile(q)) << q;
  }
}

}  // namespace
}  // namespace llmbench::stats
