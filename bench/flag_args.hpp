#pragma once
// The bench tools' command lines: `--name NUMBER` options and bare `--name`
// switches, nothing more. Header-only and dependency-free, like the tools.
#include <charconv>
#include <cstring>
#include <string_view>

namespace bench_args {

// Walks argv[1..]. `on(flag, num)` handles one flag and returns false for an
// unknown flag or a bad value; `num(out)` parses the flag's value (the next
// argument, consumed) into `out` and says whether it was a whole number.
template <class On>
bool for_each_flag(int argc, char** argv, On on) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    auto num = [&](auto& out) {
      if (v == nullptr) return false;
      const auto r = std::from_chars(v, v + std::strlen(v), out);
      ++i;
      return r.ec == std::errc() && *r.ptr == '\0';
    };
    if (!on(flag, num)) return false;
  }
  return true;
}

}  // namespace bench_args
