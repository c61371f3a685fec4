#include "llmbench/telemetry/host.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "llmbench/telemetry/proc_text.hpp"

namespace llmbench::telemetry {
namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// "cpu" -> -1, "cpu7" -> 7, anything else -> nothing.
std::optional<int> cpu_index(std::string_view name) noexcept {
  if (name.substr(0, 3) != "cpu") return std::nullopt;
  if (name.size() == 3) return -1;
  const std::optional<int> n = proc::to_number<int>(name.substr(3));
  if (!n || *n < 0) return std::nullopt;
  return n;
}

// A "cpuN user nice system idle [iowait irq softirq steal guest guest_nice]"
// line; kernels before 2.6.11 stop after fewer fields, which then read 0.
std::optional<CpuTimes> cpu_line(const std::vector<std::string_view>& f, int cpu) {
  if (f.size() < 5) return std::nullopt;
  std::uint64_t v[8] = {};
  for (std::size_t i = 0; i < 8 && i + 1 < f.size(); ++i) {
    const std::optional<std::uint64_t> n = proc::to_number<std::uint64_t>(f[i + 1]);
    if (!n) return std::nullopt;
    v[i] = *n;
  }
  return CpuTimes{cpu, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
}

double forward(std::uint64_t before, std::uint64_t after) noexcept {
  return after > before ? static_cast<double>(after - before) : 0.0;
}

// Per-field deltas, so that a field that steps back (iowait does, on some
// NO_HZ kernels) counts as no time rather than as a huge wrap. Summed as
// doubles: garbage counters near 2^64 must not wrap into a share above 1.
std::optional<CpuShare> share(const CpuTimes& a, const CpuTimes& b) {
  const double busy = forward(a.user, b.user) + forward(a.nice, b.nice) + forward(a.system, b.system) +
                      forward(a.irq, b.irq) + forward(a.softirq, b.softirq);
  const double iowait = forward(a.iowait, b.iowait);
  const double steal = forward(a.steal, b.steal);
  const double total = busy + iowait + steal + forward(a.idle, b.idle);
  if (!(total > 0)) return std::nullopt;
  return CpuShare{b.cpu, busy / total, iowait / total, steal / total};
}

template <class T>
std::optional<T> read_parsed(const std::filesystem::path& p, std::optional<T> (*parse)(std::string_view)) {
  const std::optional<std::string> text = proc::read_file(p);
  if (!text) return std::nullopt;
  return parse(*text);
}

// Entries of `dir` named prefix + digits, in numeric order.
std::vector<std::pair<int, std::filesystem::path>> numbered(const std::filesystem::path& dir, std::string_view prefix) {
  std::vector<std::pair<int, std::filesystem::path>> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::optional<int> n = proc::to_number<int>(std::string_view(name).substr(prefix.size()));
    if (n && *n >= 0) out.emplace_back(*n, it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::uint64_t CpuTimes::total() const noexcept { return busy() + idle + iowait + steal; }

std::uint64_t CpuTimes::busy() const noexcept { return user + nice + system + irq + softirq; }

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  ProcStat out;
  proc::for_each_line(text, [&](std::string_view line) {
    const std::vector<std::string_view> f = proc::fields(line);
    if (f.empty() || f[0].substr(0, 3) != "cpu") return;  // intr, ctxt, btime, ...
    const std::optional<int> cpu = cpu_index(f[0]);
    const std::optional<CpuTimes> t = cpu ? cpu_line(f, *cpu) : std::nullopt;
    if (!t) ++out.bad_lines;
    else if (t->cpu < 0) out.all = *t;
    else out.cpus.push_back(*t);
  });
  if (!out.all && out.cpus.empty()) return std::nullopt;
  return out;
}

std::vector<CpuShare> cpu_shares(const ProcStat& before, const ProcStat& after) {
  std::vector<CpuShare> out;
  if (before.all && after.all) {
    if (const std::optional<CpuShare> s = share(*before.all, *after.all)) out.push_back(*s);
  }
  for (const CpuTimes& b : after.cpus) {
    const auto a = std::find_if(before.cpus.begin(), before.cpus.end(), [&](const CpuTimes& t) { return t.cpu == b.cpu; });
    if (a == before.cpus.end()) continue;
    if (const std::optional<CpuShare> s = share(*a, b)) out.push_back(*s);
  }
  return out;
}

std::optional<MemInfo> parse_meminfo(std::string_view text) {
  MemInfo m;
  struct Key {
    std::string_view name;
    std::optional<std::uint64_t> MemInfo::*field;
  };
  static constexpr Key kKeys[] = {
      {"MemTotal", &MemInfo::mem_total_bytes},        {"MemAvailable", &MemInfo::mem_available_bytes},
      {"HugePages_Total", &MemInfo::hugepages_total}, {"HugePages_Free", &MemInfo::hugepages_free},
      {"HugePages_Rsvd", &MemInfo::hugepages_rsvd},   {"HugePages_Surp", &MemInfo::hugepages_surp},
      {"Hugepagesize", &MemInfo::hugepage_size_bytes},
  };
  proc::for_each_line(text, [&](std::string_view line) {
    if (trim(line).empty()) return;
    const std::optional<proc::KeyValue> kv = proc::key_value(line);
    if (!kv) {
      ++m.bad_lines;
      return;
    }
    for (const Key& k : kKeys) {
      if (kv->key == k.name) m.*k.field = kv->value;
    }
  });
  if (!m.mem_total_bytes && !m.mem_available_bytes) return std::nullopt;
  return m;
}

std::optional<LoadAvg> parse_loadavg(std::string_view text) {
  const std::vector<std::string_view> f = proc::fields(trim(text));
  if (f.size() < 4) return std::nullopt;
  const std::optional<double> l1 = proc::to_number<double>(f[0]);
  const std::optional<double> l5 = proc::to_number<double>(f[1]);
  const std::optional<double> l15 = proc::to_number<double>(f[2]);
  const std::size_t slash = f[3].find('/');
  if (!l1 || !l5 || !l15 || slash == std::string_view::npos) return std::nullopt;
  const std::optional<std::uint32_t> runnable = proc::to_number<std::uint32_t>(f[3].substr(0, slash));
  const std::optional<std::uint32_t> threads = proc::to_number<std::uint32_t>(f[3].substr(slash + 1));
  if (!runnable || !threads) return std::nullopt;
  return LoadAvg{*l1, *l5, *l15, *runnable, *threads};
}

std::optional<CpuFreq> parse_cpufreq(std::string_view khz_lines) {
  CpuFreq out;
  double sum = 0;
  out.min_mhz = std::numeric_limits<double>::infinity();
  proc::for_each_line(khz_lines, [&](std::string_view line) {
    if (trim(line).empty()) return;
    const std::optional<std::uint64_t> khz = proc::to_number<std::uint64_t>(trim(line));
    if (!khz) {
      ++out.bad_lines;
      return;
    }
    const double mhz = static_cast<double>(*khz) / 1000.0;
    ++out.cpus;
    sum += mhz;
    out.min_mhz = std::min(out.min_mhz, mhz);
    out.max_mhz = std::max(out.max_mhz, mhz);
  });
  if (out.cpus == 0) return std::nullopt;
  out.mean_mhz = sum / static_cast<double>(out.cpus);
  return out;
}

Thermal parse_thermal(std::string_view lines) {
  Thermal out;
  proc::for_each_line(lines, [&](std::string_view line) {
    if (trim(line).empty()) return;
    const std::size_t tab = line.rfind('\t');
    const std::optional<std::int64_t> milli =
        tab == std::string_view::npos ? std::nullopt : proc::to_number<std::int64_t>(trim(line.substr(tab + 1)));
    if (!milli) {
      ++out.bad_lines;
      return;
    }
    out.zones.push_back(ThermalZone{std::string(trim(line.substr(0, tab))), static_cast<double>(*milli) / 1000.0});
  });
  return out;
}

std::optional<ProcStat> read_proc_stat(const std::filesystem::path& proc) {
  return read_parsed<ProcStat>(proc / "stat", parse_proc_stat);
}

std::optional<MemInfo> read_meminfo(const std::filesystem::path& proc) {
  return read_parsed<MemInfo>(proc / "meminfo", parse_meminfo);
}

std::optional<LoadAvg> read_loadavg(const std::filesystem::path& proc) {
  return read_parsed<LoadAvg>(proc / "loadavg", parse_loadavg);
}

std::string cpufreq_text(const std::filesystem::path& cpu_dir) {
  std::string out;
  for (const auto& cpu : numbered(cpu_dir, "cpu")) {
    if (const std::optional<std::string> khz = proc::read_file(cpu.second / "cpufreq" / "scaling_cur_freq")) {
      out += trim(*khz);
      out.push_back('\n');
    }
  }
  return out;
}

std::optional<CpuFreq> read_cpufreq(const std::filesystem::path& cpu_dir) { return parse_cpufreq(cpufreq_text(cpu_dir)); }

std::string thermal_text(const std::filesystem::path& thermal_dir) {
  std::string out;
  for (const auto& [n, dir] : numbered(thermal_dir, "thermal_zone")) {
    // Some zones fail to read (EIO / ENODATA while a sensor sleeps): skip them.
    const std::optional<std::string> temp = proc::read_file(dir / "temp");
    if (!temp || trim(*temp).empty()) continue;
    const std::optional<std::string> type = proc::read_file(dir / "type");
    out += type ? std::string(trim(*type)) : "thermal_zone" + std::to_string(n);
    out.push_back('\t');
    out += trim(*temp);
    out.push_back('\n');
  }
  return out;
}

Thermal read_thermal(const std::filesystem::path& thermal_dir) { return parse_thermal(thermal_text(thermal_dir)); }

}  // namespace llmbench::telemetry
