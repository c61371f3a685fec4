#pragma once
// Ready-made probes for the sampler (sampler.hpp): the server's /metrics and
// /slots (given a fetch function, since the sampler knows no HTTP), the host,
// and the server process. Each decode() is one of the pure parsers; the
// readings' names, units and kinds are fixed here, once.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "llmbench/telemetry/sampler.hpp"
#include "llmbench/telemetry/server_metrics.hpp"
#include "llmbench/telemetry/slots.hpp"

namespace llmbench::telemetry {

// Returns the body of a successful answer, nothing otherwise (unreachable,
// timed out, a 501 "metrics disabled": see classify_metrics_answer()).
using Fetch = std::function<std::optional<std::string>()>;

// "server.<field>" for every canonical figure present (e.g.
// server.generation_tokens_total, counter, tokens), then every counter, gauge
// and untyped series the mapping left raw, under its own name and labels.
// Histograms and summaries are left out of the series.
[[nodiscard]] std::vector<Reading> server_readings(const ServerMetrics& m);
// A body with no sample at all (an HTML page, a JSON error) is garbage.
[[nodiscard]] Probe server_metrics_probe(Fetch fetch);

// slots.total, slots.busy, slots.decoded_busy, and per slot (label slot=id)
// slot.processing (0/1) and slot.n_decoded.
[[nodiscard]] std::vector<Reading> slots_readings(const SlotsSnapshot& s);
[[nodiscard]] Probe slots_probe(Fetch fetch);

struct HostPaths {
  std::filesystem::path proc = "/proc";
  std::filesystem::path cpu = "/sys/devices/system/cpu";
  std::filesystem::path thermal = "/sys/class/thermal";
};

// host.cpu (busy / iowait / steal shares per CPU and cpu="all", from the
// second sample on), host.memory, host.load, and host.cpufreq and
// host.thermal when the machine exposes them now.
[[nodiscard]] std::vector<Probe> host_probes(const HostPaths& paths = {});

// process.stat (CPU seconds as counters, threads) and process.status (RSS,
// peak RSS, hugetlb) every slot; process.smaps_rollup (THP, hugetlb) and
// process.numa_maps (hugetlb pages by page size) every `page_walk_every_slots`
// slots, since reading those makes the kernel walk the server's page tables.
[[nodiscard]] std::vector<Probe> process_probes(int pid, const std::filesystem::path& proc = "/proc",
                                                int page_walk_every_slots = 10);

}  // namespace llmbench::telemetry
