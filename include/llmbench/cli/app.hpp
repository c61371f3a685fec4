#pragma once
#include "llmbench/cli/settings.hpp"

namespace llmbench::cli {

// Runs a benchmark (spec or load mode) with validated settings; returns the exit code.
int run_benchmark(const Settings& s);

// Sets spdlog's default logger for the verbosity (-v / -q).
void setup_logging(int verbosity);

}  // namespace llmbench::cli
