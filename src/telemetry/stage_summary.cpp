// One stage's telemetry figures (stage_summary.hpp). The statistics are
// stats/sampled_series' and server_rates(); this file picks the series and
// the window.
#include "llmbench/telemetry/stage_summary.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace llmbench::telemetry {

namespace {

using Opt = std::optional<double>;

struct GaugeFigures {
  Opt p50;
  Opt max;
  Opt mean;
  Opt min;
};

GaugeFigures gauge(const TelemetryResult& t, std::string_view name, double from, double to,
                   const std::vector<Label>& labels = {}) {
  const Series* s = find_series(t.series, name, labels);
  if (s == nullptr) return {};
  const SeriesSummary sum = summarize(*s, from, to);
  if (sum.points == 0) return {};
  double lo = sum.max;
  for (const Point& p : s->points) {
    if (p.t_s >= from && p.t_s <= to) lo = std::min(lo, p.value);
  }
  return {sum.p50, sum.max, sum.mean, lo};
}

// The counter's rate over the window's points, when it has two or more.
Opt window_rate(const TelemetryResult& t, std::string_view name, double from, double to, bool& reset) {
  const Series* s = find_series(t.series, name);
  if (s == nullptr) return std::nullopt;
  const SeriesSummary sum = summarize(*s, from, to);
  if (sum.resets != 0) reset = true;
  return sum.rate_per_s;
}

Opt window_delta(const TelemetryResult& t, std::string_view name, double from, double to) {
  const Series* s = find_series(t.series, name);
  if (s == nullptr) return std::nullopt;
  return summarize(*s, from, to).delta;
}

void server_rates_from_window(const TelemetryResult& t, StageTelemetry& out) {
  bool reset = false;
  out.server_prompt_tokens_per_s = window_rate(t, "server.prompt_tokens_total", out.from_s, out.to_s, reset);
  out.server_generation_tokens_per_s = window_rate(t, "server.generation_tokens_total", out.from_s, out.to_s, reset);
  out.decode_calls_per_s = window_rate(t, "server.decode_calls_total", out.from_s, out.to_s, reset);
  const Opt gen = window_delta(t, "server.generation_tokens_total", out.from_s, out.to_s);
  const Opt dec = window_delta(t, "server.decode_calls_total", out.from_s, out.to_s);
  if (gen && dec && *dec > 0) out.tokens_per_decode = *gen / *dec;
  out.counter_reset = out.counter_reset || reset;
}

void server_figures(const TelemetryResult& t, const EdgeScrape* before, const EdgeScrape* after,
                    StageTelemetry& out) {
  const bool edges = before != nullptr && after != nullptr && before->metrics && after->metrics;
  if (edges) {
    const ServerRates r = server_rates(*before->metrics, *after->metrics, after->t_s - before->t_s);
    out.server_prompt_tokens_per_s = r.prompt_tokens_per_s;
    out.server_generation_tokens_per_s = r.generation_tokens_per_s;
    out.decode_calls_per_s = r.decode_calls_per_s;
    out.tokens_per_decode = r.generation_tokens_per_decode;
    out.counter_reset = r.counter_reset;
    if (before->metrics->generation_tokens_total && after->metrics->generation_tokens_total) {
      out.server_generated_tokens =
          stats::counter_increase(*before->metrics->generation_tokens_total, *after->metrics->generation_tokens_total);
    }
  }
  // An exact window with two samples inside it: its own rates, not the
  // whole stage's (which include warm-up and cool-down).
  const Series* gen = find_series(t.series, "server.generation_tokens_total");
  if (gen != nullptr && summarize(*gen, out.from_s, out.to_s).points >= 2 &&
      (!edges || (after->t_s - before->t_s) > (out.to_s - out.from_s) + t.interval_s)) {
    server_rates_from_window(t, out);
  }
}

void gauges(const TelemetryResult& t, StageTelemetry& out) {
  const double a = out.from_s;
  const double b = out.to_s;
  const GaugeFigures queue = gauge(t, "server.requests_waiting", a, b);
  out.queue_depth_p50 = queue.p50;
  out.queue_depth_max = queue.max;
  GaugeFigures busy = gauge(t, "slots.busy", a, b);
  if (!busy.p50) busy = gauge(t, "server.requests_running", a, b);
  out.busy_slots_p50 = busy.p50;
  out.busy_slots_max = busy.max;
  const GaugeFigures kv = gauge(t, "server.kv_usage_ratio", a, b);
  out.kv_usage_p50 = kv.p50;
  out.kv_usage_max = kv.max;
  const GaugeFigures cpu = gauge(t, "host.cpu_busy_ratio", a, b, {{"cpu", "all"}});
  out.cpu_busy_p50 = cpu.p50;
  out.cpu_busy_max = cpu.max;
  out.cpu_mhz_mean = gauge(t, "host.cpufreq_mean_mhz", a, b).mean;
  out.cpu_mhz_min = gauge(t, "host.cpufreq_min_mhz", a, b).min;
  const GaugeFigures total = gauge(t, "host.hugepages_total", a, b);
  const GaugeFigures free = gauge(t, "host.hugepages_free", a, b);
  if (total.max && free.min) out.hugepages_in_use_max = *total.max - *free.min;
  out.process_rss_max_bytes = gauge(t, "process.rss_bytes", a, b).max;
  out.process_threads_max = gauge(t, "process.threads", a, b).max;
  const Opt user = window_delta(t, "process.cpu_user_s", a, b);
  const Opt sys = window_delta(t, "process.cpu_system_s", a, b);
  if (user && sys) out.process_cpu_s = *user + *sys;
}

// Every GPU's series (label gpu="N"): the busiest one's utilisation, the
// summed power, and the energy counters' increase per generated token.
void gpu_figures(const TelemetryResult& t, StageTelemetry& out) {
  double energy_j = 0;
  bool any_energy = false;
  for (const Series& s : t.series) {
    if (s.name == "gpu.utilization_ratio") {
      const SeriesSummary sum = summarize(s, out.from_s, out.to_s);
      if (sum.points != 0) out.gpu_utilization_max = std::max(out.gpu_utilization_max.value_or(0), sum.max);
    } else if (s.name == "gpu.power_w") {
      const SeriesSummary sum = summarize(s, out.from_s, out.to_s);
      if (sum.points != 0) out.gpu_power_w_max = out.gpu_power_w_max.value_or(0) + sum.max;
    } else if (s.name == "gpu.energy_j") {
      if (const Opt d = summarize(s, out.from_s, out.to_s).delta) {
        energy_j += *d;
        any_energy = true;
      }
    }
  }
  const Opt tokens = window_delta(t, "server.generation_tokens_total", out.from_s, out.to_s);
  if (any_energy && tokens && *tokens > 0) out.gpu_energy_j_per_output_token = energy_j / *tokens;
}

}  // namespace

std::optional<double> StageTelemetry::generated_tokens_difference() const {
  if (!server_generated_tokens || !client_generated_tokens) return std::nullopt;
  return *server_generated_tokens - *client_generated_tokens;
}

StageTelemetry summarize_stage(const TelemetryResult& t, const EdgeScrape* before, const EdgeScrape* after,
                               double from_s, double to_s, std::optional<double> client_generated_tokens) {
  StageTelemetry out;
  out.from_s = from_s;
  out.to_s = to_s;
  out.client_generated_tokens = client_generated_tokens;
  server_figures(t, before, after, out);
  gauges(t, out);
  gpu_figures(t, out);
  return out;
}

}  // namespace llmbench::telemetry
