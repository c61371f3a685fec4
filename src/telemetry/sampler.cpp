#include "llmbench/telemetry/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "llmbench/util/clock.hpp"

namespace llmbench::telemetry {
namespace {

// A series' identity: its name and labels, joined with bytes that cannot
// appear in a metric or label name.
std::string series_key(const Reading& r) {
  std::string key = r.name;
  for (const Label& l : r.labels) {
    key.push_back('\x01');
    key += l.name;
    key.push_back('\x02');
    key += l.value;
  }
  return key;
}

}  // namespace

NextSlot next_slot(std::int64_t slot, int every_slots, std::int64_t end_ns, std::int64_t origin_ns,
                   std::int64_t interval_ns) noexcept {
  const std::int64_t every = std::max(every_slots, 1);
  if (interval_ns <= 0) return {slot + every, 0};
  // The last slot whose time is before end_ns: ceil((end - origin) / interval) - 1.
  const std::int64_t elapsed = end_ns - origin_ns;
  const std::int64_t last_passed = elapsed <= 0 ? -1 : (elapsed + interval_ns - 1) / interval_ns - 1;
  NextSlot n{slot + every, 0};
  if (last_passed >= n.slot) {
    const std::int64_t missed = (last_passed - slot) / every;  // due slots slot+every .. <= last_passed
    n.skipped = static_cast<std::uint64_t>(missed);
    n.slot = slot + (missed + 1) * every;
  }
  return n;
}

Sampler::Sampler(std::vector<Probe> probes, SamplerOptions opts)
    : probes_(std::move(probes)),
      opts_(opts),
      interval_ns_(std::max<std::int64_t>(opts.interval.count(), 1)),
      next_slot_(probes_.size(), 0) {
  for (const Probe& p : probes_) counters_.push_back(ProbeCounters{p.name, 0, 0, 0, 0});
}

Sampler::~Sampler() { stop(); }

void Sampler::start() {
  if (thread_.joinable()) return;
  {
    const std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
  }
  origin_ns_ = now_ns();
  thread_ = std::thread([this] { run(); });
}

void Sampler::stop() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<Series> Sampler::series() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return series_;
}

std::vector<ProbeCounters> Sampler::counters() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

bool Sampler::stopping() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

bool Sampler::wait_until(std::int64_t due_ns) {
  std::unique_lock<std::mutex> lock(mu_);
  return !wake_.wait_until(lock, to_time_point(due_ns), [this] { return stop_; });
}

void Sampler::run() {
  if (probes_.empty()) return;
  std::int64_t slot = 0;
  for (;;) {
    if (!wait_until(origin_ns_ + slot * interval_ns_)) return;
    for (std::size_t i = 0; i < probes_.size(); ++i) {
      if (next_slot_[i] > slot) continue;
      if (stopping()) return;
      run_probe(i, slot);
    }
    slot = *std::min_element(next_slot_.begin(), next_slot_.end());
  }
}

void Sampler::run_probe(std::size_t i, std::int64_t slot) {
  const Probe& p = probes_[i];
  const std::int64_t begin_ns = now_ns();
  std::optional<std::string> text;
  std::optional<std::vector<Reading>> readings;
  bool threw = false;
  try {
    if (p.fetch) text = p.fetch();
    if (text && p.decode) readings = p.decode(*text);
  } catch (...) {
    threw = true;  // a probe's failure is counted, never the sampler's end
  }
  const std::int64_t end_ns = now_ns();
  const NextSlot next = next_slot(slot, p.every_slots, end_ns, origin_ns_, interval_ns_);
  next_slot_[i] = next.slot;

  const double t_s = static_cast<double>(begin_ns + (end_ns - begin_ns) / 2 - opts_.start_ns) / 1e9;
  const std::lock_guard<std::mutex> lock(mu_);
  ProbeCounters& c = counters_[i];
  c.scrapes_skipped += next.skipped;
  if (threw || !text) ++c.scrapes_failed;
  else if (!readings) ++c.scrapes_bad;
  else ++c.scrapes_ok;
  if (readings) record(*readings, t_s);
}

// Called with mu_ held.
void Sampler::record(const std::vector<Reading>& readings, double t_s) {
  for (const Reading& r : readings) {
    if (!std::isfinite(r.value)) continue;
    const auto [it, inserted] = index_.try_emplace(series_key(r), series_.size());
    if (inserted) series_.push_back(Series{r.name, r.labels, r.unit, r.kind, {}});
    series_[it->second].points.push_back(Point{t_s, r.value});
  }
}

}  // namespace llmbench::telemetry
