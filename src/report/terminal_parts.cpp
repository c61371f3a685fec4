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

namespace llmbench::report::terminal {

void client_limited(std::string& out, const StageResult& st, std::string_view indent) {
  if (!st.client_limited()) return;
  out += fmt::format("{}WARNING: the client was the bottleneck, figures may be the client's, not the server's:\n",
                     indent);
  for (const stats::ClientLimitReason& r : st.client_limited_reasons) out += fmt::format("{}  - {}\n", indent, r.message);
  out += fmt::format("{}  try: {}\n", indent, stats::client_limited_advice());
}

}  // namespace llmbench::report::terminal
