// The watchdog's quiet probe: it runs once a request has been quiet for
// kFirstProbeNs, backs off while the quiet lasts, starts over when data comes,
// and never runs for a request that ended. Real timers on a private
// io_context; the bounds are lower bounds (a probe never runs early), and the
// upper bound is only "within a few seconds", so a loaded machine slows the
// test without failing it.
#include <gtest/gtest.h>

#include <asio.hpp>

#include <vector>

#include "llmbench/load/watchdog.hpp"
#include "llmbench/util/clock.hpp"

namespace llmbench {
namespace {

constexpr std::int64_t kLongNs = 60'000'000'000;

TEST(WatchdogQuietProbe, RunsAfterTheFirstGapAndBacksOff) {
  asio::io_context io;
  std::vector<std::int64_t> probes;
  bool expired = false;
  Watchdog w(io, [&] { expired = true; }, [&] { probes.push_back(now_ns()); });
  const std::int64_t start = now_ns();
  w.arm(start, kLongNs, 0);
  while (probes.size() < 2) {
    ASSERT_GT(io.run_one_for(std::chrono::seconds(10)), 0u) << "the probe never ran";
  }
  w.disarm();
  EXPECT_FALSE(expired);
  EXPECT_GE(probes[0] - start, Watchdog::kFirstProbeNs) << "probed before the request was quiet for the first gap";
  EXPECT_GE(probes[1] - probes[0], 2 * Watchdog::kFirstProbeNs) << "the gap did not grow while the quiet lasted";
}

TEST(WatchdogQuietProbe, DataStartsTheQuietOverAndAnEndedRequestIsNotProbed) {
  asio::io_context io;
  std::vector<std::int64_t> probes;
  Watchdog w(io, [] {}, [&] { probes.push_back(now_ns()); });
  const std::int64_t start = now_ns();
  w.arm(start, kLongNs, 0);
  // Data half-way through the first gap: the probe moves to a gap after it.
  asio::steady_timer half(io, std::chrono::nanoseconds(Watchdog::kFirstProbeNs / 2));
  std::int64_t touched = 0;
  half.async_wait([&](const std::error_code&) {
    touched = now_ns();
    w.touch(touched);
  });
  while (probes.empty()) {
    ASSERT_GT(io.run_one_for(std::chrono::seconds(10)), 0u) << "the probe never ran";
  }
  ASSERT_GT(touched, 0);
  EXPECT_GE(probes[0] - touched, Watchdog::kFirstProbeNs) << "probed a request that had data within the gap";
  // Ended: nothing more runs, however long we wait for it.
  w.disarm();
  io.restart();
  io.run_for(std::chrono::nanoseconds(3 * Watchdog::kFirstProbeNs));
  EXPECT_EQ(probes.size(), 1u) << "a disarmed watchdog probed";
}

TEST(WatchdogQuietProbe, WithoutAProbeTheTimerSleepsUntilItsLimit) {
  asio::io_context io;
  bool expired = false;
  Watchdog w(io, [&] { expired = true; });
  const std::int64_t start = now_ns();
  w.arm(start, 200'000'000, 0);  // 0.2 s deadline, before any probe gap
  io.run_for(std::chrono::seconds(10));
  EXPECT_TRUE(expired);
  EXPECT_STREQ(w.reason(), "request exceeded --timeout");
}

}  // namespace
}  // namespace llmbench
