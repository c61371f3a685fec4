#pragma once
// Shared by the calibration tests of the comparison statistics: seeded runs,
// observed rates checked against binomial noise, and reported so the rates
// can be quoted (a test property in the XML output and a line on stdout).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "llmbench/stats/inference.hpp"
#include "llmbench/util/splitmix64.hpp"

namespace llmbench::stats::calibration {

// n runs of a normally distributed figure with this mean and CV.
inline std::vector<double> normal_runs(SplitMix64& rng, int n, double mean, double cv) {
  std::vector<double> runs(static_cast<std::size_t>(n));
  for (double& r : runs) r = mean * (1.0 + cv * rng.normal());
  return runs;
}

inline bool decided(Verdict v) { return v == Verdict::faster || v == Verdict::slower; }

struct Rate {
  int hits = 0;
  int trials = 0;
  [[nodiscard]] double value() const { return trials == 0 ? 0.0 : static_cast<double>(hits) / trials; }
  // Three standard errors of a Binomial(trials, p) proportion.
  [[nodiscard]] double noise(double p) const { return 3.0 * std::sqrt(p * (1.0 - p) / trials); }
};

inline void report(const std::string& name, const Rate& r) {
  char text[64];
  std::snprintf(text, sizeof text, "%.4f (%d/%d)", r.value(), r.hits, r.trials);
  ::testing::Test::RecordProperty(name, text);
  std::printf("[ calibration ] %-48s %s\n", name.c_str(), text);
}

// rate <= p + 3 SE: "at most about p".
inline void expect_at_most(const std::string& name, const Rate& r, double p) {
  report(name, r);
  EXPECT_LE(r.value(), p + r.noise(p)) << name;
}

// |rate - p| <= 3 SE.
inline void expect_near(const std::string& name, const Rate& r, double p) {
  report(name, r);
  EXPECT_NEAR(r.value(), p, r.noise(p)) << name;
}

// rate >= p - 3 SE: "at least about p" (conservative methods).
inline void expect_at_least(const std::string& name, const Rate& r, double p) {
  report(name, r);
  EXPECT_GE(r.value(), p - r.noise(p)) << name;
}

// No figure of a Comparison may be NaN or infinite, whatever the input.
inline void expect_all_finite(const Comparison& c) {
  for (const double v : {c.base, c.new_value, c.delta_pct, c.ci_lo_pct, c.ci_hi_pct}) {
    EXPECT_TRUE(std::isfinite(v)) << v;
  }
  if (c.p_value) {
    EXPECT_TRUE(std::isfinite(*c.p_value));
  }
}

}  // namespace llmbench::stats::calibration
