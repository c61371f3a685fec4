#pragma once
// NVIDIA GPUs through NVML, loaded at run time with dlopen("libnvidia-ml.so.1")
// so llmbench has no build or package dependency on the driver. Where there
// is no driver (no library, or nvmlInit fails) there are no GPU probes and
// nothing is said: most machines running llama.cpp on CPU have none.
//
// The figures: utilisation (GPU and memory controller, 0..1), memory used
// and total, power (W) and the energy counter (J, Volta and later), per GPU
// (label gpu="N"). gpu_readings() turns one GPU's raw NVML values into
// readings and is pure, so it is tested without a GPU.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmbench/telemetry/sampler.hpp"

namespace llmbench::telemetry {

// One GPU's values as NVML gives them (each empty when its call failed).
struct GpuRaw {
  std::optional<unsigned> gpu_util_pct;     // nvmlUtilization_t.gpu
  std::optional<unsigned> mem_util_pct;     // nvmlUtilization_t.memory
  std::optional<std::uint64_t> mem_used_bytes;
  std::optional<std::uint64_t> mem_total_bytes;
  std::optional<unsigned> power_mw;         // nvmlDeviceGetPowerUsage
  std::optional<std::uint64_t> energy_mj;   // nvmlDeviceGetTotalEnergyConsumption
};

[[nodiscard]] std::vector<Reading> gpu_readings(unsigned index, const GpuRaw& raw);

// One probe per run reading every GPU, or none without a usable NVML.
// `library`: the file to dlopen (tests pass one that does not exist).
[[nodiscard]] std::vector<Probe> nvml_probes(const std::string& library = "libnvidia-ml.so.1");

}  // namespace llmbench::telemetry
