#pragma once
// Helpers for the end-to-end tests: run the llmbench binary as a child
// process (e2e_process.hpp), capture what it prints, and read the JSON it
// writes (e2e_json.hpp). Header-only because the CMake glob only picks up
// *_test.cpp files in this directory.
#include <string>
#include <vector>

#include "e2e_files.hpp"
#include "e2e_json.hpp"
#include "e2e_process.hpp"

namespace llmbench::e2e {

// The six prompt keys of the guide, in the guide's order.
inline const std::vector<std::string>& guide_prompt_keys() {
  static const std::vector<std::string> keys = {"memory_sequential",  "cache_loops",          "compute_arithmetic",
                                                "memory_structured", "throughput_sustained", "memory_bandwidth"};
  return keys;
}

}  // namespace llmbench::e2e
