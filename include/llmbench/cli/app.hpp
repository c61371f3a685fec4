#pragma once
#include "llmbench/cli/parsed_settings.hpp"

namespace llmbench::cli {

// Runs a benchmark (spec or load mode) with parsed settings; returns the exit code.
int run_benchmark(const ParsedSettings& p);

// Sets spdlog's default logger for the verbosity (-v / -q).
void setup_logging(int verbosity);

}  // namespace llmbench::cli
