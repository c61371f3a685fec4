#include "llmbench/report/system_info.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "llmbench/version.hpp"

namespace llmbench::report {

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::int64_t meminfo_value(const std::string& text, const std::string& key) {
  const std::size_t p = text.find(key + ":");
  if (p == std::string::npos) return 0;
  std::istringstream in(text.substr(p + key.size() + 1));
  std::int64_t v = 0;
  in >> v;
  return v;
}

std::string cpu_model_name() {
  std::istringstream in(read_file("/proc/cpuinfo"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const std::size_t c = line.find(':');
      if (c != std::string::npos) return trim(line.substr(c + 1));
    }
  }
  return {};
}

}  // namespace

HugePages parse_meminfo(const std::string& meminfo) {
  HugePages h;
  h.total = meminfo_value(meminfo, "HugePages_Total");
  h.free = meminfo_value(meminfo, "HugePages_Free");
  h.size_kb = meminfo_value(meminfo, "Hugepagesize");
  return h;
}

std::string parse_thp_mode(const std::string& text) {
  const std::size_t a = text.find('[');
  const std::size_t b = text.find(']', a == std::string::npos ? 0 : a);
  if (a == std::string::npos || b == std::string::npos) return trim(text);
  return text.substr(a + 1, b - a - 1);
}

SystemInfo collect_system_info() {
  SystemInfo s;
  s.hugepages = parse_meminfo(read_file("/proc/meminfo"));
  s.cpu_model = cpu_model_name();
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  s.cpu_cores = online > 0 ? static_cast<unsigned>(online) : std::thread::hardware_concurrency();
  s.scaling_governor = trim(read_file("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
  s.thp_mode = parse_thp_mode(read_file("/sys/kernel/mm/transparent_hugepage/enabled"));
  utsname u{};
  if (::uname(&u) == 0) {
    s.kernel = std::string(u.sysname) + " " + u.release;
    s.hostname = u.nodename;
  }
  s.llmbench_version = kVersion;
  return s;
}

}  // namespace llmbench::report
