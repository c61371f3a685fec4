#pragma once
// Configuration and counters of the built-in llama-server imitation.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/util/expected.hpp"

namespace llmbench::mock {

struct MockConfig {
  std::string host = "127.0.0.1";   // bind address; loopback by default
  std::uint16_t port = 0;           // 0: pick a free port
  double decode_tps = 50.0;         // tokens/s per slot while decoding
  double prompt_tps = 2000.0;       // prompt tokens/s (prompt processing adds to TTFT)
  double ttft_ms = 0.0;             // extra fixed delay before the first token
  // llama-server's prompt cache: a slot keeps its last prompt (and reply); the
  // prefix a new prompt shares with it is not evaluated again (cache_n).
  bool prompt_cache = true;
  double jitter = 0.0;              // relative random variation of each inter-token gap, 0..1 (seeded)
  std::uint64_t seed = 42;
  int slots = 4;                    // like llama-server --parallel: requests beyond N wait FIFO for a slot
  int n_ctx_slot = 4096;            // context per slot (prompt+generation stops at it, finish_reason "length")
  // The model ends its reply itself (end-of-sequence: finish_reason "stop")
  // at this many tokens, unless the request asks for ignore_eos; 0: never.
  int eos_after_tokens = 0;
  int default_max_tokens = 256;     // when the request gives none (llama-server: -1 = until EOS/ctx; we stop here)
  double load_seconds = 0.0;        // answer 503 "Loading model" on every endpoint for this long after start
  std::string model_path = "/models/mock-llama-q4_k_m.gguf";  // the model id is this path ...
  std::string alias;                // ... unless an alias is set (llama-server --alias)
  std::string api_prefix;           // llama-server --api-prefix: every endpoint under it (e.g. "/proxy")
  bool close_after_stream = true;   // llama-server closes the TCP connection right after every streamed response
  int threads = 1;
  // Each token event carries "stamp_ns", CLOCK_MONOTONIC when it was written:
  // the send times a client's timestamps are checked against (--stamp-lag).
  bool stamp = false;
  // llama-server --metrics: GET /metrics answers only when it is on (else 501,
  // as the real server does), and /props says endpoint_metrics accordingly.
  bool metrics = false;
  // llama-server --slot-save-path: POST /slots/{id}?action=erase empties a
  // slot's prompt cache; without it every slot action answers 501.
  bool slot_actions = false;
  // Like llama-server --reasoning-format deepseek: the first N tokens of a
  // streamed chat response go out as `delta.reasoning_content`, the rest as
  // `delta.content` (TTFT vs TTFO; completions and native stay content).
  int reasoning_tokens = 0;
  // K tokens' text per streamed event (vLLM's stream interval, speculative
  // decoding): each token still leaves on its own schedule, the event when
  // its last token is due.
  int tokens_per_event = 1;
  // Like vLLM and SGLang: a request with stream_options.continuous_usage_stats
  // gets `usage` (cumulative counts) in every token event. llama-server
  // ignores the field, so this is off unless asked for.
  bool continuous_usage = false;

  // Fault injection: `fault` is one of fault_modes(), several separated by
  // commas (taken in turn), or empty; it applies to every `fault_every`-th
  // completion request counting from 1.
  std::string fault;
  int fault_every = 1;
  int fault_after_tokens = 3;       // mid-stream faults strike after this many tokens
  int dribble_gap_us = 100;         // `dribble`: pause between single-byte writes

  // cpp-httplib's keep-alive policy as llama-server runs it.
  double keep_alive_timeout_s = 5.0;  // idle time before a kept-alive connection is closed
  int keep_alive_max_requests = 100;  // requests served on one connection before it is closed

  // llama-server's router mode: the models it serves, comma-separated
  // ("a,b"). Each completion, embeddings or rerank request is routed by its
  // "model" (the reply names it); one the router does not know, or none, is
  // refused as the router refuses it, and GET /v1/models lists them. Empty:
  // one model (model_id()), whatever name a request gives. The models share
  // the slots (the router gives each its own server; here one imitation
  // serves them all).
  std::string models;
  // A chat request that carries `tools` is answered with a call of its first
  // tool, as a model that decides to call one: the stream's tokens come as
  // delta.tool_calls pieces of the call's arguments (OpenAI's shape, as
  // llama-server sends it), finish_reason "tool_calls"; the same in a
  // non-streamed message. Off: tools are ignored and the reply is text.
  bool tool_calls = false;
};

// Thread-safe snapshot of what the server did.
struct MockStats {
  std::uint64_t requests_total = 0;        // every HTTP request parsed
  std::uint64_t completions_total = 0;     // requests to a completion endpoint
  std::uint64_t requests_streamed = 0;     // streamed responses started (headers sent)
  std::uint64_t tokens_sent = 0;           // token events written (streamed) or generated (not)
  std::uint64_t connections_accepted = 0;
  std::uint64_t client_disconnects = 0;    // clients gone while queued or generating
  std::uint64_t faults_injected = 0;
  std::uint64_t health_requests = 0;       // GET /health
  std::uint64_t models_requests = 0;       // GET /v1/models (or /models)
  std::uint64_t props_requests = 0;        // GET /props
  std::uint64_t tokenize_requests = 0;     // POST /tokenize
  std::uint64_t slot_erases = 0;           // POST /slots/{id}?action=erase, answered 200
  std::uint64_t not_found = 0;             // answered 404
  int max_concurrent_in_slot = 0;          // most slots busy at once
  int max_queued = 0;                      // most requests waiting for a slot at once
};

enum class FaultMode : std::uint8_t {
  none,
  http_500,
  http_503,
  http_429,
  reset_midstream,
  close_no_done,
  bad_chunk_size,
  bad_json_event,
  huge_event,
  stall_after_headers,
  stall_midstream,
  no_response,
  garbage,
  dribble,
  html_200,
  error_event,
  empty_reply,
};

// Every valid `fault` value, in FaultMode order (without "none").
std::span<const std::string_view> fault_modes() noexcept;
std::string_view to_string(FaultMode m) noexcept;
// Empty text is FaultMode::none; an unknown name is nullopt.
std::optional<FaultMode> parse_fault(std::string_view name) noexcept;

// "reset_midstream,http_500": the modes in order (a faulted request takes the
// next one, round robin). Empty when any name is unknown, or for "".
std::vector<FaultMode> parse_fault_list(std::string_view text);

// What is wrong with a configuration: the MockConfig field (its name as in
// the struct, e.g. "decode_tps") and why ("must be > 0"; an unknown fault
// lists the valid modes). Each command line names the field by its own flag.
struct ConfigProblem {
  std::string_view field;
  std::string message;
};
Expected<void, ConfigProblem> validate(const MockConfig& cfg);

// The names `models` lists, in order; empty without router mode.
std::vector<std::string> routed_models(const MockConfig& cfg);

// The id clients see: the alias, or the model path (llama-server's rule).
inline const std::string& model_id(const MockConfig& cfg) noexcept {
  return cfg.alias.empty() ? cfg.model_path : cfg.alias;
}

}  // namespace llmbench::mock
