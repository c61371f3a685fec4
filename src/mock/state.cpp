#include "llmbench/mock/state.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "llmbench/util/clock.hpp"

namespace llmbench::mock {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;

std::string media_marker(std::uint64_t seed) {
  static constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  SplitMix64 rng(mix_seed(seed, 0x6d65646961));
  std::string m = "<__media_";
  for (int i = 0; i < 32; ++i) m += kAlnum[rng.next() % kAlnum.size()];
  m += "__>";
  return m;
}

void raise_max(std::atomic<std::uint64_t>& max, std::uint64_t v) noexcept {
  std::uint64_t seen = max.load(kRelaxed);
  while (v > seen && !max.compare_exchange_weak(seen, v, kRelaxed)) {
  }
}

double per_second(std::uint64_t n, std::uint64_t us) noexcept {
  return us > 0 ? static_cast<double>(n) * 1e6 / static_cast<double>(us) : 0.0;
}
}  // namespace

ServerState::ServerState(MockConfig config)
    : cfg(std::move(config)),
      faults(parse_fault_list(cfg.fault)),
      pool(cfg.slots),
      props(props_body(cfg, media_marker(cfg.seed))),
      ready_at_ns(now_ns() + seconds_to_ns(cfg.load_seconds)),
      process_start_s(std::chrono::duration_cast<std::chrono::seconds>(
                          SteadyClock::now().time_since_epoch()).count()),
      models(routed_models(cfg)) {
  std::array<char, 64> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "timeout=%d, max=%d",
                              // whole seconds like cpp-httplib's; a fractional test value rounds up, never to 0
                              static_cast<int>(std::ceil(cfg.keep_alive_timeout_s)), cfg.keep_alive_max_requests);
  keep_alive.assign(buf.data(), static_cast<std::size_t>(n > 0 ? n : 0));
}

bool ServerState::loading() const noexcept { return now_ns() < ready_at_ns; }

FaultMode ServerState::next_completion_fault() noexcept {
  const std::uint64_t n = counters.completions_total.fetch_add(1, kRelaxed) + 1;
  if (faults.empty() || n % static_cast<std::uint64_t>(cfg.fault_every) != 0) return FaultMode::none;
  const std::uint64_t k = counters.faults_injected.fetch_add(1, kRelaxed);
  return faults[k % faults.size()];
}

// llama-server decodes all busy slots in one batch per step; the mock's slots
// tick independently, so each token counts as 1/busy of a decode call. That
// keeps n_decode_total and n_busy_slots_per_decode meaningful for dashboards.
void ServerState::count_tokens(int n, int busy) noexcept {
  const auto tokens = static_cast<std::uint64_t>(n);
  counters.tokens_sent.fetch_add(tokens, kRelaxed);
  counters.slot_steps.fetch_add(tokens, kRelaxed);
  counters.decode_calls_micro.fetch_add(tokens * 1'000'000 / static_cast<std::uint64_t>(busy > 0 ? busy : 1),
                                        kRelaxed);
}

void ServerState::count_finished(PromptCount prompt, std::int64_t prompt_us, int predicted,
                                 std::int64_t predicted_us) noexcept {
  const auto pt = static_cast<std::uint64_t>(prompt.evaluated);
  const auto cached = static_cast<std::uint64_t>(prompt.cached);
  counters.prompt_tokens_cached.fetch_add(cached, kRelaxed);
  const auto pus = static_cast<std::uint64_t>(prompt_us > 0 ? prompt_us : 0);
  const auto gt = static_cast<std::uint64_t>(predicted);
  const auto gus = static_cast<std::uint64_t>(predicted_us > 0 ? predicted_us : 0);
  counters.prompt_tokens.fetch_add(pt, kRelaxed);
  counters.prompt_us.fetch_add(pus, kRelaxed);
  counters.predicted_tokens.fetch_add(gt, kRelaxed);
  counters.predicted_us.fetch_add(gus, kRelaxed);
  counters.bucket_prompt_tokens.fetch_add(pt, kRelaxed);
  counters.bucket_prompt_us.fetch_add(pus, kRelaxed);
  counters.bucket_predicted_tokens.fetch_add(gt, kRelaxed);
  counters.bucket_predicted_us.fetch_add(gus, kRelaxed);
  counters.decode_calls_micro.fetch_add(1'000'000, kRelaxed);  // the prompt's batch
  counters.slot_steps.fetch_add(1, kRelaxed);
  raise_max(counters.n_tokens_max, pt + cached + gt);
}

MockStats ServerState::stats() const noexcept {
  MockStats s;
  s.requests_total = counters.requests_total.load(kRelaxed);
  s.completions_total = counters.completions_total.load(kRelaxed);
  s.health_requests = counters.health.load(kRelaxed);
  s.models_requests = counters.models.load(kRelaxed);
  s.props_requests = counters.props.load(kRelaxed);
  s.tokenize_requests = counters.tokenize.load(kRelaxed);
  s.slot_erases = counters.slot_erases.load(kRelaxed);
  s.not_found = counters.not_found.load(kRelaxed);
  s.requests_streamed = counters.requests_streamed.load(kRelaxed);
  s.tokens_sent = counters.tokens_sent.load(kRelaxed);
  s.connections_accepted = counters.connections_accepted.load(kRelaxed);
  s.client_disconnects = counters.client_disconnects.load(kRelaxed);
  s.faults_injected = counters.faults_injected.load(kRelaxed);
  s.max_concurrent_in_slot = pool.max_busy();
  s.max_queued = pool.max_queued();
  return s;
}

MetricsSnapshot ServerState::take_metrics() noexcept {
  MetricsSnapshot m;
  m.prompt_tokens_total = counters.prompt_tokens.load(kRelaxed);
  m.prompt_tokens_cached_total = counters.prompt_tokens_cached.load(kRelaxed);
  m.prompt_seconds_total = static_cast<double>(counters.prompt_us.load(kRelaxed)) / 1e6;
  m.tokens_predicted_total = counters.predicted_tokens.load(kRelaxed);
  m.tokens_predicted_seconds_total = static_cast<double>(counters.predicted_us.load(kRelaxed)) / 1e6;
  const std::uint64_t decode_micro = counters.decode_calls_micro.load(kRelaxed);
  m.n_decode_total = decode_micro / 1'000'000;
  m.n_tokens_max = counters.n_tokens_max.load(kRelaxed);
  m.prompt_tokens_seconds = per_second(counters.bucket_prompt_tokens.exchange(0, kRelaxed),
                                       counters.bucket_prompt_us.exchange(0, kRelaxed));
  m.predicted_tokens_seconds = per_second(counters.bucket_predicted_tokens.exchange(0, kRelaxed),
                                          counters.bucket_predicted_us.exchange(0, kRelaxed));
  m.requests_processing = pool.busy();
  m.requests_deferred = pool.queued();
  const auto steps = static_cast<double>(counters.slot_steps.load(kRelaxed));
  m.n_busy_slots_per_decode = decode_micro > 0 ? steps * 1e6 / static_cast<double>(decode_micro) : 0.0;
  return m;
}

}  // namespace llmbench::mock
