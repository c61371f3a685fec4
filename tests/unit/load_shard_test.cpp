// Shards add up to the single-process run: open-loop arrivals partitioned
// exactly, closed-loop concurrency and count split, stage starts planned.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "llmbench/load/schedule.hpp"
#include "llmbench/load/shard.hpp"

namespace llmbench {
namespace {

StagePlan open_stage(double rate, double duration_s) {
  StagePlan s;
  s.mode = LoadMode::open;
  s.rate_rps = rate;
  s.duration_s = duration_s;
  s.warmup_s = 0.5;
  s.cooldown_s = 0.5;
  return s;
}

// Every shard's every worker, drained: each arrival of the whole schedule
// must come out exactly once, with the same intended time and phase.
TEST(LoadShard, OpenLoopShardsPartitionTheWholeSchedule) {
  const OpenSchedule sched = make_open_schedule(open_stage(40, 3), Arrival::poisson, 1.0, 7);
  ASSERT_GT(sched.at_ns.size(), 100u);
  for (const std::uint32_t n : {1u, 2u, 3u, 4u, 7u}) {
    for (const std::size_t workers : {std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
      std::vector<int> seen(sched.at_ns.size(), 0);
      for (std::uint32_t i = 0; i < n; ++i) {
        for (std::size_t w = 0; w < workers; ++w) {
          const ArrivalSlice sl = open_arrivals(ShardPlan{i, n}, w, workers);
          OpenLoopSource src(sched, 1000, sl.first, sl.stride, 6);
          Ticket t;
          while (src.next(t, 0)) {
            ASSERT_LT(t.id, seen.size());
            EXPECT_EQ(t.id % n, i) << "shard " << i << " sent another shard's arrival";
            EXPECT_EQ(t.intended_ns, 1000 + sched.at_ns[t.id]);
            EXPECT_EQ(t.phase, sched.phase_of(t.id));
            ++seen[t.id];
          }
        }
      }
      EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }))
          << n << " shards x " << workers << " workers";
    }
  }
}

TEST(LoadShard, ClosedLoopConcurrencyAndCountAreSplitExactly) {
  StagePlan s;
  s.mode = LoadMode::closed;
  s.concurrency = 10;
  s.requests = 103;
  for (const std::uint32_t n : {1u, 3u, 4u, 10u}) {
    int clients = 0;
    std::uint64_t requests = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const StagePlan part = shard_stage(s, ShardPlan{i, n});
      EXPECT_TRUE(part.concurrency == 10 / static_cast<int>(n) || part.concurrency == 10 / static_cast<int>(n) + 1);
      clients += part.concurrency;
      requests += part.requests;
    }
    EXPECT_EQ(clients, 10);
    EXPECT_EQ(requests, 103u);
  }
}

TEST(LoadShard, OpenLoopKeepsTheRateAndSplitsOnlyTheCap) {
  StagePlan s = open_stage(50, 2);
  s.max_concurrency = 9;
  int cap = 0;
  for (std::uint32_t i = 0; i < 4; ++i) {
    const StagePlan part = shard_stage(s, ShardPlan{i, 4});
    EXPECT_EQ(part.rate_rps, 50);
    cap += part.max_concurrency;
  }
  EXPECT_EQ(cap, 9);
}

TEST(LoadShard, LaterStagesArePlannedOnOneWallClockSchedule) {
  const StagePlan s = open_stage(10, 3);  // 0.5 + 3 + 0.5 s
  EXPECT_EQ(next_planned_start_ns(s, 1'000), 1'000 + 4'000'000'000 + kStageGapNs);
  EXPECT_EQ(next_planned_start_ns(s, -1), -1);
  StagePlan by_count = s;
  by_count.duration_s = 0;
  by_count.requests = 10;
  EXPECT_EQ(next_planned_start_ns(by_count, 1'000), -1);
}

}  // namespace
}  // namespace llmbench
