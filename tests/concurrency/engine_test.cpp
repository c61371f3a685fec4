// The engine, its worker threads and the aggregator against the built-in
// server in the same process: accounting, statistics and interruption.
// Runs under TSan in CI (label tsan).
#include <gtest/gtest.h>

#include <thread>

#include "llmbench/load/engine.hpp"
#include "llmbench/mock/server.hpp"
#include "load_plan.hpp"

namespace llmbench {
namespace {

RunPlan make_plan(std::uint16_t port, int threads, int max_tokens, std::size_t prompts = 2) {
  RunPlan plan;
  plan.target.host = "127.0.0.1";
  plan.target.port = port;
  plan.threads = threads;
  plan.timeout_s = 20;
  for (std::size_t i = 0; i < prompts; ++i) {
    // Appends, not `"p" + std::to_string(i)`: GCC 12's bogus -Wrestrict (PR 105651).
    const std::string n = std::to_string(i);
    test::add_chat_prompt(plan, std::string("p").append(n), std::string("prompt ").append(n), max_tokens);
  }
  return plan;
}

std::uint64_t phase_total(const StageResult& r) { return r.phases.warmup + r.phases.measured + r.phases.cooldown; }

// The built-in server and an engine aimed at it. The engine reads `plan` when
// it prepares and runs, so a test may still adjust the plan before that.
struct Rig {
  Rig(const mock::MockConfig& mc, int threads, int max_tokens)
      : server(mc), plan(make_plan(server.start().value(), threads, max_tokens)) {}
  mock::MockServer server;
  RunPlan plan;
  Engine engine{plan};
};

TEST(Engine, ClosedLoopAccountsForEveryRequestAcrossThreads) {
  mock::MockConfig mc;
  mc.decode_tps = 2000;
  mc.slots = 8;
  Rig rig(mc, 2, 8);
  const Status prepared = rig.engine.prepare();
  ASSERT_TRUE(prepared) << prepared.error();
  const StageResult r = rig.engine.run_stage(0, test::closed_stage(6, 60), {});
  EXPECT_EQ(r.overall.requests, 60u);
  EXPECT_EQ(r.overall.succeeded, 60u);
  EXPECT_EQ(r.overall.output_tokens, 60u * 8u);
  EXPECT_EQ(r.scheduled, phase_total(r));
  EXPECT_EQ(r.overall.ttft_ns.count(), 60u);
  EXPECT_EQ(r.overall.itl_ns.count(), 60u * 7u);  // tokens - 1 gaps per request
  EXPECT_EQ(r.prompts.size(), 2u);
  EXPECT_EQ(r.prompts[0].measured.requests + r.prompts[1].measured.requests, 60u);
}

// Clients start in batches of 16 (so that early responses are not stamped
// behind later clients' connects); every one of them must still run, all at
// once: 37 is more than two batches and not a multiple of one.
TEST(Engine, ClosedLoopRunsEveryClientAtOnce) {
  mock::MockConfig mc;
  mc.decode_tps = 100;  // 20 tokens: 0.2 s a request, long enough to overlap
  mc.slots = 40;
  Rig rig(mc, 1, 20);
  const Status prepared = rig.engine.prepare();
  ASSERT_TRUE(prepared) << prepared.error();
  std::atomic<std::uint64_t> most_in_flight{0};
  Observers obs;
  obs.progress_interval = std::chrono::milliseconds(1);
  obs.progress = [&](const Progress& p) {
    if (p.in_flight > most_in_flight.load()) most_in_flight.store(p.in_flight);
  };
  const StageResult r = rig.engine.run_stage(0, test::closed_stage(37, 74), obs);
  EXPECT_EQ(r.overall.succeeded, 74u);
  EXPECT_EQ(most_in_flight.load(), 37u);
}

// --timestamps: every read that returned bytes is counted by its stamp's
// source; on loopback every connection accepts kernel stamps.
TEST(Engine, ReadsAreCountedByTheirTimestampSource) {
  mock::MockConfig mc;
  mc.decode_tps = 2000;
  mc.slots = 4;
  Rig rig(mc, 1, 8);
  const Status prepared = rig.engine.prepare();
  ASSERT_TRUE(prepared) << prepared.error();
  rig.plan.timestamps = http::ReadTimestamps::kernel;
  const StageResult k = rig.engine.run_stage(0, test::closed_stage(4, 8), {});
  EXPECT_EQ(k.overall.succeeded, 8u);
  EXPECT_GE(k.kernel_stamped_reads, 8u) << "at least a read per request";
  EXPECT_EQ(k.user_stamped_reads, 0u);
  EXPECT_EQ(k.unstamped_connections, 0u);
  rig.plan.timestamps = http::ReadTimestamps::user;
  const StageResult u = rig.engine.run_stage(1, test::closed_stage(4, 8), {});
  EXPECT_EQ(u.overall.succeeded, 8u);
  EXPECT_EQ(u.kernel_stamped_reads, 0u);
  EXPECT_GE(u.user_stamped_reads, 8u);
  EXPECT_EQ(u.unstamped_connections, 0u);
}

TEST(Engine, FaultsAreCountedByKindAndNothingIsLost) {
  mock::MockConfig mc;
  mc.decode_tps = 2000;
  mc.slots = 8;
  mc.fault = "reset_midstream";
  mc.fault_every = 3;
  Rig rig(mc, 2, 8);
  const Status prepared = rig.engine.prepare();
  ASSERT_TRUE(prepared) << prepared.error();
  const StageResult r = rig.engine.run_stage(0, test::closed_stage(4, 30), {});
  EXPECT_EQ(r.scheduled, phase_total(r));
  EXPECT_EQ(r.overall.succeeded + r.overall.failed + r.overall.cancelled, r.overall.requests);
  EXPECT_GT(r.overall.errors[static_cast<std::size_t>(ErrorKind::reset)], 0u);
  EXPECT_GT(r.overall.succeeded, 0u);
}

TEST(Engine, OpenLoopRecordsScheduleLag) {
  mock::MockConfig mc;
  mc.decode_tps = 5000;
  mc.slots = 16;
  Rig rig(mc, 2, 4);
  rig.plan.arrival = Arrival::constant;
  const Status prepared = rig.engine.prepare();
  ASSERT_TRUE(prepared) << prepared.error();
  StagePlan st;
  st.mode = LoadMode::open;
  st.rate_rps = 200;
  st.duration_s = 0.5;
  const StageResult r = rig.engine.run_stage(0, st, {});
  EXPECT_EQ(r.scheduled, phase_total(r));
  EXPECT_EQ(r.overall.lag_ns.count(), r.overall.requests - r.overall.cancelled);
  EXPECT_EQ(r.overall.ttft_intended_ns.count(), r.overall.succeeded);
  EXPECT_GE(r.overall.requests, 90u);  // 100 arrivals in 0.5 s at a constant rate
  EXPECT_LE(r.overall.requests, 101u);
}

TEST(Engine, InterruptStopsSchedulingAndCancelsWhatIsInFlight) {
  mock::MockConfig mc;
  mc.decode_tps = 5;  // slow: requests are in flight when the interrupt comes
  mc.slots = 4;
  Rig rig(mc, 1, 200);
  const Status prepared = rig.engine.prepare();
  ASSERT_TRUE(prepared) << prepared.error();
  std::atomic<bool> interrupted{false};
  Observers obs;
  obs.progress_interval = std::chrono::milliseconds(1);
  // The aggregator reports progress once requests are in flight: interrupt then.
  obs.progress = [&](const Progress& p) {
    if (p.in_flight >= 4 && !interrupted.exchange(true)) {
      rig.engine.interrupt();
      rig.engine.cancel_in_flight();
    }
  };
  const StageResult r = rig.engine.run_stage(0, test::closed_stage(4, 1000), obs);
  EXPECT_TRUE(r.interrupted);
  EXPECT_TRUE(rig.engine.interrupted());
  EXPECT_EQ(r.scheduled, phase_total(r));
  EXPECT_GE(r.overall.cancelled, 4u);
  EXPECT_LT(r.scheduled, 1000u);
}

}  // namespace
}  // namespace llmbench
