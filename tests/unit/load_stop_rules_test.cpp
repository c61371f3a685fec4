// When a stage stops early, and how a client backs off after failed connects.
#include <gtest/gtest.h>

#include "llmbench/load/backoff.hpp"
#include "llmbench/load/stop_rules.hpp"

namespace llmbench {
namespace {

RequestRecord ended(ErrorKind e, std::int64_t end_ns) {
  RequestRecord r;
  r.error = e;
  r.end_ns = end_ns;
  return r;
}

constexpr std::int64_t kS = 1'000'000'000;

TEST(StopRules, UnreachableOnlyAfterEveryRequestFailedToConnectForTheLimit) {
  StopRules rules(StopLimits{2, 0}, "http://127.0.0.1:1", 0);
  rules.on_record(ended(ErrorKind::none, 1 * kS));
  rules.on_record(ended(ErrorKind::connect, 3 * kS));
  EXPECT_FALSE(rules.check(4 * kS));
  rules.on_record(ended(ErrorKind::connect, 4 * kS));
  const auto stop = rules.check(5 * kS);
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->kind, StopKind::unreachable);
  EXPECT_EQ(stop->message, "server at http://127.0.0.1:1 unreachable since t=3.0 s; stopping");
  // A response in between resets the clock; a cancelled request does not.
  StopRules again(StopLimits{2, 0}, "x", 0);
  again.on_record(ended(ErrorKind::connect, 1 * kS));
  again.on_record(ended(ErrorKind::cancelled, 2 * kS));
  again.on_record(ended(ErrorKind::http_5xx, 2 * kS));
  again.on_record(ended(ErrorKind::connect, 3 * kS));
  EXPECT_FALSE(again.check(4 * kS));
  EXPECT_TRUE(again.check(5 * kS));
}

TEST(StopRules, ErrorRateNeedsEnoughRequestsAndIsStrictlyAboveTheLimit) {
  StopRules rules(StopLimits{0, 0.5}, "x", 0);
  for (int i = 0; i < 10; ++i) rules.on_record(ended(i % 2 ? ErrorKind::http_5xx : ErrorKind::none, i));
  EXPECT_FALSE(rules.check(kS)) << "10 requests: too few to judge";
  for (int i = 0; i < 10; ++i) rules.on_record(ended(i % 2 ? ErrorKind::http_5xx : ErrorKind::none, i));
  EXPECT_FALSE(rules.check(kS)) << "exactly 50 % is not above 0.5";
  rules.on_record(ended(ErrorKind::timeout, 20));
  const auto stop = rules.check(kS);
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->kind, StopKind::error_rate);
  EXPECT_NE(stop->message.find("11 of 21 requests failed"), std::string::npos) << stop->message;
  StopRules off(StopLimits{0, 0}, "x", 0);
  for (int i = 0; i < 100; ++i) off.on_record(ended(ErrorKind::connect, i));
  EXPECT_FALSE(off.check(1000 * kS)) << "both rules off";
}

TEST(ReconnectBackoff, DoublesFromTenMillisecondsToOneSecondWithJitter) {
  ReconnectBackoff b(7);
  std::int64_t expected = ReconnectBackoff::kFirstNs;
  std::int64_t total = 0;
  for (int i = 0; i < 12; ++i) {
    const std::int64_t p = b.next();
    EXPECT_GE(p, expected / 2);
    EXPECT_LT(p, expected * 3 / 2);
    total += p;
    expected = std::min(expected * 2, ReconnectBackoff::kMaxNs);
  }
  EXPECT_GT(total, 4 * ReconnectBackoff::kMaxNs / 2) << "the cap is reached and held";
  b.reset();
  EXPECT_LT(b.next(), 3 * ReconnectBackoff::kFirstNs / 2);
  ReconnectBackoff other(8);
  EXPECT_NE(ReconnectBackoff(7).next(), other.next()) << "seeds differ: clients do not retry in lockstep";
}

}  // namespace
}  // namespace llmbench
