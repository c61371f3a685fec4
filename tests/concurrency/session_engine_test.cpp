// Multi-turn sessions through the engine's worker threads against the
// built-in server in the same process: clients on two threads begin
// sessions from one shared count, each keeps its own history, and every
// turn is accounted for. Runs under TSan in CI (label tsan).
#include <gtest/gtest.h>

#include "llmbench/load/engine.hpp"
#include "llmbench/load/session.hpp"
#include "llmbench/mock/server.hpp"
#include "load_plan.hpp"

namespace llmbench {
namespace {

TEST(EngineSessions, TurnsFollowEachOtherAcrossThreadsAndEveryOneIsCounted) {
  mock::MockConfig mc;
  mc.decode_tps = 2000;
  mc.slots = 8;
  mock::MockServer server(mc);
  RunPlan plan;
  plan.target.host = "127.0.0.1";
  plan.target.port = server.start().value();
  plan.threads = 2;
  plan.timeout_s = 20;
  SessionPlan sp;
  for (int c = 0; c < 2; ++c) {
    std::vector<std::uint32_t> turns;
    for (int k = 0; k < 3; ++k) {
      const std::string key = "c" + std::to_string(c) + "t" + std::to_string(k);
      turns.push_back(static_cast<std::uint32_t>(plan.prompts.size()));
      test::add_chat_prompt(plan, key, "conversation " + std::to_string(c) + " turn " + std::to_string(k), 6);
      ASSERT_TRUE(locate_session_splice(plan.prompts.back(), plan.flavor));
    }
    sp.conversations.push_back(turns);
  }
  sp.max_turns = 3;
  plan.session = sp;
  Engine engine{plan};
  ASSERT_TRUE(engine.prepare());
  const StageResult r = engine.run_stage(0, test::closed_stage(6, 60), {});
  EXPECT_EQ(r.overall.requests, 60u);
  EXPECT_EQ(r.overall.succeeded, 60u);
  ASSERT_EQ(r.prompts.size(), 6u);
  for (int c = 0; c < 2; ++c) {
    const auto n = [&](int k) { return r.prompts[static_cast<std::size_t>(c * 3 + k)].measured.requests; };
    // Sessions begin round robin over the conversations, whichever thread
    // begins them; a turn is only sent after the one before it.
    EXPECT_GE(n(0), 5u) << "conversation " << c;
    EXPECT_GE(n(0), n(1)) << "conversation " << c;
    EXPECT_GE(n(1), n(2)) << "conversation " << c;
    EXPECT_GE(n(2), 3u) << "conversation " << c;
  }
  // Turn 2 carries turn 1 and its reply: more prompt tokens than turn 1.
  const auto mean_input = [&](std::size_t i) {
    const stats::MetricSet& m = r.prompts[i].measured;
    return m.requests == 0 ? 0.0 : static_cast<double>(m.input_tokens) / static_cast<double>(m.requests);
  };
  EXPECT_GT(mean_input(1), mean_input(0) + 6);
  EXPECT_GT(mean_input(2), mean_input(1) + 6);
}

}  // namespace
}  // namespace llmbench
