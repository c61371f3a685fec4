// NVML through dlopen (nvml.hpp). The few entry points we call are declared
// here with NVML's C signatures (stable since CUDA 7: the _v2 names and the
// structs below); a missing symbol leaves that figure out.
#include "llmbench/telemetry/nvml.hpp"

#include <dlfcn.h>

#include <memory>

namespace llmbench::telemetry {

namespace {

using nvmlReturn = int;  // NVML_SUCCESS == 0
using nvmlDevice = void*;
struct NvmlUtilization {
  unsigned gpu;
  unsigned memory;
};
struct NvmlMemory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

struct Nvml {
  void* lib = nullptr;
  nvmlReturn (*init)() = nullptr;
  nvmlReturn (*shutdown)() = nullptr;
  nvmlReturn (*count)(unsigned*) = nullptr;
  nvmlReturn (*handle)(unsigned, nvmlDevice*) = nullptr;
  nvmlReturn (*util)(nvmlDevice, NvmlUtilization*) = nullptr;
  nvmlReturn (*memory)(nvmlDevice, NvmlMemory*) = nullptr;
  nvmlReturn (*power)(nvmlDevice, unsigned*) = nullptr;
  nvmlReturn (*energy)(nvmlDevice, unsigned long long*) = nullptr;

  ~Nvml() {
    if (shutdown != nullptr) shutdown();
    if (lib != nullptr) ::dlclose(lib);
  }
};

template <class F>
void bind(void* lib, const char* name, F& fn) {
  fn = reinterpret_cast<F>(::dlsym(lib, name));
}

std::shared_ptr<Nvml> load(const std::string& library) {
  auto n = std::make_shared<Nvml>();
  n->lib = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (n->lib == nullptr) return nullptr;
  bind(n->lib, "nvmlInit_v2", n->init);
  bind(n->lib, "nvmlDeviceGetCount_v2", n->count);
  bind(n->lib, "nvmlDeviceGetHandleByIndex_v2", n->handle);
  if (n->init == nullptr || n->count == nullptr || n->handle == nullptr || n->init() != 0) return nullptr;
  bind(n->lib, "nvmlShutdown", n->shutdown);
  bind(n->lib, "nvmlDeviceGetUtilizationRates", n->util);
  bind(n->lib, "nvmlDeviceGetMemoryInfo", n->memory);
  bind(n->lib, "nvmlDeviceGetPowerUsage", n->power);
  bind(n->lib, "nvmlDeviceGetTotalEnergyConsumption", n->energy);
  return n;
}

GpuRaw read_gpu(const Nvml& n, nvmlDevice d) {
  GpuRaw raw;
  if (NvmlUtilization u{}; n.util != nullptr && n.util(d, &u) == 0) {
    raw.gpu_util_pct = u.gpu;
    raw.mem_util_pct = u.memory;
  }
  if (NvmlMemory m{}; n.memory != nullptr && n.memory(d, &m) == 0) {
    raw.mem_used_bytes = m.used;
    raw.mem_total_bytes = m.total;
  }
  if (unsigned mw = 0; n.power != nullptr && n.power(d, &mw) == 0) raw.power_mw = mw;
  if (unsigned long long mj = 0; n.energy != nullptr && n.energy(d, &mj) == 0) raw.energy_mj = mj;
  return raw;
}

}  // namespace

std::vector<Reading> gpu_readings(unsigned index, const GpuRaw& raw) {
  std::vector<Reading> out;
  const std::vector<Label> gpu{{"gpu", std::to_string(index)}};
  const auto add = [&](const char* name, const char* unit, SeriesKind kind, double v) {
    out.push_back(Reading{name, gpu, unit, kind, v});
  };
  if (raw.gpu_util_pct) add("gpu.utilization_ratio", "ratio", SeriesKind::gauge, *raw.gpu_util_pct / 100.0);
  if (raw.mem_util_pct) add("gpu.memory_bandwidth_ratio", "ratio", SeriesKind::gauge, *raw.mem_util_pct / 100.0);
  if (raw.mem_used_bytes) add("gpu.memory_used_bytes", "bytes", SeriesKind::gauge, static_cast<double>(*raw.mem_used_bytes));
  if (raw.mem_total_bytes) {
    add("gpu.memory_total_bytes", "bytes", SeriesKind::gauge, static_cast<double>(*raw.mem_total_bytes));
  }
  if (raw.power_mw) add("gpu.power_w", "W", SeriesKind::gauge, *raw.power_mw / 1000.0);
  if (raw.energy_mj) add("gpu.energy_j", "J", SeriesKind::counter, static_cast<double>(*raw.energy_mj) / 1000.0);
  return out;
}

std::vector<Probe> nvml_probes(const std::string& library) {
  std::shared_ptr<Nvml> n = load(library);
  unsigned count = 0;
  if (!n || n->count(&count) != 0 || count == 0) return {};
  // A probe's fetch() returns text for decode(); NVML gives values, not
  // text, so fetch() reads them into `last` and decode(), which the sampler
  // calls right after it on the same thread, hands them over.
  auto last = std::make_shared<std::vector<Reading>>();
  auto fetch = [n, count, last]() -> std::optional<std::string> {
    last->clear();
    for (unsigned i = 0; i < count; ++i) {
      nvmlDevice d = nullptr;
      if (n->handle(i, &d) != 0) continue;
      for (Reading& r : gpu_readings(i, read_gpu(*n, d))) last->push_back(std::move(r));
    }
    if (last->empty()) return std::nullopt;
    return std::string("nvml");
  };
  auto decode = [last](std::string_view) -> std::optional<std::vector<Reading>> { return *last; };
  return {Probe{"gpu.nvml", std::move(fetch), std::move(decode), 1}};
}

}  // namespace llmbench::telemetry
