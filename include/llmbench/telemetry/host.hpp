#pragma once
// The host the server runs on: CPU time per core, memory and huge pages, load,
// clock frequency and temperatures, from /proc and /sys.
//
// Each source has a pure parser of its text (the tests feed captured samples)
// and a thin reader of the real file(s). Readers take the directory to read
// from, so tests can point them at a fake tree, and answer nullopt when the
// source is missing: a VM exposes no cpufreq, a container may hide the thermal
// zones; that means "not exposed", not an error. Lines a parser cannot read
// are counted in bad_lines and skipped.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmbench::telemetry {

// /proc/stat: time each CPU spent in each state, in USER_HZ ticks.
struct CpuTimes {
  int cpu = -1;  // -1 for the "cpu" line that sums every CPU
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  // guest and guest_nice are already counted in user and nice.
  [[nodiscard]] std::uint64_t total() const noexcept;
  [[nodiscard]] std::uint64_t busy() const noexcept;  // user+nice+system+irq+softirq
};

struct ProcStat {
  std::optional<CpuTimes> all;
  std::vector<CpuTimes> cpus;  // in file order
  std::size_t bad_lines = 0;   // cpu lines that could not be read
};

// nullopt when the text has no readable cpu line at all.
[[nodiscard]] std::optional<ProcStat> parse_proc_stat(std::string_view text);

// Shares of the ticks that passed between two samples: busy (the work above),
// iowait (idle with I/O pending) and steal (taken by the hypervisor: a noisy
// neighbour on a cloud VM shows here, not in busy). cpu -1 is the whole
// machine. A CPU missing from either sample, or whose counters did not move
// forward (hot-unplugged and back), is left out.
struct CpuShare {
  int cpu = -1;
  double busy_ratio = 0;
  double iowait_ratio = 0;
  double steal_ratio = 0;
};
[[nodiscard]] std::vector<CpuShare> cpu_shares(const ProcStat& before, const ProcStat& after);

// /proc/meminfo
struct MemInfo {
  std::optional<std::uint64_t> mem_total_bytes;
  std::optional<std::uint64_t> mem_available_bytes;
  std::optional<std::uint64_t> hugepages_total;  // pages of the default huge page size
  std::optional<std::uint64_t> hugepages_free;
  std::optional<std::uint64_t> hugepages_rsvd;   // promised to a mapping, not yet faulted in
  std::optional<std::uint64_t> hugepages_surp;
  std::optional<std::uint64_t> hugepage_size_bytes;
  std::size_t bad_lines = 0;
};
// nullopt when the text has neither MemTotal nor MemAvailable.
[[nodiscard]] std::optional<MemInfo> parse_meminfo(std::string_view text);

// /proc/loadavg: "0.52 0.58 0.59 2/1234 56789"
struct LoadAvg {
  double load1 = 0, load5 = 0, load15 = 0;
  std::uint32_t runnable = 0;  // scheduling entities runnable now
  std::uint32_t threads = 0;   // that exist
};
[[nodiscard]] std::optional<LoadAvg> parse_loadavg(std::string_view text);

// cpufreq: each CPU's scaling_cur_freq (kHz). The text is one reading a
// line, as cpufreq_text() gathers them; unreadable lines are counted.
struct CpuFreq {
  std::size_t cpus = 0;
  double min_mhz = 0, mean_mhz = 0, max_mhz = 0;
  std::size_t bad_lines = 0;
};
// nullopt when no line holds a frequency: "not exposed".
[[nodiscard]] std::optional<CpuFreq> parse_cpufreq(std::string_view khz_lines);

// thermal zones: "type<TAB>millidegrees" a line, as thermal_text() gathers them.
struct ThermalZone {
  std::string type;  // "x86_pkg_temp", "acpitz", ...
  double temp_c = 0;
};
struct Thermal {
  std::vector<ThermalZone> zones;
  std::size_t bad_lines = 0;
};
[[nodiscard]] Thermal parse_thermal(std::string_view lines);

// Readers. `proc` is /proc, `cpu_dir` /sys/devices/system/cpu,
// `thermal_dir` /sys/class/thermal in real use.
[[nodiscard]] std::optional<ProcStat> read_proc_stat(const std::filesystem::path& proc = "/proc");
[[nodiscard]] std::optional<MemInfo> read_meminfo(const std::filesystem::path& proc = "/proc");
[[nodiscard]] std::optional<LoadAvg> read_loadavg(const std::filesystem::path& proc = "/proc");
// cpuN/cpufreq/scaling_cur_freq of every CPU that has one, in CPU order.
[[nodiscard]] std::string cpufreq_text(const std::filesystem::path& cpu_dir = "/sys/devices/system/cpu");
[[nodiscard]] std::optional<CpuFreq> read_cpufreq(const std::filesystem::path& cpu_dir = "/sys/devices/system/cpu");
// thermal_zoneN/type and thermal_zoneN/temp of every zone whose temp reads.
[[nodiscard]] std::string thermal_text(const std::filesystem::path& thermal_dir = "/sys/class/thermal");
[[nodiscard]] Thermal read_thermal(const std::filesystem::path& thermal_dir = "/sys/class/thermal");

}  // namespace llmbench::telemetry
