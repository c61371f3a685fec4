// The terminal's telemetry lines (terminal_parts.hpp): the server process
// under the guide's Huge Pages line, and each stage's server view.
#include <fmt/format.h>

#include <cmath>

#include "terminal_parts.hpp"

namespace llmbench::report::terminal {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::string bytes_text(double b) {
  if (b >= 1024.0 * kMiB) return fmt::format("{:.1f} GB", b / (1024.0 * kMiB));
  return fmt::format("{:.1f} MB", b / kMiB);
}

std::string num(const std::optional<double>& v, int decimals = 0) {
  if (!v) return "-";
  return fmt::format("{:.{}f}", *v, decimals);
}

std::string generated_line(const telemetry::StageTelemetry& s) {
  const std::optional<double> diff = s.generated_tokens_difference();
  if (!diff) return "";
  if (*diff == 0) {
    return fmt::format("  Generated tokens: server {:.0f}, client {:.0f} (agree)\n", *s.server_generated_tokens,
                       *s.client_generated_tokens);
  }
  const double pct = *s.client_generated_tokens > 0 ? 100.0 * *diff / *s.client_generated_tokens : 0.0;
  return fmt::format("  Generated tokens DIFFER: server {:.0f}, client {:.0f} ({:+.0f}, {:+.2f}%)\n",
                     *s.server_generated_tokens, *s.client_generated_tokens, *diff, pct);
}

}  // namespace

std::string process_line(const RunReport& rep) {
  if (!rep.telemetry || rep.telemetry->server_pid == 0 || !rep.telemetry->process) return "";
  const telemetry::ProcessSample& p = *rep.telemetry->process;
  const double hugetlb = static_cast<double>(p.hugetlb_bytes.value_or(0));
  const double thp = static_cast<double>(p.thp_bytes.value_or(0));
  return fmt::format("Server process: PID {} threads {}, RSS {}, huge pages mapped {:.0f} MB (hugetlb {:.0f}, THP {:.0f})\n",
                     p.pid, p.threads, bytes_text(static_cast<double>(p.rss_bytes)), (hugetlb + thp) / kMiB,
                     hugetlb / kMiB, thp / kMiB);
}

std::string server_view(const RunReport& rep, std::size_t k, double client_tokens_per_s) {
  if (!rep.telemetry || k >= rep.stage_telemetry.size()) return "";
  const telemetry::StageTelemetry& s = rep.stage_telemetry[k];
  const bool any_server = s.queue_depth_p50 || s.busy_slots_p50 || s.server_generation_tokens_per_s;
  if (!any_server) return "";
  std::string out = fmt::format("  {:<26}{:>8}{:>8}\n", fmt::format("Server view (every {:g} s)", rep.telemetry->interval_s),
                                "p50", "max");
  out += fmt::format("    {:<24}{:>8}{:>8}\n", "queue depth", num(s.queue_depth_p50), num(s.queue_depth_max));
  out += fmt::format("    {:<24}{:>8}{:>8}\n", "busy slots", num(s.busy_slots_p50), num(s.busy_slots_max));
  if (s.kv_usage_p50) {
    out += fmt::format("    {:<24}{:>8}{:>8}\n", "KV cache used", num(s.kv_usage_p50, 2), num(s.kv_usage_max, 2));
  }
  if (s.server_generation_tokens_per_s) {
    out += fmt::format("  Server gen tok/s: {} (client {:.1f}); {} tokens per decode, {} decode calls/s\n",
                       num(s.server_generation_tokens_per_s, 1), client_tokens_per_s, num(s.tokens_per_decode, 2),
                       num(s.decode_calls_per_s, 1));
  } else if (rep.telemetry->metrics_status == "disabled") {
    out += "  (the server's /metrics is off, so no server rates: start llama-server with --metrics)\n";
  }
  out += generated_line(s);
  if (s.counter_reset) out += "  (a server counter went down during the stage: the server restarted)\n";
  return out;
}

}  // namespace llmbench::report::terminal
