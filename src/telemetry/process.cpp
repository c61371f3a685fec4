#include "llmbench/telemetry/process.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <string>

#include "llmbench/telemetry/proc_text.hpp"

namespace llmbench::telemetry {
namespace {

// "Key: value [kB]" lines: known keys fill fields, a known key whose value
// does not read is counted; every other line (Name:, Uid:, the header of
// smaps_rollup, ...) is none of our business.
template <class Out>
struct KeyField {
  std::string_view key;
  std::optional<std::uint64_t> Out::*field;
};

template <class Out, std::size_t N>
void read_keys(std::string_view text, const KeyField<Out> (&keys)[N], Out& out) {
  proc::for_each_line(text, [&](std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    const std::string_view key = line.substr(0, colon);
    for (const KeyField<Out>& k : keys) {
      if (key != k.key) continue;
      const std::optional<proc::KeyValue> kv = proc::key_value(line);
      if (kv) out.*k.field = kv->value;
      else ++out.bad_lines;
    }
  });
}

// One numa_maps item "key=value" with a numeric value.
std::optional<std::uint64_t> item(std::string_view token, std::string_view key) {
  if (token.size() <= key.size() + 1 || token.substr(0, key.size()) != key || token[key.size()] != '=') {
    return std::nullopt;
  }
  return proc::to_number<std::uint64_t>(token.substr(key.size() + 1));
}

bool is_node_item(std::string_view token) {
  return token.size() > 2 && token[0] == 'N' && token[1] >= '0' && token[1] <= '9';
}

struct Mapping {
  bool huge = false;
  std::uint64_t pages = 0;
  std::uint64_t page_size_bytes = 0;
};

// Pages are the N<node>= counts; without them (no node items printed) the
// largest of anon=, dirty=, mapped= stands in.
std::optional<Mapping> numa_line(const std::vector<std::string_view>& f) {
  std::uint64_t addr = 0;
  const auto [end, ec] = f.empty() ? std::from_chars_result{nullptr, std::errc::invalid_argument}
                                   : std::from_chars(f[0].data(), f[0].data() + f[0].size(), addr, 16);
  if (f.size() < 2 || ec != std::errc() || end != f[0].data() + f[0].size()) return std::nullopt;
  Mapping m;
  std::uint64_t node_pages = 0, other_pages = 0;
  for (std::size_t i = 2; i < f.size(); ++i) {
    if (f[i] == "huge") m.huge = true;
    if (is_node_item(f[i])) {
      const std::size_t eq = f[i].find('=');
      const std::optional<std::uint64_t> n = eq == std::string_view::npos
                                                 ? std::nullopt
                                                 : proc::to_number<std::uint64_t>(f[i].substr(eq + 1));
      if (!n) return std::nullopt;
      node_pages += *n;
    }
    for (std::string_view key : {"anon", "dirty", "mapped"}) {
      if (const std::optional<std::uint64_t> n = item(f[i], key)) other_pages = std::max(other_pages, *n);
    }
    if (const std::optional<std::uint64_t> kib = item(f[i], "kernelpagesize_kB")) m.page_size_bytes = *kib * 1024;
  }
  m.pages = node_pages != 0 ? node_pages : other_pages;
  return m;
}

void add_huge(NumaMaps& out, const Mapping& m) {
  ++out.hugetlb_mappings;
  if (m.pages == 0 || m.page_size_bytes == 0) return;
  auto it = std::find_if(out.hugetlb.begin(), out.hugetlb.end(),
                         [&](const HugePageUse& u) { return u.page_size_bytes == m.page_size_bytes; });
  if (it == out.hugetlb.end()) {
    out.hugetlb.push_back(HugePageUse{m.page_size_bytes, 0, 0});
    it = out.hugetlb.end() - 1;
  }
  it->pages += m.pages;
  ++it->mappings;
  std::sort(out.hugetlb.begin(), out.hugetlb.end(),
            [](const HugePageUse& a, const HugePageUse& b) { return a.page_size_bytes < b.page_size_bytes; });
}

std::optional<std::uint64_t> sum_present(std::initializer_list<std::optional<std::uint64_t>> parts) {
  std::optional<std::uint64_t> total;
  for (const std::optional<std::uint64_t>& p : parts) {
    if (p) total = total.value_or(0) + *p;
  }
  return total;
}

}  // namespace

std::optional<PidStat> parse_pid_stat(std::string_view text) {
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  PidStat s;
  const std::vector<std::string_view> head = proc::fields(text.substr(0, open));
  const std::optional<int> pid = head.size() == 1 ? proc::to_number<int>(head[0]) : std::nullopt;
  // Fields from 3 (state) on; f[0] is field 3.
  const std::vector<std::string_view> f = proc::fields(text.substr(close + 1));
  if (!pid || f.size() < 22 || f[0].size() != 1) return std::nullopt;
  const auto u64 = [&](std::size_t field) { return proc::to_number<std::uint64_t>(f[field - 3]); };
  const auto i64 = [&](std::size_t field) { return proc::to_number<std::int64_t>(f[field - 3]); };
  const auto utime = u64(14), stime = u64(15), start = u64(22), vsize = u64(23);
  const auto threads = i64(20), rss = i64(24);
  if (!utime || !stime || !threads || !start || !vsize || !rss) return std::nullopt;
  s.pid = *pid;
  s.comm = std::string(text.substr(open + 1, close - open - 1));
  s.state = f[0][0];
  s.utime_ticks = *utime;
  s.stime_ticks = *stime;
  s.num_threads = *threads;
  s.starttime_ticks = *start;
  s.vsize_bytes = *vsize;
  s.rss_pages = *rss;
  return s;
}

std::optional<PidStatus> parse_pid_status(std::string_view text) {
  static constexpr KeyField<PidStatus> kKeys[] = {
      {"Threads", &PidStatus::threads},
      {"VmRSS", &PidStatus::vm_rss_bytes},
      {"VmHWM", &PidStatus::vm_hwm_bytes},
      {"HugetlbPages", &PidStatus::hugetlb_bytes},
  };
  PidStatus s;
  read_keys(text, kKeys, s);
  proc::for_each_line(text, [&](std::string_view line) {
    if (line.substr(0, 5) == "Name:") {
      line.remove_prefix(5);
      while (!line.empty() && (line.front() == '\t' || line.front() == ' ')) line.remove_prefix(1);
      s.name = std::string(line);
    }
  });
  if (s.name.empty() && !s.threads && !s.vm_rss_bytes) return std::nullopt;
  return s;
}

std::optional<SmapsRollup> parse_smaps_rollup(std::string_view text) {
  static constexpr KeyField<SmapsRollup> kKeys[] = {
      {"Rss", &SmapsRollup::rss_bytes},
      {"Pss", &SmapsRollup::pss_bytes},
      {"Anonymous", &SmapsRollup::anonymous_bytes},
      {"AnonHugePages", &SmapsRollup::anon_huge_pages_bytes},
      {"FilePmdMapped", &SmapsRollup::file_pmd_mapped_bytes},
      {"ShmemPmdMapped", &SmapsRollup::shmem_pmd_mapped_bytes},
      {"Shared_Hugetlb", &SmapsRollup::shared_hugetlb_bytes},
      {"Private_Hugetlb", &SmapsRollup::private_hugetlb_bytes},
      {"Swap", &SmapsRollup::swap_bytes},
  };
  SmapsRollup s;
  read_keys(text, kKeys, s);
  if (!s.rss_bytes) return std::nullopt;
  return s;
}

std::uint64_t NumaMaps::hugetlb_bytes() const noexcept {
  std::uint64_t total = 0;
  for (const HugePageUse& u : hugetlb) total += u.pages * u.page_size_bytes;
  return total;
}

NumaMaps parse_numa_maps(std::string_view text) {
  NumaMaps out;
  proc::for_each_line(text, [&](std::string_view line) {
    const std::vector<std::string_view> f = proc::fields(line);
    if (f.empty()) return;
    const std::optional<Mapping> m = numa_line(f);
    if (!m) {
      ++out.bad_lines;
      return;
    }
    ++out.mappings;
    if (m->huge) add_huge(out, *m);
  });
  return out;
}

ProcessSample combine_process(const PidStat& stat, const std::optional<PidStatus>& status,
                              const std::optional<SmapsRollup>& smaps, const std::optional<NumaMaps>& numa,
                              long ticks_per_s, long page_bytes) {
  ProcessSample p;
  p.pid = stat.pid;
  p.name = status && !status->name.empty() ? status->name : stat.comm;
  const double tick_s = ticks_per_s > 0 ? 1.0 / static_cast<double>(ticks_per_s) : 0.0;
  p.cpu_user_s = static_cast<double>(stat.utime_ticks) * tick_s;
  p.cpu_system_s = static_cast<double>(stat.stime_ticks) * tick_s;
  p.threads = status && status->threads ? static_cast<std::int64_t>(*status->threads) : stat.num_threads;
  const std::uint64_t stat_rss = stat.rss_pages > 0 && page_bytes > 0
                                     ? static_cast<std::uint64_t>(stat.rss_pages) * static_cast<std::uint64_t>(page_bytes)
                                     : 0;
  p.rss_bytes = status && status->vm_rss_bytes ? *status->vm_rss_bytes : stat_rss;
  if (status) p.rss_peak_bytes = status->vm_hwm_bytes;
  if (numa && numa->hugetlb_mappings != 0) p.hugetlb_bytes = numa->hugetlb_bytes();
  else if (status && status->hugetlb_bytes) p.hugetlb_bytes = status->hugetlb_bytes;
  else if (numa) p.hugetlb_bytes = 0;
  if (smaps) p.thp_bytes = sum_present({smaps->anon_huge_pages_bytes, smaps->file_pmd_mapped_bytes, smaps->shmem_pmd_mapped_bytes});
  p.smaps = smaps;
  p.numa = numa;
  return p;
}

std::optional<ProcessSample> read_process(int pid, const std::filesystem::path& proc) {
  const std::filesystem::path dir = proc / std::to_string(pid);
  const std::optional<std::string> stat_text = proc::read_file(dir / "stat");
  const std::optional<PidStat> stat = stat_text ? parse_pid_stat(*stat_text) : std::nullopt;
  if (!stat) return std::nullopt;
  const std::optional<std::string> status_text = proc::read_file(dir / "status");
  const std::optional<std::string> smaps_text = proc::read_file(dir / "smaps_rollup");
  const std::optional<std::string> numa_text = proc::read_file(dir / "numa_maps", 64u << 20);
  return combine_process(*stat, status_text ? parse_pid_status(*status_text) : std::nullopt,
                         smaps_text ? parse_smaps_rollup(*smaps_text) : std::nullopt,
                         numa_text ? std::optional<NumaMaps>(parse_numa_maps(*numa_text)) : std::nullopt,
                         ::sysconf(_SC_CLK_TCK), ::sysconf(_SC_PAGESIZE));
}

}  // namespace llmbench::telemetry
