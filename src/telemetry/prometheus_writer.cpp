// The writer half of prometheus.hpp: text that parse() reads back equal.
#include <charconv>
#include <cmath>

#include "llmbench/telemetry/prometheus.hpp"

namespace llmbench::telemetry::prom {
namespace {

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, ec == std::errc() ? end : buf);
  }
}

void append_escaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quote) out += "\\\"";
    else out.push_back(c);
  }
}

void append_sample(std::string& out, const Sample& s) {
  out += s.name;
  if (!s.labels.empty()) {
    out.push_back('{');
    for (std::size_t i = 0; i < s.labels.size(); ++i) {
      if (i != 0) out.push_back(',');
      out += s.labels[i].name;
      out += "=\"";
      append_escaped(out, s.labels[i].value, true);
      out.push_back('"');
    }
    out.push_back('}');
  }
  out.push_back(' ');
  append_value(out, s.value);
  if (s.timestamp_ms) {
    out.push_back(' ');
    out += std::to_string(*s.timestamp_ms);
  }
  out.push_back('\n');
}

}  // namespace

std::string format(const Exposition& e) {
  std::string out;
  for (const Family& f : e.families) {
    out += "# HELP ";
    out += f.name;
    out.push_back(' ');
    append_escaped(out, f.help, false);
    out.push_back('\n');
    if (f.type != MetricType::untyped) {
      out += "# TYPE ";
      out += f.name;
      out.push_back(' ');
      out += to_string(f.type);
      out.push_back('\n');
    }
    for (const Sample& s : f.samples) append_sample(out, s);
  }
  return out;
}

}  // namespace llmbench::telemetry::prom
