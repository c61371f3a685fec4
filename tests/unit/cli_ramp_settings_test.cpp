// --ramp and --ramp-shape: parsed into one stage, and every malformed or
// conflicting use refused in one line that names what was wrong.
#include <gtest/gtest.h>

#include <string>

#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/cli/ramp_settings.hpp"

namespace llmbench::cli {
namespace {

std::string error_of(const Settings& s) {
  const auto r = parse_settings(s);
  EXPECT_FALSE(r);
  if (r) return {};
  EXPECT_EQ(r.error().find('\n'), std::string::npos) << r.error();
  return r.error();
}

Settings ramp(std::string text) {
  Settings s;
  s.ramp = std::move(text);
  s.duration_s = 10;
  return s;
}

TEST(RampSettings, RateAndConcurrencyRampsParse) {
  Settings s = ramp("rate=1..50");
  const auto p = parse_settings(s);
  ASSERT_TRUE(p) << p.error();
  ASSERT_TRUE(p->ramp);
  EXPECT_TRUE(p->load_mode);
  EXPECT_EQ(p->ramp->mode, LoadMode::open);
  EXPECT_DOUBLE_EQ(p->ramp->ramp.from, 1);
  EXPECT_DOUBLE_EQ(p->ramp->ramp.to, 50);
  EXPECT_EQ(p->ramp->ramp.shape, RampShape::linear);
  const StagePlan st = ramp_stage(*p->ramp, s);
  EXPECT_EQ(st.label, "ramp rate=1..50");
  EXPECT_DOUBLE_EQ(st.rate_rps, 50);
  EXPECT_DOUBLE_EQ(st.duration_s, 10);

  s = ramp("concurrency=2..64");
  s.ramp_shape = "exponential";
  const auto c = parse_settings(s);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->ramp->mode, LoadMode::closed);
  EXPECT_EQ(c->ramp->ramp.shape, RampShape::exponential);
  EXPECT_EQ(ramp_stage(*c->ramp, s).concurrency, 64);
  // A falling rate ramp is a schedule like any other.
  EXPECT_TRUE(parse_settings(ramp("rate=40..2")));
}

TEST(RampSettings, MalformedRampsAreNamed) {
  EXPECT_NE(error_of(ramp("rate=50")).find("--ramp 'rate=50': expected a range rate=A..B"), std::string::npos);
  EXPECT_NE(error_of(ramp("foo=1..2")).find("--ramp 'foo=1..2': 'foo' cannot be ramped"), std::string::npos);
  EXPECT_NE(error_of(ramp("rate=5..x")).find("--ramp 'rate=5..x': 'x' is not a number"), std::string::npos);
  EXPECT_NE(error_of(ramp("rate")).find("--ramp 'rate': expected rate=A..B or concurrency=A..B"), std::string::npos);
  EXPECT_NE(error_of(ramp("rate=-1..5")).find("is negative"), std::string::npos);
  EXPECT_NE(error_of(ramp("rate=0..0")).find("above 0"), std::string::npos);
  EXPECT_NE(error_of(ramp("concurrency=1.5..4")).find("whole numbers"), std::string::npos);
  EXPECT_NE(error_of(ramp("concurrency=8..2")).find("only adds clients"), std::string::npos);
}

TEST(RampSettings, ShapesAndConflictsAreRefusedByName) {
  Settings s = ramp("rate=1..50");
  s.duration_s = 0;
  EXPECT_NE(error_of(s).find("--ramp needs --duration"), std::string::npos);
  s = ramp("rate=0..50");
  s.ramp_shape = "exponential";
  EXPECT_NE(error_of(s).find("--ramp-shape exponential: both ends must be above 0"), std::string::npos);
  s = ramp("rate=1..50");
  s.ramp_shape = "cubic";
  EXPECT_NE(error_of(s).find("--ramp-shape 'cubic': expected linear or exponential"), std::string::npos);
  s = Settings{};
  s.ramp_shape = "linear";
  EXPECT_NE(error_of(s).find("--ramp-shape needs --ramp"), std::string::npos);
  const auto with = [](auto set) {
    Settings x = ramp("rate=1..50");
    set(x);
    return error_of(x);
  };
  EXPECT_NE(with([](Settings& x) { x.rate = 5; }).find("--ramp and --rate"), std::string::npos);
  EXPECT_NE(with([](Settings& x) { x.concurrency = 5; }).find("--ramp and --concurrency"), std::string::npos);
  EXPECT_NE(with([](Settings& x) { x.sweep = "rate=1,2"; }).find("--ramp and --sweep"), std::string::npos);
  Settings sharded = ramp("concurrency=1..8");
  sharded.shard = "0/2";
  EXPECT_NE(error_of(sharded).find("concurrency ramp"), std::string::npos);
  sharded.ramp = "rate=1..8";
  EXPECT_TRUE(parse_settings(sharded));
}

}  // namespace
}  // namespace llmbench::cli
