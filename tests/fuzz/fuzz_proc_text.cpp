// Fuzzes the /proc and /sys text parsers (telemetry/host.hpp, process.hpp)
// and the /slots parser: whatever the bytes, no crash, no read past them,
// and answers that hold together.
//
// Options byte, modulo 12, picks the parser. Invariants:
//  - a count of bad lines never exceeds the lines there are;
//  - /proc/stat read as two samples (the payload cut at the first cut) gives
//    shares in [0, 1] that add up to at most 1;
//  - cpufreq min <= mean <= max; numa_maps' hugetlb mappings are mappings;
//    /slots has no more busy slots than slots; /props (option 11 too) never
//    lists more template capabilities than there are bytes.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_input.hpp"
#include "llmbench/telemetry/host.hpp"
#include "llmbench/telemetry/process.hpp"
#include "llmbench/telemetry/server_props.hpp"
#include "llmbench/telemetry/slots.hpp"

namespace {

namespace t = llmbench::telemetry;

std::size_t line_count(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n' ? 1 : 0;
  return n + 1;
}

bool unit(double x) { return x >= 0 && x <= 1; }

void proc_stat(std::string_view a, std::string_view b) {
  const auto before = t::parse_proc_stat(a);
  const auto after = t::parse_proc_stat(b);
  if (before) LLMBENCH_FUZZ_CHECK(before->bad_lines <= line_count(a));
  if (!before || !after) return;
  for (const t::CpuShare& s : t::cpu_shares(*before, *after)) {
    LLMBENCH_FUZZ_CHECK(unit(s.busy_ratio) && unit(s.iowait_ratio) && unit(s.steal_ratio));
    LLMBENCH_FUZZ_CHECK(s.busy_ratio + s.iowait_ratio + s.steal_ratio <= 1 + 1e-9);
  }
}

void cpufreq(std::string_view s) {
  const auto f = t::parse_cpufreq(s);
  if (!f) return;
  LLMBENCH_FUZZ_CHECK(f->cpus >= 1 && f->cpus + f->bad_lines <= line_count(s));
  LLMBENCH_FUZZ_CHECK(f->min_mhz <= f->mean_mhz * (1 + 1e-12) && f->mean_mhz <= f->max_mhz * (1 + 1e-12));
}

void numa(std::string_view s) {
  const t::NumaMaps m = t::parse_numa_maps(s);
  LLMBENCH_FUZZ_CHECK(m.mappings + m.bad_lines <= line_count(s));
  LLMBENCH_FUZZ_CHECK(m.hugetlb_mappings <= m.mappings);
  std::size_t used = 0;
  for (const t::HugePageUse& u : m.hugetlb) used += u.mappings;
  LLMBENCH_FUZZ_CHECK(used <= m.hugetlb_mappings);
  static_cast<void>(m.hugetlb_bytes());
}

// The control plane's JSON answers: /slots, and /props read for the
// results' server block (telemetry/server_props.hpp), on the same bytes.
void slots(std::string_view s) {
  const auto snap = t::parse_slots(s);
  if (snap) LLMBENCH_FUZZ_CHECK(snap->busy() <= snap->slots.size());
  const auto props = t::parse_server_props(s);
  if (props) LLMBENCH_FUZZ_CHECK(props->chat_template_caps.size() <= s.size());
}

void one_of_the_rest(unsigned which, std::string_view s) {
  switch (which) {
    case 2: {
      const auto m = t::parse_meminfo(s);
      if (m) LLMBENCH_FUZZ_CHECK(m->bad_lines <= line_count(s));
      break;
    }
    case 3: static_cast<void>(t::parse_loadavg(s)); break;
    case 4: LLMBENCH_FUZZ_CHECK(t::parse_thermal(s).bad_lines <= line_count(s)); break;
    case 5: static_cast<void>(t::parse_pid_stat(s)); break;
    case 6: {
      const auto st = t::parse_pid_status(s);
      if (st) LLMBENCH_FUZZ_CHECK(st->bad_lines <= line_count(s));
      break;
    }
    case 7: {
      const auto r = t::parse_smaps_rollup(s);
      if (r) LLMBENCH_FUZZ_CHECK(r->bad_lines <= line_count(s));
      break;
    }
    case 8: {
      const t::ListenTable l = t::parse_proc_net_tcp(s);
      LLMBENCH_FUZZ_CHECK(l.listening.size() + l.bad_lines <= line_count(s));
      break;
    }
    case 9: static_cast<void>(t::socket_inode(s)); break;
    default: break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = llmbench::fuzz::parse_input(data, size);
  if (!in) return 0;
  const llmbench::fuzz::Buffer body(in->payload, 0);
  const std::string_view s = body.view();
  switch (in->options % 12) {
    case 0: {
      const std::size_t cut = in->cuts.empty() ? s.size() : in->cuts.front();
      const llmbench::fuzz::Buffer first(s.substr(0, cut), 0);
      const llmbench::fuzz::Buffer second(s.substr(cut), 0);
      proc_stat(first.view(), second.view());
      break;
    }
    case 1: cpufreq(s); break;
    case 10: numa(s); break;
    case 11: slots(s); break;
    default: one_of_the_rest(in->options % 12, s); break;
  }
  return 0;
}
