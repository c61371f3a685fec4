#include "llmbench/telemetry/probes.hpp"

#include <unistd.h>

#include <utility>

#include "llmbench/telemetry/host.hpp"
#include "llmbench/telemetry/proc_text.hpp"
#include "llmbench/telemetry/process.hpp"

namespace llmbench::telemetry {
namespace {

using Readings = std::vector<Reading>;
constexpr SeriesKind kCounter = SeriesKind::counter;
constexpr SeriesKind kGauge = SeriesKind::gauge;

void add(Readings& out, std::string name, std::string unit, SeriesKind kind, double value,
         std::vector<Label> labels = {}) {
  out.push_back(Reading{std::move(name), std::move(labels), std::move(unit), kind, value});
}

template <class T>
void add(Readings& out, std::string name, std::string unit, SeriesKind kind, const std::optional<T>& v) {
  if (v) add(out, std::move(name), std::move(unit), kind, static_cast<double>(*v));
}

struct ServerField {
  std::optional<double> ServerMetrics::*field;
  const char* name;
  const char* unit;
  SeriesKind kind;
};
constexpr ServerField kServerFields[] = {
    {&ServerMetrics::requests_running, "server.requests_running", "requests", kGauge},
    {&ServerMetrics::requests_waiting, "server.requests_waiting", "requests", kGauge},
    {&ServerMetrics::kv_usage_ratio, "server.kv_usage_ratio", "ratio", kGauge},
    {&ServerMetrics::kv_used_tokens, "server.kv_used_tokens", "tokens", kGauge},
    {&ServerMetrics::busy_slots_per_decode, "server.busy_slots_per_decode", "slots", kGauge},
    {&ServerMetrics::server_prompt_tokens_per_s, "server.prompt_tokens_per_s", "tokens/s", kGauge},
    {&ServerMetrics::server_generation_tokens_per_s, "server.generation_tokens_per_s", "tokens/s", kGauge},
    {&ServerMetrics::prompt_tokens_total, "server.prompt_tokens_total", "tokens", kCounter},
    {&ServerMetrics::prompt_tokens_cached_total, "server.prompt_tokens_cached_total", "tokens", kCounter},
    {&ServerMetrics::generation_tokens_total, "server.generation_tokens_total", "tokens", kCounter},
    {&ServerMetrics::prompt_seconds_total, "server.prompt_seconds_total", "s", kCounter},
    {&ServerMetrics::generation_seconds_total, "server.generation_seconds_total", "s", kCounter},
    {&ServerMetrics::decode_calls_total, "server.decode_calls_total", "calls", kCounter},
    {&ServerMetrics::preemptions_total, "server.preemptions_total", "requests", kCounter},
};

// A probe reading one file each time.
Probe file_probe(std::string name, std::filesystem::path file,
                 std::function<std::optional<Readings>(std::string_view)> decode, int every_slots = 1) {
  return Probe{std::move(name), [file = std::move(file)] { return proc::read_file(file, 64u << 20); },
               std::move(decode), every_slots};
}

// Shares need two samples: the decoder keeps the previous one (probes run on
// the sampler's thread only, so no lock).
std::optional<Readings> decode_cpu(std::string_view text, std::optional<ProcStat>& previous) {
  std::optional<ProcStat> now = parse_proc_stat(text);
  if (!now) return std::nullopt;
  Readings out;
  if (previous) {
    for (const CpuShare& s : cpu_shares(*previous, *now)) {
      const std::vector<Label> cpu{{"cpu", s.cpu < 0 ? "all" : std::to_string(s.cpu)}};
      add(out, "host.cpu_busy_ratio", "ratio", kGauge, s.busy_ratio, cpu);
      add(out, "host.cpu_iowait_ratio", "ratio", kGauge, s.iowait_ratio, cpu);
      add(out, "host.cpu_steal_ratio", "ratio", kGauge, s.steal_ratio, cpu);
    }
  }
  previous = std::move(now);
  return out;
}

std::optional<Readings> decode_memory(std::string_view text) {
  const std::optional<MemInfo> m = parse_meminfo(text);
  if (!m) return std::nullopt;
  Readings out;
  add(out, "host.mem_total_bytes", "bytes", kGauge, m->mem_total_bytes);
  add(out, "host.mem_available_bytes", "bytes", kGauge, m->mem_available_bytes);
  add(out, "host.hugepages_total", "pages", kGauge, m->hugepages_total);
  add(out, "host.hugepages_free", "pages", kGauge, m->hugepages_free);
  add(out, "host.hugepages_rsvd", "pages", kGauge, m->hugepages_rsvd);
  add(out, "host.hugepage_size_bytes", "bytes", kGauge, m->hugepage_size_bytes);
  return out;
}

std::optional<Readings> decode_load(std::string_view text) {
  const std::optional<LoadAvg> l = parse_loadavg(text);
  if (!l) return std::nullopt;
  Readings out;
  add(out, "host.load1", "threads", kGauge, l->load1);
  add(out, "host.load5", "threads", kGauge, l->load5);
  add(out, "host.load15", "threads", kGauge, l->load15);
  add(out, "host.runnable_threads", "threads", kGauge, static_cast<double>(l->runnable));
  return out;
}

std::optional<Readings> decode_cpufreq(std::string_view text) {
  const std::optional<CpuFreq> f = parse_cpufreq(text);
  if (!f) return std::nullopt;
  Readings out;
  add(out, "host.cpufreq_min_mhz", "MHz", kGauge, f->min_mhz);
  add(out, "host.cpufreq_mean_mhz", "MHz", kGauge, f->mean_mhz);
  add(out, "host.cpufreq_max_mhz", "MHz", kGauge, f->max_mhz);
  return out;
}

std::optional<Readings> decode_thermal(std::string_view text) {
  const Thermal t = parse_thermal(text);
  if (t.zones.empty()) return std::nullopt;
  Readings out;
  for (std::size_t i = 0; i < t.zones.size(); ++i) {
    add(out, "host.temp_c", "C", kGauge, t.zones[i].temp_c, {{"zone", std::to_string(i)}, {"type", t.zones[i].type}});
  }
  return out;
}

// Nothing when the text is empty: the source is not exposed.
Probe text_probe(std::string name, std::function<std::string()> gather,
                 std::function<std::optional<Readings>(std::string_view)> decode) {
  auto fetch = [gather = std::move(gather)]() -> std::optional<std::string> {
    std::string text = gather();
    if (text.empty()) return std::nullopt;
    return text;
  };
  return Probe{std::move(name), std::move(fetch), std::move(decode), 1};
}

std::optional<Readings> decode_pid_stat(std::string_view text, long ticks_per_s) {
  const std::optional<PidStat> s = parse_pid_stat(text);
  if (!s || ticks_per_s <= 0) return std::nullopt;
  Readings out;
  const double tick_s = 1.0 / static_cast<double>(ticks_per_s);
  add(out, "process.cpu_user_s", "s", kCounter, static_cast<double>(s->utime_ticks) * tick_s);
  add(out, "process.cpu_system_s", "s", kCounter, static_cast<double>(s->stime_ticks) * tick_s);
  add(out, "process.threads", "threads", kGauge, static_cast<double>(s->num_threads));
  return out;
}

std::optional<Readings> decode_pid_status(std::string_view text) {
  const std::optional<PidStatus> s = parse_pid_status(text);
  if (!s) return std::nullopt;
  Readings out;
  add(out, "process.rss_bytes", "bytes", kGauge, s->vm_rss_bytes);
  add(out, "process.rss_peak_bytes", "bytes", kGauge, s->vm_hwm_bytes);
  add(out, "process.hugetlb_bytes", "bytes", kGauge, s->hugetlb_bytes);
  return out;
}

std::optional<Readings> decode_smaps(std::string_view text) {
  const std::optional<SmapsRollup> s = parse_smaps_rollup(text);
  if (!s) return std::nullopt;
  Readings out;
  add(out, "process.pss_bytes", "bytes", kGauge, s->pss_bytes);
  add(out, "process.anon_huge_pages_bytes", "bytes", kGauge, s->anon_huge_pages_bytes);
  add(out, "process.file_pmd_mapped_bytes", "bytes", kGauge, s->file_pmd_mapped_bytes);
  add(out, "process.shared_hugetlb_bytes", "bytes", kGauge, s->shared_hugetlb_bytes);
  add(out, "process.private_hugetlb_bytes", "bytes", kGauge, s->private_hugetlb_bytes);
  return out;
}

std::optional<Readings> decode_numa(std::string_view text) {
  const NumaMaps m = parse_numa_maps(text);
  if (m.mappings == 0) return std::nullopt;
  Readings out;
  add(out, "process.hugetlb_mappings", "mappings", kGauge, static_cast<double>(m.hugetlb_mappings));
  for (const HugePageUse& u : m.hugetlb) {
    add(out, "process.hugetlb_pages", "pages", kGauge, static_cast<double>(u.pages),
        {{"page_size_kb", std::to_string(u.page_size_bytes / 1024)}});
  }
  return out;
}

}  // namespace

std::vector<Reading> server_readings(const ServerMetrics& m) {
  Readings out;
  for (const ServerField& f : kServerFields) add(out, f.name, f.unit, f.kind, m.*f.field);
  for (const prom::Family& fam : m.other) {
    if (fam.type == prom::MetricType::histogram || fam.type == prom::MetricType::summary) continue;
    const SeriesKind kind = fam.type == prom::MetricType::counter ? kCounter : kGauge;
    for (const prom::Sample& s : fam.samples) add(out, s.name, "", kind, s.value, s.labels);
  }
  return out;
}

Probe server_metrics_probe(Fetch fetch) {
  auto decode = [](std::string_view text) -> std::optional<Readings> {
    const prom::Exposition e = prom::parse(text);
    if (e.sample_count() == 0) return std::nullopt;
    return server_readings(map_server_metrics(e));
  };
  return Probe{"server.metrics", std::move(fetch), std::move(decode), 1};
}

std::vector<Reading> slots_readings(const SlotsSnapshot& s) {
  Readings out;
  add(out, "slots.total", "slots", kGauge, static_cast<double>(s.slots.size()));
  add(out, "slots.busy", "slots", kGauge, static_cast<double>(s.busy()));
  add(out, "slots.decoded_busy", "tokens", kGauge, static_cast<double>(s.decoded_busy()));
  for (const SlotState& slot : s.slots) {
    const std::vector<Label> id{{"slot", std::to_string(slot.id)}};
    add(out, "slot.processing", "slots", kGauge, slot.processing ? 1.0 : 0.0, id);
    if (slot.n_decoded) add(out, "slot.n_decoded", "tokens", kGauge, static_cast<double>(*slot.n_decoded), id);
  }
  return out;
}

Probe slots_probe(Fetch fetch) {
  auto decode = [](std::string_view text) -> std::optional<Readings> {
    const std::optional<SlotsSnapshot> s = parse_slots(text);
    if (!s) return std::nullopt;
    return slots_readings(*s);
  };
  return Probe{"server.slots", std::move(fetch), std::move(decode), 1};
}

std::vector<Probe> host_probes(const HostPaths& paths) {
  std::vector<Probe> out;
  out.push_back(file_probe("host.cpu", paths.proc / "stat",
                           [previous = std::optional<ProcStat>()](std::string_view text) mutable {
                             return decode_cpu(text, previous);
                           }));
  out.push_back(file_probe("host.memory", paths.proc / "meminfo", decode_memory));
  out.push_back(file_probe("host.load", paths.proc / "loadavg", decode_load));
  if (!cpufreq_text(paths.cpu).empty()) {
    out.push_back(text_probe("host.cpufreq", [dir = paths.cpu] { return cpufreq_text(dir); }, decode_cpufreq));
  }
  if (!thermal_text(paths.thermal).empty()) {
    out.push_back(text_probe("host.thermal", [dir = paths.thermal] { return thermal_text(dir); }, decode_thermal));
  }
  return out;
}

std::vector<Probe> process_probes(int pid, const std::filesystem::path& proc, int page_walk_every_slots) {
  const std::filesystem::path dir = proc / std::to_string(pid);
  const long ticks_per_s = ::sysconf(_SC_CLK_TCK);
  std::vector<Probe> out;
  out.push_back(file_probe("process.stat", dir / "stat",
                           [ticks_per_s](std::string_view text) { return decode_pid_stat(text, ticks_per_s); }));
  out.push_back(file_probe("process.status", dir / "status", decode_pid_status));
  out.push_back(file_probe("process.smaps_rollup", dir / "smaps_rollup", decode_smaps, page_walk_every_slots));
  out.push_back(file_probe("process.numa_maps", dir / "numa_maps", decode_numa, page_walk_every_slots));
  return out;
}

}  // namespace llmbench::telemetry
