#pragma once
// Every file llmbench writes (results, CSV, HTML, merged runs) appears whole
// or not at all: written to a temporary file beside it, synced, renamed.
#include <string>
#include <string_view>

#include "llmbench/util/expected.hpp"

namespace llmbench::util {

// The error is one line: "cannot write PATH: reason".
Status write_file_atomically(const std::string& path, std::string_view content);

}  // namespace llmbench::util
