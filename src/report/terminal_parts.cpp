#include "terminal_parts.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace llmbench::report::terminal {

namespace {
const std::string kBanner(60, '=');

// The guide's "Model:" line; when the responses named another model than
// the one asked for, both (a server may serve another file than named).
void model_line(std::string& out, const std::string& requested, const std::vector<std::string>& served) {
  std::string others;
  for (const std::string& m : served) {
    if (m == requested) continue;
    others += (others.empty() ? "" : ", ") + display_model(m);
  }
  if (others.empty() || requested.empty()) {
    out += fmt::format("Model: {}\n", display_model(requested.empty() && !served.empty() ? served.front() : requested));
    return;
  }
  out += fmt::format("Model: requested {}, served {}\n", display_model(requested), others);
}

}  // namespace

void header(std::string& out, const RunReport& rep) {
  const SystemInfo& sys = rep.system;
  out += kBanner + "\n";
  out += "  LLAMA.CPP PERFORMANCE BENCHMARK\n";
  out += kBanner + "\n";
  model_line(out, sys.model, served_models(rep.stages));
  out += fmt::format("Huge Pages: {}/{} ({} MB each)\n", sys.hugepages.total - sys.hugepages.free, sys.hugepages.total,
                     sys.hugepages.size_kb / 1024);
  out += process_line(rep);
  out += fmt::format("Timestamp: {}\n", rep.timestamp);
}

void short_replies(std::string& out, const RunReport& rep, const stats::MetricSet& m, std::string_view truncated_where,
                   std::string_view stopped_where, std::string_view indent) {
  const std::uint64_t n = m.succeeded;
  if (m.truncated > 0) {
    out += fmt::format(
        "{}WARNING: {} of {} replies{} were truncated before max_tokens (finish_reason \"length\" or llama.cpp "
        "\"truncated\": the server's context is full): their tokens/s measure shorter replies than asked for; "
        "give the server a larger context or lower --max-tokens\n",
        indent, m.truncated, n, truncated_where);
  }
  if (m.stopped_before_max_tokens == 0) return;
  const bool all_ignore_eos = std::all_of(rep.plan->prompts.begin(), rep.plan->prompts.end(),
                                          [](const PromptItem& p) { return p.ignore_eos; });
  out += fmt::format("{}Note: {} of {} replies{} ended by the model's own stop before max_tokens; {}\n", indent,
                     m.stopped_before_max_tokens, n, stopped_where,
                     all_ignore_eos ? "the server did not honour --ignore-eos"
                                    : "--ignore-eos makes the server generate exactly max_tokens");
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
