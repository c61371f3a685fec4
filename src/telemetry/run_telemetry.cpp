// A run's telemetry (run_telemetry.hpp): the sources asked once, the sampler
// started over those that answered, edge scrapes, and the hand-over.
#include "llmbench/telemetry/run_telemetry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "llmbench/telemetry/nvml.hpp"
#include "llmbench/telemetry/probes.hpp"
#include "llmbench/telemetry/prometheus.hpp"
#include "llmbench/telemetry/slots.hpp"
#include "llmbench/util/clock.hpp"

namespace llmbench::telemetry {

namespace {

using std::chrono::milliseconds;

// A scrape may take up to one interval (then the sampler skips and counts the
// slots it overran), never more than 5 s.
milliseconds scrape_timeout(std::chrono::nanoseconds interval) {
  const auto ms = std::chrono::duration_cast<milliseconds>(interval);
  return std::clamp(ms, milliseconds(50), milliseconds(5000));
}

std::string_view status_name(MetricsAnswer a) {
  switch (a) {
    case MetricsAnswer::ok: return "scraped";
    case MetricsAnswer::disabled: return "disabled";
    case MetricsAnswer::not_found: return "not_found";
    case MetricsAnswer::error: break;
  }
  return "error";
}

}  // namespace

Expected<MetricsSource> parse_metrics_source(std::string_view text) {
  MetricsSource s;
  if (text == "auto" || text.empty()) return s;
  if (text == "off") {
    s.kind = MetricsSource::Kind::off;
    return s;
  }
  if (!text.starts_with("http://") && !text.starts_with("https://")) {
    return Unexpected("--server-metrics '" + std::string(text) + "': expected auto, off or a URL (http://host:port/metrics)");
  }
  auto url = http::parse_url(text);
  if (!url) return Unexpected("--server-metrics: " + url.error());
  s.kind = MetricsSource::Kind::url;
  s.path = url->base_path.empty() ? "/metrics" : url->base_path;
  url->base_path.clear();
  s.target = std::move(*url);
  return s;
}

bool is_loopback_host(std::string_view host) noexcept {
  return host == "localhost" || host == "::1" || host.starts_with("127.") || host == "0.0.0.0" || host == "::";
}

RunTelemetry::RunTelemetry(TelemetryOptions opts) : opts_(std::move(opts)) {
  result_.interval_s = static_cast<double>(opts_.interval.count()) / 1e9;
  std::vector<Probe> probes;
  probe_metrics(probes);
  probe_slots(probes);
  if (opts_.host) {
    HostPaths paths;
    paths.proc = opts_.proc;
    for (Probe& p : host_probes(paths)) probes.push_back(std::move(p));
  }
  for (Probe& p : nvml_probes()) probes.push_back(std::move(p));  // none without an NVIDIA driver
  probe_process(probes);
  sampler_ = std::make_unique<Sampler>(std::move(probes), SamplerOptions{opts_.interval, opts_.start_ns});
}

RunTelemetry::~RunTelemetry() {
  if (sampler_) sampler_->stop();
}

std::optional<http::FetchResult> RunTelemetry::get(const http::Target& t, const std::string& path,
                                                   http::FetchOptions o, milliseconds timeout) {
  o.timeout = timeout;
  http::FetchResult r = http::fetch(t, "GET", path, "", o);
  if (!r.ok) return std::nullopt;
  return r;
}

// auto: a 404 or 501 means the server has no metrics (llama-server needs
// --metrics), said once at debug level; a URL the user gave is scraped
// whatever its first answer, so its failures are counted, not hidden.
void RunTelemetry::probe_metrics(std::vector<Probe>& probes) {
  const MetricsSource& src = opts_.metrics;
  if (src.kind == MetricsSource::Kind::off) return;
  metrics_target_ = src.kind == MetricsSource::Kind::url ? src.target : opts_.target;
  metrics_fetch_ = opts_.fetch;
  if (src.kind == MetricsSource::Kind::url) {
    metrics_path_ = src.path;
    metrics_fetch_.headers.clear();  // the target's API key is not sent to another address
  }
  result_.metrics_url = metrics_target_.url(metrics_path_);
  const auto first = get(metrics_target_, metrics_path_, metrics_fetch_, scrape_timeout(opts_.interval));
  if (!first) {
    result_.metrics_status = "unreachable";
  } else {
    const MetricsAnswer a = classify_metrics_answer(first->status);
    result_.metrics_status = std::string(status_name(a));
    if (a == MetricsAnswer::ok && prom::parse(first->body).sample_count() == 0) result_.metrics_status = "garbage";
    if (a != MetricsAnswer::ok) spdlog::debug("GET {}: {}", result_.metrics_url, describe(a));
  }
  if (src.kind == MetricsSource::Kind::automatic && result_.metrics_status != "scraped") return;
  if (src.kind == MetricsSource::Kind::url && result_.metrics_status != "scraped") {
    result_.notes.push_back("server metrics at " + result_.metrics_url + ": first scrape " + result_.metrics_status +
                            "; scraping on, failures counted");
  }
  result_.metrics_status = "scraped";
  const milliseconds timeout = scrape_timeout(opts_.interval);
  probes.push_back(server_metrics_probe([this, timeout]() -> std::optional<std::string> {
    auto r = get(metrics_target_, metrics_path_, metrics_fetch_, timeout);
    if (!r || r->status != 200) return std::nullopt;
    return std::move(r->body);
  }));
}

// llama-server answers /slots unless started with --no-slots (501); other
// servers have no such route. Polled only when the first answer parses.
void RunTelemetry::probe_slots(std::vector<Probe>& probes) {
  if (opts_.metrics.kind == MetricsSource::Kind::off) return;
  const milliseconds timeout = scrape_timeout(opts_.interval);
  const auto first = get(opts_.target, "/slots", opts_.fetch, timeout);
  if (!first || first->status != 200 || !parse_slots(first->body)) return;
  result_.slots_polled = true;
  probes.push_back(slots_probe([this, timeout]() -> std::optional<std::string> {
    auto r = get(opts_.target, "/slots", opts_.fetch, timeout);
    if (!r || r->status != 200) return std::nullopt;
    return std::move(r->body);
  }));
}

void RunTelemetry::probe_process(std::vector<Probe>& probes) {
  int pid = opts_.server_pid;
  if (pid > 0) {
    result_.server_pid_source = "flag";
  } else if (!is_loopback_host(opts_.target.host)) {
    result_.notes.push_back("the server runs on " + opts_.target.host +
                            ", not this host: its process is not sampled (--server-pid for a local one)");
    return;
  } else {
    const PortOwners owners = find_listening_processes(opts_.target.port, opts_.proc);
    if (owners.pids.empty()) {
      result_.notes.push_back("no process of ours listens on port " + std::to_string(opts_.target.port) +
                              ": the server process is not sampled (--server-pid PID)");
      return;
    }
    pid = owners.pids.front();
    result_.server_pid_source = "port";
  }
  if (!read_process(pid, opts_.proc)) {
    result_.notes.push_back("--server-pid " + std::to_string(pid) + ": no such process; not sampled");
    return;
  }
  result_.server_pid = pid;
  for (Probe& p : process_probes(pid, opts_.proc)) probes.push_back(std::move(p));
}

void RunTelemetry::start() { sampler_->start(); }

void RunTelemetry::mark_edge() {
  if (result_.metrics_status != "scraped") return;
  EdgeScrape e;
  const std::int64_t begin = now_ns();
  const auto r = get(metrics_target_, metrics_path_, metrics_fetch_, scrape_timeout(opts_.interval));
  const std::int64_t end = now_ns();
  e.t_s = static_cast<double>(begin + (end - begin) / 2 - opts_.start_ns) / 1e9;
  if (r && r->status == 200) {
    const prom::Exposition x = prom::parse(r->body);
    if (x.sample_count() != 0) e.metrics = map_server_metrics(x);
  }
  result_.edges.push_back(std::move(e));
}

TelemetryResult RunTelemetry::finish() {
  sampler_->stop();
  result_.series = sampler_->series();
  result_.counters = sampler_->counters();
  if (result_.server_pid > 0) result_.process = read_process(result_.server_pid, opts_.proc);
  return std::move(result_);
}

}  // namespace llmbench::telemetry
