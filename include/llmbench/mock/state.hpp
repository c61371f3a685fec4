#pragma once
// What every connection of one mock server shares: its configuration, the
// slots, pre-built bodies and the counters behind MockStats and /metrics.
// Counters are relaxed atomics: each is bumped where it happens and read only
// by snapshots, so nothing on the token path waits for anything.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "llmbench/mock/config.hpp"
#include "llmbench/mock/info.hpp"
#include "llmbench/mock/slot_pool.hpp"

namespace llmbench::mock {

struct Counters {
  std::atomic<std::uint64_t> requests_total{0};
  std::atomic<std::uint64_t> completions_total{0};
  std::atomic<std::uint64_t> requests_streamed{0};
  std::atomic<std::uint64_t> tokens_sent{0};
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> client_disconnects{0};
  std::atomic<std::uint64_t> faults_injected{0};
  std::atomic<std::uint64_t> tasks{0};
  std::atomic<std::uint64_t> health{0};     // GET /health
  std::atomic<std::uint64_t> models{0};     // GET /v1/models
  std::atomic<std::uint64_t> props{0};      // GET /props
  std::atomic<std::uint64_t> tokenize{0};   // POST /tokenize
  std::atomic<std::uint64_t> slot_erases{0};  // POST /slots/{id}?action=erase, answered 200
  std::atomic<std::uint64_t> not_found{0};  // answered 404 (outside --api-prefix, or no such endpoint)
  // /metrics
  std::atomic<std::uint64_t> prompt_tokens{0};
  std::atomic<std::uint64_t> prompt_us{0};
  std::atomic<std::uint64_t> prompt_tokens_cached{0};
  std::atomic<std::uint64_t> predicted_tokens{0};
  std::atomic<std::uint64_t> predicted_us{0};
  std::atomic<std::uint64_t> decode_calls_micro{0};  // millionths of a batched decode call
  std::atomic<std::uint64_t> slot_steps{0};          // tokens generated + prompts processed
  std::atomic<std::uint64_t> n_tokens_max{0};
  std::atomic<std::uint64_t> bucket_prompt_tokens{0};  // since the last /metrics
  std::atomic<std::uint64_t> bucket_prompt_us{0};
  std::atomic<std::uint64_t> bucket_predicted_tokens{0};
  std::atomic<std::uint64_t> bucket_predicted_us{0};
};

struct ServerState {
  explicit ServerState(MockConfig config);

  MockConfig cfg;
  std::vector<FaultMode> faults;  // taken in turn by the faulted requests
  SlotPool pool;
  Counters counters;
  std::string props;             // GET /props, built once
  std::string keep_alive;        // "timeout=5, max=100"
  std::int64_t ready_at_ns = 0;  // end of the simulated model load (clock.hpp time)
  std::int64_t process_start_s = 0;  // Process-Start-Time-Unix (monotonic, like llama-server's)
  std::vector<std::string> models;   // router mode: the models served (MockConfig::models), else empty

  [[nodiscard]] bool loading() const noexcept;
  // The fault for the next completion request, counting it (every K-th).
  FaultMode next_completion_fault() noexcept;
  // A fresh task id, for ids and per-request seeds.
  std::uint64_t next_task() noexcept { return counters.tasks.fetch_add(1, std::memory_order_relaxed) + 1; }

  // n tokens generated while `busy` slots were generating.
  void count_tokens(int n, int busy) noexcept;
  // A prompt's tokens: evaluated, and reused from the slot's cache.
  struct PromptCount {
    int evaluated = 0;
    int cached = 0;
  };
  void count_finished(PromptCount prompt, std::int64_t prompt_us, int predicted, std::int64_t predicted_us) noexcept;

  MockStats stats() const noexcept;
  // Reads /metrics and starts a new bucket for its per-interval gauges.
  MetricsSnapshot take_metrics() noexcept;
};

}  // namespace llmbench::mock
