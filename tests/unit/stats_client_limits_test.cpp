// When the client itself is the bottleneck: each rule fires above its limit
// and only there, where it applies (open loop without a cap, closed loop),
// and --client-limits overrides parse or fail with the key named.
#include <gtest/gtest.h>

#include "llmbench/stats/client_limits.hpp"

namespace llmbench::stats {
namespace {

MetricSet with(Histogram MetricSet::*h, std::int64_t ns, int n = 100) {
  MetricSet m;
  for (int i = 0; i < n; ++i) (m.*h).record(ns);
  return m;
}

std::vector<std::string> rules(const ClientLoad& load, const ClientLimits& limits = {}) {
  std::vector<std::string> out;
  for (const auto& r : client_limited_reasons(load, limits)) out.push_back(r.rule);
  return out;
}

TEST(ClientLimits, ReadLagAboveOneMillisecondIsTheClientsLateness) {
  const MetricSet late = with(&MetricSet::read_lag_ns, 2'000'000);
  const MetricSet fine = with(&MetricSet::read_lag_ns, 500'000);
  EXPECT_EQ(rules({.overall = &late}), std::vector<std::string>{"read_lag"});
  EXPECT_TRUE(rules({.overall = &fine}).empty());
  const auto reasons = client_limited_reasons({.overall = &late}, {});
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_NEAR(reasons[0].measured, 2.0, 0.02);
  EXPECT_EQ(reasons[0].limit, 1.0);
  EXPECT_NE(reasons[0].message.find("read lag p99 2.0"), std::string::npos) << reasons[0].message;
}

TEST(ClientLimits, ScheduleLagCountsOnlyInAnUncappedOpenLoop) {
  const MetricSet late = with(&MetricSet::lag_ns, 8'000'000);
  EXPECT_EQ(rules({.overall = &late, .open_loop = true}), std::vector<std::string>{"schedule_lag"});
  EXPECT_TRUE(rules({.overall = &late, .open_loop = true, .capped = true}).empty())
      << "waiting for --max-concurrency is the cap's doing, not the client's";
  EXPECT_TRUE(rules({.overall = &late, .closed_loop = true}).empty());
  const MetricSet fine = with(&MetricSet::lag_ns, 4'000'000);
  EXPECT_TRUE(rules({.overall = &fine, .open_loop = true}).empty());
}

TEST(ClientLimits, TurnaroundCountsOnlyInLoadModesClosedLoop) {
  const MetricSet slow = with(&MetricSet::turnaround_ns, 6'000'000);
  EXPECT_EQ(rules({.overall = &slow, .closed_loop = true}), std::vector<std::string>{"turnaround"});
  EXPECT_TRUE(rules({.overall = &slow}).empty()) << "spec mode's runs are not paced";
  const MetricSet fine = with(&MetricSet::turnaround_ns, 1'000'000);
  EXPECT_TRUE(rules({.overall = &fine, .closed_loop = true}).empty());
}

TEST(ClientLimits, TheP99DecidesNotTheMean) {
  MetricSet m;
  for (int i = 0; i < 980; ++i) m.read_lag_ns.record(100'000);
  for (int i = 0; i < 20; ++i) m.read_lag_ns.record(3'000'000);  // 2 % late: p99 is late
  EXPECT_EQ(rules({.overall = &m}), std::vector<std::string>{"read_lag"});
  MetricSet few;
  for (int i = 0; i < 995; ++i) few.read_lag_ns.record(100'000);
  for (int i = 0; i < 5; ++i) few.read_lag_ns.record(3'000'000);  // 0.5 %: p99 is fine
  EXPECT_TRUE(rules({.overall = &few}).empty());
}

TEST(ClientLimits, ABusyWorkerThread) {
  const MetricSet m;
  EXPECT_EQ(rules({.overall = &m, .worker_cpu_share_max = 0.95}), std::vector<std::string>{"worker_cpu"});
  EXPECT_TRUE(rules({.overall = &m, .worker_cpu_share_max = 0.5}).empty());
}

TEST(ClientLimits, SeveralRulesAtOnceAndCustomLimits) {
  MetricSet m = with(&MetricSet::read_lag_ns, 2'000'000);
  for (int i = 0; i < 100; ++i) m.turnaround_ns.record(2'000'000);
  EXPECT_EQ(rules({.overall = &m, .closed_loop = true}), std::vector<std::string>{"read_lag"});
  ClientLimits strict;
  strict.turnaround_ms = 1;
  EXPECT_EQ(rules({.overall = &m, .closed_loop = true}, strict), (std::vector<std::string>{"read_lag", "turnaround"}));
}

TEST(ClientLimits, ParsesOverridesAndNamesWhatIsWrong) {
  auto l = parse_client_limits("read_lag_ms=2, turnaround_ms=10,worker_cpu=0.5");
  ASSERT_TRUE(l) << l.error();
  EXPECT_EQ(l->read_lag_ms, 2);
  EXPECT_EQ(l->turnaround_ms, 10);
  EXPECT_EQ(l->worker_cpu_share, 0.5);
  EXPECT_EQ(l->schedule_lag_ms, 5) << "untouched keys keep their defaults";
  ASSERT_TRUE(parse_client_limits(""));
  const auto unknown = parse_client_limits("turnaround=3");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("unknown key 'turnaround'"), std::string::npos) << unknown.error();
  EXPECT_FALSE(parse_client_limits("read_lag_ms=-1"));
  EXPECT_FALSE(parse_client_limits("read_lag_ms=1x"));
  EXPECT_FALSE(parse_client_limits("read_lag_ms"));
  const auto twice = parse_client_limits("read_lag_ms=1,read_lag_ms=2");
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().find("given twice"), std::string::npos);
}

}  // namespace
}  // namespace llmbench::stats
