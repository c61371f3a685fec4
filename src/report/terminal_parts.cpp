#include "terminal_parts.hpp"

#include <fmt/format.h>

namespace llmbench::report::terminal {

namespace {
const std::string kBanner(60, '=');
}  // namespace

void header(std::string& out, const RunReport& rep) {
  const SystemInfo& sys = rep.system;
  out += kBanner + "\n";
  out += "  LLAMA.CPP PERFORMANCE BENCHMARK\n";
  out += kBanner + "\n";
  out += fmt::format("Model: {}\n", display_model(sys.model));
  out += fmt::format("Huge Pages: {}/{} ({} MB each)\n", sys.hugepages.total - sys.hugepages.free, sys.hugepages.total,
                     sys.hugepages.size_kb / 1024);
  out += process_line(rep);
  out += fmt::format("Timestamp: {}\n", rep.timestamp);
}

std::string errors_line(const stats::MetricSet& m) {
  std::string s;
  for (std::size_t k = 1; k < kErrorKindCount; ++k) {
    if (m.errors[k] == 0) continue;
    if (!s.empty()) s += ", ";
    s += fmt::format("{} {}", to_string(static_cast<ErrorKind>(k)), m.errors[k]);
  }
  return s;
}

}  // namespace llmbench::report::terminal
