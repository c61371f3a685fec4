#pragma once
// What the machine running the benchmark looks like, read from /proc and /sys.
// The guide's fields (model, hugepages_total, hugepages_free) plus what makes
// two runs comparable: CPU, cores, governor, THP mode, kernel.
#include <cstdint>
#include <string>

namespace llmbench::report {

struct HugePages {
  std::int64_t total = 0;
  std::int64_t free = 0;
  std::int64_t size_kb = 0;
};

struct SystemInfo {
  std::string model;             // the server's model id
  HugePages hugepages;
  std::string cpu_model;
  unsigned cpu_cores = 0;        // logical CPUs online
  std::string scaling_governor;  // "" when cpufreq is not exposed (VMs)
  std::string thp_mode;          // the bracketed choice of transparent_hugepage/enabled
  std::string kernel;
  std::string hostname;
  std::string llmbench_version;
  std::string server_props_json; // GET /props verbatim when it answered with JSON
};

// Parses /proc/meminfo text (exposed for tests).
HugePages parse_meminfo(const std::string& meminfo);
// "always [madvise] never" -> "madvise".
std::string parse_thp_mode(const std::string& text);

SystemInfo collect_system_info();

}  // namespace llmbench::report
