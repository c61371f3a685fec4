#include "llmbench/stats/client_limits.hpp"

#include <charconv>
#include <cstdio>
#include <set>

namespace llmbench::stats {

namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

Status set_limit(ClientLimits& l, const std::string& key, const std::string& value) {
  double v = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || !(v >= 0)) {
    return Unexpected("--client-limits: " + key + "=" + value + " is not a number >= 0");
  }
  if (key == "read_lag_ms") l.read_lag_ms = v;
  else if (key == "schedule_lag_ms") l.schedule_lag_ms = v;
  else if (key == "turnaround_ms") l.turnaround_ms = v;
  else if (key == "worker_cpu") l.worker_cpu_share = v;
  else return Unexpected("--client-limits: unknown key '" + key +
                         "' (read_lag_ms, schedule_lag_ms, turnaround_ms, worker_cpu)");
  return {};
}

double p99_ms(const Histogram& h) { return h.percentile(99) / 1e6; }

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

Expected<ClientLimits> parse_client_limits(std::string_view spec) {
  ClientLimits limits;
  std::set<std::string> seen;
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    const std::string item = trimmed(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    const auto eq = item.find('=');
    if (eq == std::string::npos) return Unexpected("--client-limits: '" + item + "' is not KEY=VALUE");
    const std::string key = trimmed(std::string_view(item).substr(0, eq));
    if (!seen.insert(key).second) return Unexpected("--client-limits: " + key + " given twice");
    if (auto ok = set_limit(limits, key, trimmed(std::string_view(item).substr(eq + 1))); !ok) {
      return Unexpected(ok.error());
    }
  }
  return limits;
}

std::vector<ClientLimitReason> client_limited_reasons(const ClientLoad& load, const ClientLimits& limits) {
  std::vector<ClientLimitReason> out;
  if (load.overall == nullptr) return out;
  const MetricSet& m = *load.overall;
  if (!m.read_lag_ns.empty() && p99_ms(m.read_lag_ns) > limits.read_lag_ms) {
    const double v = p99_ms(m.read_lag_ns);
    out.push_back({"read_lag", v, limits.read_lag_ms,
                   "reads were late: read lag p99 " + fixed(v, 2) + " ms > " + fixed(limits.read_lag_ms, 2) +
                       " ms (token times from user-space timestamps would be off by as much)"});
  }
  if (load.open_loop && !load.capped && !m.lag_ns.empty() && p99_ms(m.lag_ns) > limits.schedule_lag_ms) {
    const double v = p99_ms(m.lag_ns);
    out.push_back({"schedule_lag", v, limits.schedule_lag_ms,
                   "requests went out late: schedule lag p99 " + fixed(v, 2) + " ms > " +
                       fixed(limits.schedule_lag_ms, 2) + " ms (the offered rate was not the asked one)"});
  }
  if (load.closed_loop && !m.turnaround_ns.empty() && p99_ms(m.turnaround_ns) > limits.turnaround_ms) {
    const double v = p99_ms(m.turnaround_ns);
    out.push_back({"turnaround", v, limits.turnaround_ms,
                   "clients were slow to send again: turnaround p99 " + fixed(v, 2) + " ms > " +
                       fixed(limits.turnaround_ms, 2) + " ms (fewer requests in flight than --concurrency)"});
  }
  if (load.worker_cpu_share_max > limits.worker_cpu_share) {
    const double v = load.worker_cpu_share_max;
    out.push_back({"worker_cpu", v, limits.worker_cpu_share,
                   "a worker thread was busy " + fixed(100.0 * v, 0) + "% of the time (> " +
                       fixed(100.0 * limits.worker_cpu_share, 0) + "% of a core)"});
  }
  return out;
}

std::string_view client_limited_advice() noexcept {
  return "more --threads, pin the client away from the server (taskset), or fewer streams";
}

}  // namespace llmbench::stats
