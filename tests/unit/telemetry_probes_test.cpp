// The ready-made probes: what each reads and how it names it, on captured
// text and fake trees; then the whole sampler against the built-in server
// over loopback HTTP, with the server's process found by its port.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "llmbench/http/fetch.hpp"
#include "llmbench/mock/server.hpp"
#include "llmbench/telemetry/probes.hpp"
#include "llmbench/telemetry/process.hpp"
#include "llmbench/util/clock.hpp"
#include "test_support.hpp"

namespace llmbench::telemetry {
namespace {

const Reading* find_reading(const std::vector<Reading>& all, std::string_view name, const std::vector<Label>& labels = {}) {
  for (const Reading& r : all) {
    if (r.name == name && r.labels == labels) return &r;
  }
  return nullptr;
}

std::optional<std::vector<Reading>> run_once(const Probe& p) {
  const std::optional<std::string> text = p.fetch();
  if (!text) return std::nullopt;
  return p.decode(*text);
}

TEST(SamplerProbes, ServerMetricsReadings) {
  const Probe p = server_metrics_probe([] {
    return std::optional<std::string>(test::after_headers(test::fixture("metrics.http")));
  });
  EXPECT_EQ(p.name, "server.metrics");
  const std::optional<std::vector<Reading>> r = run_once(p);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 11u + 4u);  // 11 canonical figures, 4 raw families
  const Reading* gen = find_reading(*r, "server.generation_tokens_total");
  ASSERT_NE(gen, nullptr);
  EXPECT_EQ(gen->kind, SeriesKind::counter);
  EXPECT_EQ(gen->unit, "tokens");
  EXPECT_EQ(gen->value, 1141);
  EXPECT_EQ(find_reading(*r, "server.requests_running")->kind, SeriesKind::gauge);
  EXPECT_EQ(find_reading(*r, "server.prompt_seconds_total")->unit, "s");
  EXPECT_EQ(find_reading(*r, "llamacpp:n_tokens_max")->kind, SeriesKind::counter);
  EXPECT_EQ(find_reading(*r, "server.kv_usage_ratio"), nullptr);  // not exported by this build
}

TEST(SamplerProbes, ServerMetricsGarbageAndRawLabels) {
  const Probe p = server_metrics_probe([] { return std::optional<std::string>(); });
  EXPECT_FALSE(p.decode(test::after_headers(test::fixture("metrics_disabled.http"))));
  EXPECT_FALSE(p.decode(""));
  const std::optional<std::vector<Reading>> r = p.decode(
      "# TYPE vllm:gpu_cache_usage_perc gauge\nvllm:gpu_cache_usage_perc{engine=\"0\"} 0.5\n"
      "vllm:kv_cache_usage_perc{engine=\"0\"} 0.5\n"
      "# TYPE vllm:e2e_request_latency_seconds histogram\nvllm:e2e_request_latency_seconds_sum 3\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(find_reading(*r, "server.kv_usage_ratio")->value, 0.5);
  EXPECT_EQ(find_reading(*r, "vllm:gpu_cache_usage_perc", {{"engine", "0"}})->value, 0.5);
  EXPECT_EQ(find_reading(*r, "vllm:e2e_request_latency_seconds_sum"), nullptr);  // histograms stay out
}

TEST(SamplerProbes, SlotsReadings) {
  const std::optional<SlotsSnapshot> s = parse_slots(test::after_headers(test::fixture("slots_busy.http")));
  ASSERT_TRUE(s);
  const std::vector<Reading> r = slots_readings(*s);
  EXPECT_EQ(find_reading(r, "slots.total")->value, 4);
  EXPECT_EQ(find_reading(r, "slots.busy")->value, 1);
  EXPECT_EQ(find_reading(r, "slots.decoded_busy")->value, 143);
  EXPECT_EQ(find_reading(r, "slot.processing", {{"slot", "2"}})->value, 1);
  EXPECT_EQ(find_reading(r, "slot.n_decoded", {{"slot", "2"}})->value, 143);
  const Probe p = slots_probe([] { return std::optional<std::string>("{\"error\":1}"); });
  EXPECT_FALSE(run_once(p));
}

TEST(SamplerProbes, HostProbesOnAFakeTree) {
  test::FakeTree tree;
  tree.write("proc/stat", "cpu 100 0 0 100 0 0 0 0\ncpu0 100 0 0 100 0 0 0 0\n");
  tree.write("proc/meminfo", "MemTotal: 1000 kB\nMemAvailable: 500 kB\nHugePages_Total: 8\nHugepagesize: 2048 kB\n");
  tree.write("proc/loadavg", "1.00 0.50 0.25 2/100 42\n");
  tree.write("cpu/cpu0/cpufreq/scaling_cur_freq", "1500000\n");
  tree.write("thermal/thermal_zone0/type", "acpitz\n");
  tree.write("thermal/thermal_zone0/temp", "40000\n");
  const std::vector<Probe> probes = host_probes({tree.root() / "proc", tree.root() / "cpu", tree.root() / "thermal"});
  ASSERT_EQ(probes.size(), 5u);
  EXPECT_EQ(probes[0].name, "host.cpu");
  // The first /proc/stat sample is the baseline: read fine, nothing to say yet.
  const std::optional<std::vector<Reading>> first = run_once(probes[0]);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->empty());
  tree.write("proc/stat", "cpu 175 0 0 125 0 0 0 0\ncpu0 175 0 0 125 0 0 0 0\n");
  const std::optional<std::vector<Reading>> second = run_once(probes[0]);
  ASSERT_TRUE(second);
  EXPECT_DOUBLE_EQ(find_reading(*second, "host.cpu_busy_ratio", {{"cpu", "all"}})->value, 0.75);
  EXPECT_DOUBLE_EQ(find_reading(*second, "host.cpu_busy_ratio", {{"cpu", "0"}})->value, 0.75);
  EXPECT_EQ(find_reading(*run_once(probes[1]), "host.hugepages_total")->value, 8);
  EXPECT_EQ(find_reading(*run_once(probes[2]), "host.load1")->value, 1.0);
  EXPECT_EQ(find_reading(*run_once(probes[3]), "host.cpufreq_mean_mhz")->value, 1500);
  EXPECT_EQ(find_reading(*run_once(probes[4]), "host.temp_c", {{"zone", "0"}, {"type", "acpitz"}})->value, 40);
  tree.write("proc/stat", "garbage\n");
  EXPECT_FALSE(run_once(probes[0]));
  // No cpufreq, no thermal zones: those probes are not made.
  EXPECT_EQ(host_probes({tree.root() / "proc", tree.root() / "none", tree.root() / "none"}).size(), 3u);
}

TEST(SamplerProbes, ProcessProbesOnAFakeTree) {
  test::FakeTree tree;
  tree.write("proc/77/stat", "77 (srv) S 1 77 77 0 -1 0 0 0 0 0 500 250 0 0 20 0 6 0 100 1000 50 0\n");
  tree.write("proc/77/status", "Name:\tsrv\nVmHWM:\t 2048 kB\nVmRSS:\t 1024 kB\nThreads:\t6\n");
  tree.write("proc/77/smaps_rollup", "0-1 ---p 0 00:00 0 [rollup]\nRss: 1024 kB\nAnonHugePages: 512 kB\n");
  tree.write("proc/77/numa_maps", "7f0000000000 default file=/dev/hugepages/m huge dirty=4 N0=4 kernelpagesize_kB=2048\n");
  const std::vector<Probe> probes = process_probes(77, tree.root() / "proc", 7);
  ASSERT_EQ(probes.size(), 4u);
  EXPECT_EQ(probes[0].every_slots, 1);
  EXPECT_EQ(probes[2].every_slots, 7);
  const std::vector<Reading> stat = *run_once(probes[0]);
  const Reading* user = find_reading(stat, "process.cpu_user_s");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->kind, SeriesKind::counter);
  EXPECT_DOUBLE_EQ(user->value, 500.0 / static_cast<double>(::sysconf(_SC_CLK_TCK)));
  EXPECT_EQ(find_reading(stat, "process.threads")->value, 6);
  EXPECT_EQ(find_reading(*run_once(probes[1]), "process.rss_peak_bytes")->value, 2048 * 1024);
  EXPECT_EQ(find_reading(*run_once(probes[2]), "process.anon_huge_pages_bytes")->value, 512 * 1024);
  EXPECT_EQ(find_reading(*run_once(probes[3]), "process.hugetlb_pages", {{"page_size_kb", "2048"}})->value, 4);
  // A process that is gone: nothing to fetch.
  EXPECT_FALSE(process_probes(78, tree.root() / "proc")[0].fetch());
}

// GET `path` from the target: the body of a 200 answer, nothing otherwise.
Fetch getter(const http::Target& target, const char* path, std::atomic<int>* calls = nullptr) {
  return [target, path, calls]() -> std::optional<std::string> {
    if (calls != nullptr) ++*calls;
    http::FetchOptions opts;
    opts.timeout = std::chrono::milliseconds(5000);
    http::FetchResult r = http::fetch(target, "GET", path, "", opts);
    if (!r.ok || r.status != 200) return std::nullopt;
    return std::move(r.body);
  };
}

void expect_clean_counters(const std::vector<ProbeCounters>& counters) {
  for (const ProbeCounters& c : counters) {
    EXPECT_EQ(c.scrapes_bad, 0u) << c.name;
    if (c.name.rfind("server.", 0) == 0 || c.name.rfind("process.st", 0) == 0) {
      EXPECT_GE(c.scrapes_ok, 1u) << c.name;
      EXPECT_EQ(c.scrapes_failed, 0u) << c.name;
    }
  }
}

TEST(SamplerLive, BuiltInServerOverLoopback) {
  mock::MockConfig mc;
  mc.slots = 3;
  mc.metrics = true;
  mock::MockServer server(mc);
  http::Target target;
  target.host = "127.0.0.1";
  target.port = server.start().value();

  // The built-in server runs in this process: found by its port, it is us.
  const PortOwners owners = find_listening_processes(target.port);
  ASSERT_EQ(owners.pids, std::vector<int>{::getpid()});

  std::atomic<int> metrics_calls{0};
  std::vector<Probe> probes{server_metrics_probe(getter(target, "/metrics", &metrics_calls)),
                            slots_probe(getter(target, "/slots"))};
  for (Probe& p : process_probes(owners.pids[0])) probes.push_back(std::move(p));
  for (Probe& p : host_probes()) probes.push_back(std::move(p));
  Sampler sampler(std::move(probes), SamplerOptions{std::chrono::milliseconds(20), now_ns()});
  sampler.start();
  // Waits for three scrapes; the bound (60 s) only stops a hang.
  for (int i = 0; i < 6000 && metrics_calls.load() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  sampler.stop();
  server.stop();

  expect_clean_counters(sampler.counters());
  const std::vector<Series> all = sampler.series();
  const Series* generated = find_series(all, "server.generation_tokens_total");
  ASSERT_NE(generated, nullptr);
  EXPECT_GE(generated->points.size(), 3u);
  EXPECT_EQ(generated->kind, SeriesKind::counter);
  const SeriesSummary sum = summarize(*generated, 0, 1e9);
  ASSERT_TRUE(sum.delta);
  EXPECT_EQ(*sum.delta, 0.0);  // nobody asked the server for anything
  const Series* slots = find_series(all, "slots.total");
  ASSERT_NE(slots, nullptr);
  EXPECT_EQ(slots->points.back().value, 3);
  const Series* threads = find_series(all, "process.threads");
  ASSERT_NE(threads, nullptr);
  EXPECT_GE(threads->points.back().value, 2);  // the test's thread, the server's, the sampler's
  EXPECT_NE(find_series(all, "host.mem_available_bytes"), nullptr);
}

}  // namespace
}  // namespace llmbench::telemetry
