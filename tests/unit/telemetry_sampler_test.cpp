// The sampler: its schedule (pure), series summaries, and its thread with
// probes that count, fail, return garbage, throw and dawdle.
//
// No assertion here depends on how fast the machine is: the tests wait for
// events (a probe called N times) with a generous deadline that only bounds a
// hang, and the slow-probe test asserts a lower bound that more load only
// raises.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "llmbench/telemetry/sampler.hpp"
#include "llmbench/util/clock.hpp"

namespace llmbench::telemetry {
namespace {

using namespace std::chrono_literals;

// Counts calls and lets the test wait for the n-th.
class CallCounter {
 public:
  void hit() {
    {
      const std::lock_guard<std::mutex> lock(mu_);
      ++calls_;
    }
    cv_.notify_all();
  }
  // False if fewer than n calls came within the (generous) deadline.
  bool wait_for(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 60s, [&] { return calls_ >= n; });
  }
  int calls() {
    const std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
};

std::optional<std::vector<Reading>> one_gauge(std::string_view text) {
  const std::optional<double> v = prom::parse_value(text);
  if (!v) return std::nullopt;
  return std::vector<Reading>{Reading{"x", {}, "things", SeriesKind::gauge, *v}};
}

Probe counting_probe(std::string name, CallCounter& counter, std::function<std::optional<std::string>()> answer) {
  return Probe{std::move(name),
               [&counter, answer = std::move(answer)] {
                 counter.hit();
                 return answer();
               },
               one_gauge, 1};
}

ProbeCounters counters_of(const std::vector<ProbeCounters>& all, std::string_view name) {
  for (const ProbeCounters& c : all) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no probe " + std::string(name));
}

TEST(SamplerSchedule, NextSlot) {
  const std::int64_t ms = 1'000'000;
  // Done within its slot: the next one.
  EXPECT_EQ(next_slot(0, 1, 0 + 300 * ms / 1000, 0, ms).slot, 1);
  EXPECT_EQ(next_slot(4, 1, 4 * ms + 999'999, 0, ms).skipped, 0u);
  // Done exactly when the next slot is due: still runs in it.
  EXPECT_EQ(next_slot(4, 1, 5 * ms, 0, ms).slot, 5);
  // 2.5 intervals long: slots 1 and 2 passed, no late catch-up, slot 3 next.
  const NextSlot slow = next_slot(0, 1, 2 * ms + ms / 2, 0, ms);
  EXPECT_EQ(slow.slot, 3);
  EXPECT_EQ(slow.skipped, 2u);
  // Every 10th slot: a run from slot 10 that ends in slot 35 missed 20 and 30.
  const NextSlot sparse = next_slot(10, 10, 35 * ms + 1, 0, ms);
  EXPECT_EQ(sparse.slot, 40);
  EXPECT_EQ(sparse.skipped, 2u);
  EXPECT_EQ(next_slot(10, 10, 19 * ms, 0, ms).slot, 20);
  // Origin shifts everything; an end before the origin skips nothing.
  EXPECT_EQ(next_slot(0, 1, 7 * ms, 5 * ms, ms).slot, 2);
  EXPECT_EQ(next_slot(0, 1, -ms, 0, ms).slot, 1);
  EXPECT_EQ(next_slot(3, 0, 0, 0, ms).slot, 4);  // every < 1 means every slot
}

Series make_series(SeriesKind kind, std::vector<Point> points) {
  return Series{"s", {}, "u", kind, std::move(points)};
}

TEST(SamplerSeries, GaugeOverAWindow) {
  const Series g = make_series(SeriesKind::gauge, {{0, 1}, {1, 3}, {2, 2}, {3, 100}});
  const SeriesSummary s = summarize(g, 0, 2);  // both ends included
  EXPECT_EQ(s.points, 3u);
  EXPECT_EQ(s.p50, 2);
  EXPECT_EQ(s.max, 3);
  EXPECT_EQ(s.mean, 2);
  EXPECT_FALSE(s.delta);
  EXPECT_FALSE(s.rate_per_s);
  const SeriesSummary empty = summarize(g, 10, 20);
  EXPECT_EQ(empty.points, 0u);
  EXPECT_EQ(empty.max, 0);
  // A NaN is no value; it is still a point.
  const SeriesSummary nan = summarize(make_series(SeriesKind::gauge, {{0, 4}, {1, NAN}, {2, 6}}), 0, 2);
  EXPECT_EQ(nan.points, 3u);
  EXPECT_EQ(nan.mean, 5);
  EXPECT_EQ(nan.max, 6);
}

TEST(SamplerSeries, CounterDeltaRateAndReset) {
  // 10 -> 20 -> 40, then the server restarted: 5, then 15.
  const Series c = make_series(SeriesKind::counter, {{0, 10}, {1, 20}, {2, 40}, {3, 5}, {4, 15}});
  const SeriesSummary s = summarize(c, 0, 4);
  EXPECT_EQ(s.points, 5u);
  EXPECT_EQ(s.resets, 1u);
  EXPECT_EQ(s.delta, 10 + 20 + 5 + 10);
  EXPECT_EQ(s.rate_per_s, 45.0 / 4);
  // Per-interval rates 10, 20, 5, 10 a second.
  EXPECT_EQ(s.p50, 10);
  EXPECT_EQ(s.max, 20);
  EXPECT_EQ(s.mean, 11.25);
  const SeriesSummary late = summarize(c, 1.5, 4);
  EXPECT_EQ(late.delta, 15);
  EXPECT_EQ(late.rate_per_s, 15.0 / 2);
  const SeriesSummary one = summarize(c, 0, 0.5);
  EXPECT_EQ(one.points, 1u);
  EXPECT_FALSE(one.delta);
}

TEST(SamplerSeries, FindByNameAndLabels) {
  std::vector<Series> all;
  all.push_back(Series{"host.cpu_busy_ratio", {{"cpu", "all"}}, "ratio", SeriesKind::gauge, {}});
  all.push_back(Series{"host.cpu_busy_ratio", {{"cpu", "0"}}, "ratio", SeriesKind::gauge, {}});
  EXPECT_EQ(find_series(all, "host.cpu_busy_ratio", {{"cpu", "0"}}), &all[1]);
  EXPECT_EQ(find_series(all, "host.cpu_busy_ratio"), nullptr);
  EXPECT_EQ(find_series(all, "nope", {{"cpu", "0"}}), nullptr);
}

TEST(Sampler, RecordsTimestampedSeries) {
  CallCounter calls;
  const std::int64_t start_ns = now_ns();
  Sampler s({counting_probe("p", calls, [] { return std::optional<std::string>("7.5"); })},
            SamplerOptions{1ms, start_ns});
  s.start();
  ASSERT_TRUE(calls.wait_for(4));
  s.stop();
  const std::vector<Series> all = s.series();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].name, "x");
  EXPECT_EQ(all[0].unit, "things");
  EXPECT_EQ(all[0].kind, SeriesKind::gauge);
  ASSERT_GE(all[0].points.size(), 4u);
  EXPECT_EQ(all[0].points.size(), static_cast<std::size_t>(calls.calls()));
  double last = -1;
  for (const Point& p : all[0].points) {
    EXPECT_EQ(p.value, 7.5);
    EXPECT_GE(p.t_s, 0.0);
    EXPECT_GE(p.t_s, last);
    last = p.t_s;
  }
  const ProbeCounters c = counters_of(s.counters(), "p");
  EXPECT_EQ(c.scrapes_ok, all[0].points.size());
  EXPECT_EQ(c.scrapes_failed + c.scrapes_bad, 0u);
}

TEST(Sampler, CountsEveryKindOfFailureAndGoesOn) {
  CallCounter none, garbage, thrower, nan, good;
  std::vector<Probe> probes;
  probes.push_back(counting_probe("none", none, [] { return std::optional<std::string>(); }));
  probes.push_back(counting_probe("garbage", garbage, [] { return std::optional<std::string>("<html>"); }));
  probes.push_back(counting_probe("thrower", thrower, []() -> std::optional<std::string> {
    throw std::runtime_error("boom");
  }));
  probes.push_back(counting_probe("nan", nan, [] { return std::optional<std::string>("NaN"); }));
  probes.push_back(counting_probe("good", good, [] { return std::optional<std::string>("1"); }));
  Sampler s(std::move(probes), SamplerOptions{1ms, now_ns()});
  s.start();
  ASSERT_TRUE(good.wait_for(3));
  s.stop();
  const std::vector<ProbeCounters> c = s.counters();
  EXPECT_GE(counters_of(c, "none").scrapes_failed, 3u);
  EXPECT_EQ(counters_of(c, "none").scrapes_ok, 0u);
  EXPECT_GE(counters_of(c, "garbage").scrapes_bad, 3u);
  EXPECT_EQ(counters_of(c, "garbage").scrapes_failed, 0u);
  EXPECT_GE(counters_of(c, "thrower").scrapes_failed, 3u);
  EXPECT_GE(counters_of(c, "nan").scrapes_ok, 3u);  // read fine, value dropped
  const std::vector<Series> all = s.series();
  ASSERT_EQ(all.size(), 1u);  // only "good" put points down, all under "x"
  EXPECT_EQ(all[0].points.size(), counters_of(c, "good").scrapes_ok);
}

TEST(Sampler, SlowProbeSkipsItsSlotsInsteadOfRunningLate) {
  CallCounter slow;
  Probe p = counting_probe("slow", slow, [] {
    std::this_thread::sleep_for(5ms);  // at least 5 intervals
    return std::optional<std::string>("1");
  });
  Sampler s({std::move(p)}, SamplerOptions{1ms, now_ns()});
  s.start();
  ASSERT_TRUE(slow.wait_for(3));
  s.stop();
  const ProbeCounters c = counters_of(s.counters(), "slow");
  ASSERT_GE(c.scrapes_ok, 3u);
  // Each call began at or after its slot and lasted >= 5 ms, so it passed at
  // least the 4 slots after its own; a busier machine only skips more.
  EXPECT_GE(c.scrapes_skipped, 4u * c.scrapes_ok);
}

TEST(Sampler, StopWakesAWaitingSamplerAtOnce) {
  CallCounter calls;
  Sampler s({counting_probe("p", calls, [] { return std::optional<std::string>("1"); })},
            SamplerOptions{std::chrono::hours(1), now_ns()});
  s.start();
  ASSERT_TRUE(calls.wait_for(1));  // slot 0 runs at once
  const auto t0 = std::chrono::steady_clock::now();
  s.stop();
  // Bounds a hang only: a sleep loop would take an hour.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
  EXPECT_EQ(calls.calls(), 1);
  s.stop();  // idempotent
  s.start();  // after stop: does nothing
  EXPECT_EQ(calls.calls(), 1);
}

TEST(Sampler, EveryNthSlot) {
  CallCounter often, rarely;
  std::vector<Probe> probes;
  probes.push_back(counting_probe("often", often, [] { return std::optional<std::string>("1"); }));
  probes.push_back(counting_probe("rarely", rarely, [] { return std::optional<std::string>("2"); }));
  probes.back().every_slots = 1000;  // once a second
  const auto t0 = std::chrono::steady_clock::now();
  Sampler s(std::move(probes), SamplerOptions{1ms, now_ns()});
  s.start();
  ASSERT_TRUE(often.wait_for(5));
  s.stop();
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Slot 0 runs both; after that the rare one waits 1000 slots each time, so
  // however slow the machine, it ran at most once per elapsed second more.
  EXPECT_GE(rarely.calls(), 1);
  EXPECT_LE(rarely.calls(), 1 + static_cast<int>(elapsed_s));
}

TEST(Sampler, NoProbesAndNeverStarted) {
  Sampler idle({}, SamplerOptions{});
  idle.start();
  idle.stop();
  EXPECT_TRUE(idle.series().empty());
  CallCounter calls;
  { Sampler never({counting_probe("p", calls, [] { return std::optional<std::string>("1"); })}, SamplerOptions{}); }
  EXPECT_EQ(calls.calls(), 0);
}

}  // namespace
}  // namespace llmbench::telemetry
