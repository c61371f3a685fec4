// The ring between a worker and the aggregator, with a real producer thread:
// every value arrives once, in order, nothing is lost when the ring is full.
// Runs under TSan in CI (label tsan).
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>

#include "llmbench/record/record.hpp"
#include "llmbench/record/spsc_ring.hpp"

namespace llmbench {
namespace {

TEST(SpscRing, CapacityRoundsUpToAPowerOfTwo) {
  SpscRing<int> r(5);
  EXPECT_EQ(r.capacity(), 8u);
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(r.try_push(i));
  EXPECT_FALSE(r.try_push(8));  // full
  int v = -1;
  EXPECT_TRUE(r.try_pop(v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(r.try_push(8));
}

TEST(SpscRing, TwoThreadsEveryRecordOnceInOrder) {
  constexpr std::uint64_t kCount = 200'000;
  SpscRing<RequestRecord> ring(64);  // small: the producer meets a full ring often
  std::thread producer([&ring] {
    RequestRecord r;
    for (std::uint64_t i = 0; i < kCount; ++i) {
      r.request_id = i;
      r.completion_tokens = static_cast<std::uint32_t>(i * 7);
      while (!ring.try_push(r)) std::this_thread::yield();
    }
  });
  std::uint64_t next = 0;
  RequestRecord got;
  while (next < kCount) {
    if (!ring.try_pop(got)) {
      std::this_thread::yield();
      continue;
    }
    ASSERT_EQ(got.request_id, next);
    ASSERT_EQ(got.completion_tokens, static_cast<std::uint32_t>(next * 7));
    ++next;
  }
  producer.join();
  EXPECT_FALSE(ring.try_pop(got));
}

}  // namespace
}  // namespace llmbench
