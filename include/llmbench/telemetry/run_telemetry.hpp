#pragma once
// A run's telemetry from start to finish: which sources answer (the server's
// /metrics and /slots, the host, the server process), the sampler over them
// on its own thread, and /metrics scrapes at each stage's edges.
//
// Why edge scrapes: the sampler reads the counters once per interval, so a
// stage that ends between two samples would lose up to an interval of the
// server's tokens, and "the server generated as many tokens as the client
// read" could not be checked. So a scrape is also taken right before each
// stage starts and after the last one ends, on the caller's thread, while no
// request is in flight: nothing of the measured path waits for it.
//
// Nothing here ever stops the run: a source that does not answer is left out
// with a one-line note, a scrape that fails or reads as garbage is counted.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/http/fetch.hpp"
#include "llmbench/http/url.hpp"
#include "llmbench/telemetry/process.hpp"
#include "llmbench/telemetry/sampler.hpp"
#include "llmbench/telemetry/server_metrics.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::telemetry {

// --server-metrics: auto (GET /metrics on the target), off, or a URL.
struct MetricsSource {
  enum class Kind : std::uint8_t { automatic, off, url } kind = Kind::automatic;
  http::Target target;  // Kind::url: where
  std::string path;     // Kind::url: the URL's path ("/metrics" when it has none)
};
[[nodiscard]] Expected<MetricsSource> parse_metrics_source(std::string_view text);

struct TelemetryOptions {
  MetricsSource metrics;
  std::chrono::nanoseconds interval = std::chrono::seconds(1);
  int server_pid = 0;          // --server-pid; 0: look it up from the target's port when it is local
  http::Target target;         // the benchmark's target
  http::FetchOptions fetch;    // its headers and TLS
  std::int64_t start_ns = 0;   // the run's t = 0 (now_ns())
  std::filesystem::path proc = "/proc";
  bool host = true;            // sample the host
};

// One /metrics scrape at a stage's edge; metrics empty when it failed.
struct EdgeScrape {
  double t_s = 0;
  std::optional<ServerMetrics> metrics;
};

struct TelemetryResult {
  std::vector<Series> series;
  std::vector<ProbeCounters> counters;
  std::vector<std::string> notes;  // one line each: a source left out, and why
  // scraped, off, disabled (501), not_found (404), error (another status),
  // unreachable, garbage (answered 200 with no sample)
  std::string metrics_status = "off";
  std::string metrics_url;
  bool slots_polled = false;
  int server_pid = 0;              // 0: not sampled
  std::string server_pid_source;   // "flag" or "port"
  std::optional<ProcessSample> process;  // read once at the end of the run
  std::vector<EdgeScrape> edges;   // one before each stage, one after the last
  double interval_s = 1;
};

// Whether a host name is this machine's loopback (only then can the server's
// process be found from its port).
[[nodiscard]] bool is_loopback_host(std::string_view host) noexcept;

class RunTelemetry {
 public:
  // Asks each source once (GET /metrics, GET /slots, the port's owner) and
  // builds the probes; blocking, before the run.
  explicit RunTelemetry(TelemetryOptions opts);
  ~RunTelemetry();
  RunTelemetry(const RunTelemetry&) = delete;
  RunTelemetry& operator=(const RunTelemetry&) = delete;

  void start();
  // A /metrics scrape now (a stage's edge), when /metrics is scraped at all.
  void mark_edge();
  // Stops the sampler and hands over everything; call once.
  [[nodiscard]] TelemetryResult finish();

 private:
  void probe_metrics(std::vector<Probe>& probes);
  void probe_slots(std::vector<Probe>& probes);
  void probe_process(std::vector<Probe>& probes);
  [[nodiscard]] static std::optional<http::FetchResult> get(const http::Target& t, const std::string& path,
                                                            http::FetchOptions o, std::chrono::milliseconds timeout);

  TelemetryOptions opts_;
  TelemetryResult result_;
  http::Target metrics_target_;
  std::string metrics_path_ = "/metrics";
  http::FetchOptions metrics_fetch_;  // the target's headers, or none for a URL of its own
  std::unique_ptr<Sampler> sampler_;
};

}  // namespace llmbench::telemetry
