// Host telemetry: /proc/stat, /proc/meminfo, /proc/loadavg, cpufreq and
// thermal zones, as text, through the readers on a fake tree, and live.
#include <gtest/gtest.h>

#include "llmbench/telemetry/host.hpp"
#include "test_support.hpp"

namespace llmbench::telemetry {
namespace {

// Two samples of a 2-CPU machine one second (100 ticks a CPU) apart.
constexpr std::string_view kStatBefore =
    "cpu  20000 100 5000 170000 400 0 300 200 0 0\n"
    "cpu0 10000 50 2500 85000 200 0 150 100 0 0\n"
    "cpu1 10000 50 2500 85000 200 0 150 100 0 0\n"
    "intr 123456 0 9 0 0\n"
    "ctxt 987654\n"
    "btime 1700000000\n"
    "processes 4242\n"
    "procs_running 3\n"
    "procs_blocked 0\n"
    "softirq 55555 0 1 2 3 4 5 6 7 8 9\n";
// cpu0: 60 user, 10 system, 20 idle, 5 iowait, 5 steal; cpu1 all idle.
constexpr std::string_view kStatAfter =
    "cpu  20060 100 5010 170120 405 0 300 205 0 0\n"
    "cpu0 10060 50 2510 85020 205 0 150 105 0 0\n"
    "cpu1 10000 50 2500 85100 200 0 150 100 0 0\n"
    "intr 123999 0 9 0 0\n";

TEST(HostProcStat, ParsesEveryCpuLine) {
  const std::optional<ProcStat> s = parse_proc_stat(kStatBefore);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->bad_lines, 0u);
  ASSERT_TRUE(s->all);
  EXPECT_EQ(s->all->cpu, -1);
  EXPECT_EQ(s->all->user, 20000u);
  EXPECT_EQ(s->all->steal, 200u);
  ASSERT_EQ(s->cpus.size(), 2u);
  EXPECT_EQ(s->cpus[1].cpu, 1);
  EXPECT_EQ(s->cpus[0].busy(), 10000u + 50 + 2500 + 0 + 150);
  EXPECT_EQ(s->cpus[0].total(), s->cpus[0].busy() + 85000 + 200 + 100);
}

TEST(HostProcStat, SharesBetweenTwoSamples) {
  const std::vector<CpuShare> shares = cpu_shares(*parse_proc_stat(kStatBefore), *parse_proc_stat(kStatAfter));
  ASSERT_EQ(shares.size(), 3u);
  EXPECT_EQ(shares[0].cpu, -1);
  EXPECT_DOUBLE_EQ(shares[0].busy_ratio, 70.0 / 200);
  EXPECT_DOUBLE_EQ(shares[0].iowait_ratio, 5.0 / 200);
  EXPECT_DOUBLE_EQ(shares[0].steal_ratio, 5.0 / 200);
  EXPECT_EQ(shares[1].cpu, 0);
  EXPECT_DOUBLE_EQ(shares[1].busy_ratio, 0.7);
  EXPECT_DOUBLE_EQ(shares[1].iowait_ratio, 0.05);
  EXPECT_DOUBLE_EQ(shares[1].steal_ratio, 0.05);
  EXPECT_EQ(shares[2].cpu, 1);
  EXPECT_DOUBLE_EQ(shares[2].busy_ratio, 0.0);
}

TEST(HostProcStat, CountersThatStepBackOrStandStill) {
  // iowait going backwards (NO_HZ kernels) counts as no time, not a wrap;
  // a CPU whose counters did not move, or that is new, gives no share.
  const ProcStat before = *parse_proc_stat("cpu0 100 0 0 100 50 0 0 0\ncpu1 5 5 5 5 5 5 5 5\n");
  const ProcStat after = *parse_proc_stat("cpu0 150 0 0 150 40 0 0 0\ncpu1 5 5 5 5 5 5 5 5\ncpu2 1 1 1 1\n");
  const std::vector<CpuShare> shares = cpu_shares(before, after);
  ASSERT_EQ(shares.size(), 1u);
  EXPECT_EQ(shares[0].cpu, 0);
  EXPECT_DOUBLE_EQ(shares[0].busy_ratio, 0.5);
  EXPECT_DOUBLE_EQ(shares[0].iowait_ratio, 0.0);
}

TEST(HostProcStat, OldKernelsAndBadLines) {
  const std::optional<ProcStat> s = parse_proc_stat("cpu 1 2 3 4\ncpu0 1 2 3 4\ncpu1 x 2 3 4\ncpux 1 2 3 4\ncpu2 1 2\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->cpus.size(), 1u);
  EXPECT_EQ(s->cpus[0].idle, 4u);
  EXPECT_EQ(s->cpus[0].steal, 0u);
  EXPECT_EQ(s->bad_lines, 3u);
  EXPECT_FALSE(parse_proc_stat("intr 1 2 3\nctxt 5\n"));
  EXPECT_FALSE(parse_proc_stat(""));
}

constexpr std::string_view kMeminfo =
    "MemTotal:       65758020 kB\n"
    "MemFree:         1201340 kB\n"
    "MemAvailable:   40211992 kB\n"
    "Buffers:          412344 kB\n"
    "AnonHugePages:   2097152 kB\n"
    "HugePages_Total:    1024\n"
    "HugePages_Free:      512\n"
    "HugePages_Rsvd:       64\n"
    "HugePages_Surp:        0\n"
    "Hugepagesize:       2048 kB\n"
    "Hugetlb:         2097152 kB\n"
    "DirectMap1G:    50331648 kB\n";

TEST(HostMeminfo, MemoryAndHugePages) {
  const std::optional<MemInfo> m = parse_meminfo(kMeminfo);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->bad_lines, 0u);
  EXPECT_EQ(m->mem_total_bytes, 65758020ull * 1024);
  EXPECT_EQ(m->mem_available_bytes, 40211992ull * 1024);
  EXPECT_EQ(m->hugepages_total, 1024u);
  EXPECT_EQ(m->hugepages_free, 512u);
  EXPECT_EQ(m->hugepages_rsvd, 64u);
  EXPECT_EQ(m->hugepages_surp, 0u);
  EXPECT_EQ(m->hugepage_size_bytes, 2048u * 1024);
}

TEST(HostMeminfo, BadLinesAndMissingFields) {
  const std::optional<MemInfo> m = parse_meminfo("MemTotal: 1000 kB\nMemAvailable: lots\nweird line\nHugepagesize: 2 MB\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->bad_lines, 3u);
  EXPECT_EQ(m->mem_total_bytes, 1024000u);
  EXPECT_FALSE(m->mem_available_bytes);
  EXPECT_FALSE(m->hugepages_total);
  EXPECT_FALSE(parse_meminfo("Buffers: 1 kB\n"));
}

TEST(HostLoadavg, FieldsAndGarbage) {
  const std::optional<LoadAvg> l = parse_loadavg("3.67 3.61 2.35 7/256 17164\n");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->load1, 3.67);
  EXPECT_EQ(l->load5, 3.61);
  EXPECT_EQ(l->load15, 2.35);
  EXPECT_EQ(l->runnable, 7u);
  EXPECT_EQ(l->threads, 256u);
  for (const char* bad : {"", "1 2 3", "1 2 x 1/2 3", "1 2 3 12 4", "1 2 3 1/x 4"}) EXPECT_FALSE(parse_loadavg(bad)) << bad;
}

TEST(HostCpufreq, MinMeanMaxInMhz) {
  const std::optional<CpuFreq> f = parse_cpufreq("2400000\n3600000\n\nbogus\n1200000\n");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->cpus, 3u);
  EXPECT_EQ(f->bad_lines, 1u);
  EXPECT_DOUBLE_EQ(f->min_mhz, 1200);
  EXPECT_DOUBLE_EQ(f->mean_mhz, 2400);
  EXPECT_DOUBLE_EQ(f->max_mhz, 3600);
  EXPECT_FALSE(parse_cpufreq(""));  // a VM: not exposed
}

TEST(HostThermal, ZonesInCelsius) {
  const Thermal t = parse_thermal("x86_pkg_temp\t54000\nacpitz\t-5500\nbroken\tn/a\nno tab 1\n");
  ASSERT_EQ(t.zones.size(), 2u);
  EXPECT_EQ(t.zones[0].type, "x86_pkg_temp");
  EXPECT_DOUBLE_EQ(t.zones[0].temp_c, 54.0);
  EXPECT_DOUBLE_EQ(t.zones[1].temp_c, -5.5);
  EXPECT_EQ(t.bad_lines, 2u);
}

TEST(HostReaders, FakeTree) {
  test::FakeTree tree;
  tree.write("proc/stat", kStatBefore);
  tree.write("proc/meminfo", kMeminfo);
  tree.write("proc/loadavg", "0.50 0.40 0.30 1/99 1234\n");
  tree.write("cpu/cpu0/cpufreq/scaling_cur_freq", "2000000\n");
  tree.write("cpu/cpu10/cpufreq/scaling_cur_freq", "3000000\n");
  tree.write("cpu/cpu2/cpufreq/scaling_cur_freq", "1000000\n");
  tree.write("cpu/cpu1/online", "1\n");  // no cpufreq directory
  tree.write("cpu/cpufreq/boost", "1\n");
  tree.write("thermal/thermal_zone0/type", "acpitz\n");
  tree.write("thermal/thermal_zone0/temp", "41000\n");
  tree.write("thermal/thermal_zone1/type", "sleeping\n");  // temp unreadable
  tree.write("thermal/cooling_device0/type", "Processor\n");
  EXPECT_EQ(read_proc_stat(tree.root() / "proc")->cpus.size(), 2u);
  EXPECT_EQ(read_meminfo(tree.root() / "proc")->hugepages_total, 1024u);
  EXPECT_EQ(read_loadavg(tree.root() / "proc")->threads, 99u);
  EXPECT_EQ(cpufreq_text(tree.root() / "cpu"), "2000000\n1000000\n3000000\n");  // CPU order
  EXPECT_DOUBLE_EQ(read_cpufreq(tree.root() / "cpu")->mean_mhz, 2000);
  const Thermal t = read_thermal(tree.root() / "thermal");
  ASSERT_EQ(t.zones.size(), 1u);
  EXPECT_EQ(t.zones[0].type, "acpitz");
  // Nothing there: not exposed.
  EXPECT_FALSE(read_proc_stat(tree.root() / "missing"));
  EXPECT_FALSE(read_cpufreq(tree.root() / "missing"));
  EXPECT_TRUE(read_thermal(tree.root() / "missing").zones.empty());
}

TEST(HostReaders, LiveMachine) {
  const std::optional<ProcStat> s = read_proc_stat();
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->all);
  EXPECT_GE(s->cpus.size(), 1u);
  EXPECT_EQ(s->bad_lines, 0u);
  const std::optional<MemInfo> m = read_meminfo();
  ASSERT_TRUE(m);
  EXPECT_GT(m->mem_total_bytes.value_or(0), 0u);
  EXPECT_TRUE(read_loadavg());
  // cpufreq is absent in most VMs and containers: either way is right, but
  // the reader must agree with what the files say.
  EXPECT_EQ(read_cpufreq().has_value(), parse_cpufreq(cpufreq_text()).has_value());
}

}  // namespace
}  // namespace llmbench::telemetry
