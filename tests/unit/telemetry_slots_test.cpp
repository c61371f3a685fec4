// llama-server's /slots: the captured idle, busy and after-load answers, the
// older shape, and answers that are not slots.
#include <gtest/gtest.h>

#include <string>

#include "llmbench/telemetry/slots.hpp"
#include "test_support.hpp"

namespace llmbench::telemetry {
namespace {

std::string body(const char* fixture) { return std::string(test::after_headers(test::fixture(fixture))); }

TEST(Slots, IdleServer) {
  const std::optional<SlotsSnapshot> s = parse_slots(body("slots_idle.http"));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->slots.size(), 4u);
  EXPECT_EQ(s->busy(), 0u);
  EXPECT_EQ(s->bad_entries, 0u);
  EXPECT_EQ(s->slots[3].id, 3);
  EXPECT_EQ(s->slots[3].n_ctx, 512);
  EXPECT_FALSE(s->slots[0].n_decoded);  // a never-used slot has no next_token
  EXPECT_FALSE(s->slots[0].id_task);
}

TEST(Slots, BusyServer) {
  const std::optional<SlotsSnapshot> s = parse_slots(body("slots_busy.http"));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->slots.size(), 4u);
  EXPECT_EQ(s->busy(), 1u);
  const SlotState& busy = s->slots[2];
  EXPECT_TRUE(busy.processing);
  EXPECT_EQ(busy.id_task, 685);
  EXPECT_EQ(busy.n_prompt_tokens, 174);
  EXPECT_EQ(busy.n_decoded, 143);
  EXPECT_EQ(busy.n_remain, 337);
  EXPECT_EQ(s->decoded_busy(), 143);
  EXPECT_FALSE(s->slots[3].processing);
  EXPECT_EQ(s->slots[3].n_prompt_tokens, 20);
  EXPECT_EQ(s->slots[3].n_remain, -1);
}

TEST(Slots, AfterTheLoad) {
  const std::optional<SlotsSnapshot> s = parse_slots(body("slots_after.http"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->busy(), 0u);
  EXPECT_EQ(s->decoded_busy(), 0);
  for (const SlotState& slot : s->slots) EXPECT_TRUE(slot.n_decoded) << slot.id;
}

TEST(Slots, OlderShape) {
  // Before is_processing there was "state", and next_token was an object.
  const std::optional<SlotsSnapshot> s = parse_slots(
      R"([{"id":0,"state":1,"n_ctx":4096,"next_token":{"has_next_token":true,"n_remain":90,"n_decoded":10}},)"
      R"({"id":1,"state":0,"n_ctx":4096,"next_token":{"n_decoded":0}}])");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->busy(), 1u);
  EXPECT_EQ(s->slots[0].n_decoded, 10);
  EXPECT_EQ(s->slots[0].n_remain, 90);
  EXPECT_EQ(s->decoded_busy(), 10);
}

TEST(Slots, NotSlots) {
  for (const char* bad : {"", "not json", "{\"error\":{\"code\":501}}", "[{\"id\":0}", "42"}) {
    EXPECT_FALSE(parse_slots(bad)) << bad;
  }
  const std::optional<SlotsSnapshot> mixed = parse_slots(R"([1,"x",{"id":7,"is_processing":true},null])");
  ASSERT_TRUE(mixed);
  EXPECT_EQ(mixed->bad_entries, 3u);
  ASSERT_EQ(mixed->slots.size(), 1u);
  EXPECT_EQ(mixed->slots[0].id, 7);
  EXPECT_EQ(mixed->busy(), 1u);
  // Fields of the wrong type read as absent, not as garbage.
  const std::optional<SlotsSnapshot> odd = parse_slots(R"([{"id":"0","is_processing":"yes","next_token":[5]}])");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->slots[0].id, -1);
  EXPECT_FALSE(odd->slots[0].processing);
  EXPECT_FALSE(odd->slots[0].n_decoded);
}

TEST(Slots, EveryTruncationIsRejected) {
  const std::string full = body("slots_busy.http");
  for (std::size_t n = 0; n < full.size(); ++n) {
    ASSERT_FALSE(parse_slots(std::string_view(full).substr(0, n))) << "cut at " << n;
  }
  EXPECT_TRUE(parse_slots(full));
}

}  // namespace
}  // namespace llmbench::telemetry
