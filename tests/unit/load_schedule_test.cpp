// Closed- and open-loop schedules: phases, bounds and prompt mixing.
#include <gtest/gtest.h>

#include "llmbench/load/engine.hpp"
#include "llmbench/load/schedule.hpp"

namespace llmbench {
namespace {

constexpr std::int64_t kS = 1'000'000'000;

StagePlan stage(double warmup_s, double duration_s, std::uint64_t requests, double cooldown_s) {
  StagePlan s;
  s.mode = LoadMode::closed;
  s.warmup_s = warmup_s;
  s.duration_s = duration_s;
  s.requests = requests;
  s.cooldown_s = cooldown_s;
  return s;
}

TEST(LoadSchedule, ClosedLoopPhasesFollowTheClock) {
  ClosedLoopSource src(StageWindows::for_stage(stage(1, 2, 0, 1), 0), 0, 3);
  Ticket t;
  ASSERT_TRUE(src.next(t, kS / 2));
  EXPECT_EQ(t.phase, Phase::warmup);
  ASSERT_TRUE(src.next(t, kS + 1));
  EXPECT_EQ(t.phase, Phase::measured);
  ASSERT_TRUE(src.next(t, 3 * kS + 1));
  EXPECT_EQ(t.phase, Phase::cooldown);
  EXPECT_FALSE(src.over(3 * kS + 1));
  EXPECT_FALSE(src.next(t, 4 * kS));
  EXPECT_TRUE(src.over(4 * kS));
  EXPECT_EQ(src.issued(), 3u);
}

TEST(LoadSchedule, ClosedLoopCountBoundThenCooldown) {
  ClosedLoopSource src(StageWindows::for_stage(stage(0, 0, 5, 1), 0), 5, 2);
  Ticket t;
  int measured = 0;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(src.next(t, 10));
    measured += t.phase == Phase::measured;
  }
  EXPECT_EQ(measured, 5);
  ASSERT_TRUE(src.next(t, 20));  // cool-down runs 1 s from the 5th measured ticket
  EXPECT_EQ(t.phase, Phase::cooldown);
  EXPECT_FALSE(src.next(t, 10 + kS));
}

TEST(LoadSchedule, ClosedLoopWithoutCooldownStopsAtTheCount) {
  ClosedLoopSource src(StageWindows::for_stage(stage(0, 0, 2, 0), 0), 2, 1);
  Ticket t;
  EXPECT_TRUE(src.next(t, 0));
  EXPECT_TRUE(src.next(t, 0));
  EXPECT_FALSE(src.next(t, 0));
}

TEST(LoadSchedule, ClosedLoopMixesPromptsRoundRobin) {
  ClosedLoopSource src(StageWindows::for_stage(stage(0, 0, 6, 0), 0), 6, 3);
  Ticket t;
  std::vector<std::uint32_t> seen;
  while (src.next(t, 0)) seen.push_back(t.prompt);
  EXPECT_EQ(seen, (std::vector<std::uint32_t>{0, 1, 2, 0, 1, 2}));
}

TEST(LoadSchedule, OpenScheduleByDuration) {
  StagePlan s = stage(1, 2, 0, 1);
  s.mode = LoadMode::open;
  s.rate_rps = 10;
  const OpenSchedule o = make_open_schedule(s, Arrival::constant, 1, 1);
  EXPECT_EQ(o.at_ns.size(), 40u);  // 4 s at 10/s
  EXPECT_EQ(o.measured_begin, 10u);
  EXPECT_EQ(o.measured_end, 30u);
  EXPECT_EQ(o.phase_of(0), Phase::warmup);
  EXPECT_EQ(o.phase_of(10), Phase::measured);
  EXPECT_EQ(o.phase_of(30), Phase::cooldown);
}

TEST(LoadSchedule, OpenScheduleByCount) {
  StagePlan s = stage(0, 0, 25, 0.5);
  s.mode = LoadMode::open;
  s.rate_rps = 10;
  const OpenSchedule o = make_open_schedule(s, Arrival::constant, 1, 1);
  EXPECT_EQ(o.measured_begin, 0u);
  EXPECT_EQ(o.measured_end, 25u);
  // Cool-down: arrivals up to 0.5 s after the last measured one (2.4 s): 2.5, 2.6, 2.7, 2.8, 2.9.
  EXPECT_EQ(o.at_ns.size(), 30u);
}

// Spec mode: each prompt's warm-up right before its own runs, so that every
// measured run of a prompt meets the cache its warm-up left.
TEST(SpecTickets, EachPromptIsWarmedUpRightBeforeItsRuns) {
  const std::vector<Ticket> t = spec_tickets(3, 2, 1);
  ASSERT_EQ(t.size(), 9u);
  const std::vector<std::pair<std::uint32_t, Phase>> want = {
      {0, Phase::warmup}, {0, Phase::measured}, {0, Phase::measured},
      {1, Phase::warmup}, {1, Phase::measured}, {1, Phase::measured},
      {2, Phase::warmup}, {2, Phase::measured}, {2, Phase::measured}};
  for (std::size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(t[i].id, i);
    EXPECT_EQ(t[i].prompt, want[i].first) << i;
    EXPECT_EQ(t[i].phase, want[i].second) << i;
    EXPECT_EQ(t[i].intended_ns, -1);
  }
  EXPECT_EQ(spec_tickets(2, 3, 0).size(), 6u);  // --warmup 0: runs only
  EXPECT_EQ(spec_tickets(2, 1, 2).front().phase, Phase::warmup);
  EXPECT_EQ(spec_tickets(2, 1, 2)[2].phase, Phase::measured);
}

// The hook runs before each measured ticket only, on the taking thread.
TEST(SpecTickets, ListSourceCallsTheHookBeforeMeasuredTicketsOnly) {
  int calls = 0;
  ListSource src(spec_tickets(2, 3, 1), [&calls] { ++calls; });
  Ticket t;
  int measured = 0;
  while (src.next(t, 0)) {
    if (t.phase == Phase::measured) ++measured;
    EXPECT_EQ(calls, measured);  // already called when a measured ticket is handed out
  }
  EXPECT_EQ(calls, 6);
}

}  // namespace
}  // namespace llmbench
