#include "llmbench/load/aggregator.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "llmbench/load/ramp.hpp"
#include "llmbench/stats/request_figures.hpp"
#include "llmbench/util/clock.hpp"
#include "llmbench/util/redact.hpp"

namespace llmbench {

namespace {
// How long the aggregator sleeps when every ring was empty. Rings hold
// thousands of records, so a millisecond of latency here costs nothing but
// keeps the thread off the CPU the workers need.
constexpr auto kIdleSleep = std::chrono::milliseconds(1);
constexpr auto kMaxIdleSleep = std::chrono::milliseconds(16);
}  // namespace

namespace {

// The exact measured window of a stage bounded by time.
std::optional<stats::Window> exact_window(const StagePlan& stage, const StageWindows& w) {
  if (stage.mode == LoadMode::spec || stage.duration_s <= 0) return std::nullopt;
  return stats::Window{w.warmup_end_ns, w.measured_end_ns};
}

// A closed loop bounded by a count: its full-concurrency span is reported.
int tracked_clients(const StagePlan& stage) {
  return stage.mode == LoadMode::closed && stage.duration_s <= 0 ? stage.concurrency : 0;
}

}  // namespace

Aggregator::Aggregator(const RunPlan& plan, StageResult& result, bool keep_records, Observers observers,
                       const StageClock& clock)
    : plan_(plan),
      result_(result),
      secrets_(plan.secrets),
      slo_(plan.slo),
      keep_records_(keep_records),
      obs_(std::move(observers)),
      progress_interval_ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(obs_.progress_interval).count()),
      timeline_(stats::TimeSeries(clock.windows.start_ns, seconds_to_ns(plan.timeseries_interval_s), clock.run_start_ns),
                exact_window(result.plan, clock.windows), tracked_clients(result.plan)),
      stop_rules_(StopLimits{plan.abort_after_s, plan.max_error_rate}, plan.target.origin(), clock.run_start_ns),
      stop_(clock.stop),
      interrupted_at_ns_(clock.interrupted_at_ns),
      models_(plan, result) {
  result_.prompts.resize(plan.groups.empty() ? plan.prompts.size() : plan.groups.size());
  group_of_.reserve(plan.prompts.size());
  for (std::size_t i = 0; i < plan.prompts.size(); ++i) {
    group_of_.push_back(plan.groups.empty() ? static_cast<std::uint16_t>(i) : plan.prompts[i].group);
  }
  result_.run_start_ns = clock.run_start_ns;
  result_.start_s = static_cast<double>(clock.windows.start_ns - clock.run_start_ns) / 1e9;
  result_.timeseries_interval_s = plan.timeseries_interval_s;
  result_.window = timeline_.window();
  if (const auto& w = timeline_.window()) {
    for (PromptResult& p : result_.prompts) p.measured.open_window(w->length_ns());
    result_.overall.open_window(w->length_ns());
    models_.open_window(w->length_ns());
  }
}

Aggregator::~Aggregator() {
  if (thread_.joinable()) finish();
}

void Aggregator::start() {
  started_ns_ = now_ns();
  last_progress_ns_ = started_ns_;
  thread_ = std::thread([this] { loop(); });
}

void Aggregator::finish() {
  producers_done_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
}

void Aggregator::loop() {
  auto idle_sleep = kIdleSleep;
  for (;;) {
    const bool done = producers_done_.load(std::memory_order_acquire);
    // Before the drain: every token drained from here on is judged against
    // the cut window (those read before the signal were drained before it).
    if (interrupted_at_ns_ != nullptr) {
      if (const std::int64_t t = interrupted_at_ns_->load(std::memory_order_acquire); t >= 0) cut_window(t);
    }
    const std::size_t n = drain();
    const std::int64_t now = now_ns();
    if (obs_.progress && now - last_progress_ns_ >= progress_interval_ns_) report_progress(now);
    check_stop_rules(now);
    // Producers have stopped and this drain came after: the rings are empty.
    if (done) {
      drain();
      finish_timeline();
      break;
    }
    // Idle: back off from 1 ms to 16 ms. The rings hold thousands of
    // records, so waking less often loses nothing; waking 1,000 times a
    // second cost more CPU than a slow stream's tokens.
    if (n == 0) {
      std::this_thread::sleep_for(idle_sleep);
      idle_sleep = std::min(idle_sleep * 2, kMaxIdleSleep);
    } else {
      idle_sleep = kIdleSleep;
    }
  }
  result_.elapsed_s = static_cast<double>(now_ns() - started_ns_) / 1e9;
}

std::size_t Aggregator::drain() {
  std::size_t n = 0;
  StreamSample s;
  RequestRecord r;
  for (Worker* w : workers_) {
    // Samples first: a request's samples are pushed before its record.
    while (w->samples().try_pop(s)) {
      on_sample(s);
      ++n;
    }
    while (w->records().try_pop(r)) {
      on_record(r);
      ++n;
    }
  }
  return n;
}

void Aggregator::on_sample(const StreamSample& s) {
  switch (s.kind) {
    case SampleKind::token_read:
      on_token_read(s);
      return;
    case SampleKind::delivery_lag:
      // How late llmbench's own timestamps are: every event of every phase.
      result_.delivery_lag_ns.record(s.value_ns);
      if (s.first_token) result_.first_token_lag_ns.record(s.value_ns);
      return;
  }
}

// Every token counts where it arrived (the time series, the exact window),
// whatever became of its request; inter-token gaps are statistics of the
// measured requests that succeeded.
void Aggregator::on_token_read(const StreamSample& s) {
  const std::uint16_t grp = s.prompt < group_of_.size() ? group_of_[s.prompt] : 0;
  models_.on_token_read(s, timeline_.in_window(s.t_ns));
  timeline_.add_tokens(s.t_ns, s.tokens);
  if (timeline_.in_window(s.t_ns)) {
    result_.prompts[grp].measured.window_tokens += s.tokens;
    result_.overall.window_tokens += s.tokens;
  }
  if (s.phase != Phase::measured) return;
  // The client's own lag (kernel timestamps only: with user ones it is 0 by
  // construction and says nothing), for every measured read, failed or not.
  if (s.user_ns > s.t_ns && s.t_ns >= 0) {
    result_.prompts[grp].measured.read_lag_ns.record(s.user_ns - s.t_ns);
    result_.overall.read_lag_ns.record(s.user_ns - s.t_ns);
  }
  if (!s.ok) return;
  result_.prompts[grp].measured.add_token_read(s.value_ns, s.count, s.tokens);
  result_.overall.add_token_read(s.value_ns, s.count, s.tokens);
}

// A request's part in the exact window: its completion (good or not, with
// its prompt tokens) if it ended inside, and a non-streamed body's tokens,
// which arrive with its last byte. After a cut, requests that finish in the
// grace period end outside the window and count in none of its rates.
void Aggregator::count_in_window(std::uint16_t grp, const RequestRecord& r) {
  if (!r.stream && r.ok()) timeline_.add_tokens(r.end_ns, r.completion_tokens);
  if (!r.ok() || !timeline_.in_window(r.end_ns)) return;
  result_.prompts[grp].measured.add_in_window(r, slo_);
  result_.overall.add_in_window(r, slo_);
}

void Aggregator::finish_timeline() {
  result_.timeseries = timeline_.buckets();
  // The offered load is the plan's, not a measurement: each bucket's mean of
  // the intended rate or target client count (load/ramp.hpp).
  const double width_s = plan_.timeseries_interval_s;
  for (stats::TimeBucket& b : result_.timeseries) {
    const double t0 = b.t_s - result_.start_s;
    b.offered_load = offered_load(result_.plan, plan_.trace.has_value(), t0, t0 + width_s);
  }
  // A ramp is not meant to be steady: its throughput follows the load.
  if (const auto& w = timeline_.window(); w && !result_.plan.ramp) {
    const auto rel = [&](std::int64_t t) { return static_cast<double>(t - result_.run_start_ns) / 1e9; };
    result_.steady = stats::steady_state(result_.timeseries, rel(w->start_ns), rel(w->end_ns));
  }
  result_.full_concurrency = timeline_.full_concurrency();
}

void Aggregator::check_stop_rules(std::int64_t now) {
  if (stopped_ || !stop_) return;
  if (auto reason = stop_rules_.check(now)) {
    stopped_ = true;
    result_.stopped_early = *reason;
    cut_window(now);
    stop_(*reason);
  }
}

void Aggregator::cut_window(std::int64_t t_ns) {
  if (window_cut_) return;
  window_cut_ = true;
  timeline_.cut(t_ns);
  result_.window = timeline_.window();
  if (const auto& w = timeline_.window()) {
    for (PromptResult& p : result_.prompts) p.measured.open_window(w->length_ns());
    result_.overall.open_window(w->length_ns());
    models_.open_window(w->length_ns());
  }
}

// A few distinct messages per kind are enough to say what went wrong; the
// counts say how often.
void Aggregator::keep_message(const RequestRecord& r) {
  constexpr std::size_t kMessagesPerKind = 3;
  if (r.ok() || r.error == ErrorKind::cancelled) return;
  auto& kept = result_.error_messages[static_cast<std::size_t>(r.error)];
  if (kept.size() >= kMessagesPerKind) return;
  std::string msg = redact_secrets(r.message(), secrets_);
  if (std::find(kept.begin(), kept.end(), msg) == kept.end()) kept.push_back(std::move(msg));
}

// -vv: every request's line and outcome (never a body, never a header: the
// request line is the first line of the serialised request).
void Aggregator::trace(const RequestRecord& r) const {
  if (!spdlog::should_log(spdlog::level::trace) || r.prompt >= plan_.prompts.size()) return;
  std::string_view line = plan_.prompts[r.prompt].request;
  line = line.substr(0, line.find(" HTTP/"));
  const auto e2e = stats::e2e_ns(r);
  const std::string outcome =
      r.ok() ? fmt::format("{}", r.http_status)
             : fmt::format("{}{}: {}", to_string(r.error), r.http_status ? fmt::format(" ({})", r.http_status) : "",
                           redact_secrets(r.message(), secrets_));
  spdlog::trace("request {} {} -> {} in {:.1f} ms, {} tokens ({}{})", r.request_id, line, outcome,
                e2e ? static_cast<double>(*e2e) / 1e6 : 0.0, r.completion_tokens, result_.plan.label,
                r.phase == Phase::measured ? "" : r.phase == Phase::warmup ? ", warm-up" : ", cool-down");
}

// Replies that ended before their max_tokens, by why (the prompt's
// max_tokens decides, so this is counted here, not in MetricSet::add).
void Aggregator::count_short_reply(PromptResult& p, const RequestRecord& r) {
  const int max_tokens = r.prompt < plan_.prompts.size() ? plan_.prompts[r.prompt].max_tokens : 0;
  if (stats::truncated(r, max_tokens)) {
    ++p.measured.truncated;
    ++result_.overall.truncated;
  } else if (stats::stopped_before_max_tokens(r, max_tokens)) {
    ++p.measured.stopped_before_max_tokens;
    ++result_.overall.stopped_before_max_tokens;
  }
}

// The model the server says it served, as each response named it: a few
// distinct ids (a router may serve several), in order of first sight.
void Aggregator::keep_served_model(const RequestRecord& r) {
  constexpr std::size_t kModels = 4;
  const std::string_view m = r.model();
  auto& kept = result_.served_models;
  if (m.empty() || kept.size() >= kModels || std::find(kept.begin(), kept.end(), m) != kept.end()) return;
  kept.emplace_back(m);
}

void Aggregator::on_record(const RequestRecord& r) {
  ++result_.ended;
  keep_served_model(r);
  stop_rules_.on_record(r);
  keep_message(r);
  trace(r);
  if (!r.ok() && r.error != ErrorKind::cancelled) ++errors_;
  const std::uint16_t grp = r.prompt < group_of_.size() ? group_of_[r.prompt] : 0;
  PromptResult& p = result_.prompts[grp];
  timeline_.add_request(r.start_ns, r.end_ns, r.ok(), r.error == ErrorKind::cancelled);
  if (const auto ttft = stats::ttft_ns(r); ttft && r.ok()) timeline_.add_first_token(r.first_token_ns, *ttft);
  if (const auto e2e = stats::e2e_ns(r); e2e && r.ok()) timeline_.add_e2e(r.end_ns, *e2e);
  count_in_window(grp, r);
  models_.on_record(r, timeline_.in_window(r.end_ns));
  switch (r.phase) {
    case Phase::warmup:
      ++p.phases.warmup;
      ++result_.phases.warmup;
      break;
    case Phase::cooldown:
      ++p.phases.cooldown;
      ++result_.phases.cooldown;
      break;
    case Phase::measured:
      ++p.phases.measured;
      ++result_.phases.measured;
      p.measured.add(r, slo_);
      result_.overall.add(r, slo_);
      count_short_reply(p, r);
      if (keep_records_) p.records.push_back(r);
      break;
  }
  if (obs_.record) obs_.record(r);
}

void Aggregator::report_progress(std::int64_t now) {
  Progress pr;
  pr.stage = &result_;
  pr.elapsed_s = static_cast<double>(now - started_ns_) / 1e9;
  pr.ended = result_.ended;
  std::uint64_t tokens = 0;
  for (Worker* w : workers_) {
    pr.in_flight += w->counters().in_flight.load(std::memory_order_relaxed);
    tokens += w->counters().tokens.load(std::memory_order_relaxed);
  }
  pr.errors = errors_;
  const double dt = static_cast<double>(now - last_progress_ns_) / 1e9;
  pr.output_tokens_per_second = dt > 0 ? static_cast<double>(tokens - tokens_at_progress_) / dt : 0.0;
  tokens_at_progress_ = tokens;
  last_progress_ns_ = now;
  obs_.progress(pr);
}

}  // namespace llmbench
