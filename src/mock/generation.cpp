#include "llmbench/mock/generation.hpp"

#include <algorithm>
#include <chrono>

#include "llmbench/mock/wire.hpp"

namespace llmbench::mock {

namespace {
constexpr std::uint64_t kIdSalt = 0x1d;
constexpr std::uint64_t kTextSalt = 0x7e47;
constexpr std::uint64_t kJitterSalt = 0x5117e2;

std::string completion_id(std::uint64_t seed) {
  static constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  SplitMix64 rng(seed);
  std::string id = "chatcmpl-";
  for (int i = 0; i < 32; ++i) id += kAlnum[rng.next() % kAlnum.size()];
  return id;
}

std::int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Envelope make_envelope(const CompletionRequest& r, const ServerState& st, std::uint64_t task) {
  Envelope env;
  env.api = r.api;
  env.id = completion_id(mix_seed(st.cfg.seed ^ kIdSalt, task));
  env.created = unix_now_s();
  // A router names the model it routed to (its server's alias is that name).
  env.model = st.models.empty() ? std::string_view(model_id(st.cfg)) : std::string_view(r.model);
  env.prompt = r.prompt;
  env.prompt_tokens = r.prompt_tokens;
  env.settings.seed = r.seed.value_or(env.settings.seed);
  env.settings.temperature = r.temperature;
  env.settings.n_predict = r.max_tokens;
  env.settings.ignore_eos = r.ignore_eos;
  env.settings.stream = r.stream;
  env.stamp = st.cfg.stamp;
  env.reasoning_tokens = st.cfg.reasoning_tokens;
  env.usage_every_event = st.cfg.continuous_usage && r.continuous_usage && r.stream;
  env.tool_call = st.cfg.tool_calls && r.api == Api::chat && r.has_tools;
  env.tool_name = r.tool_name.empty() ? std::string_view("tool") : std::string_view(r.tool_name);
  return env;
}

// Same seed, same text (llama-server's sampling is seeded the same way);
// without one, each task gets its own text from the server's seed.
std::uint64_t text_seed(const CompletionRequest& r, const ServerState& st, std::uint64_t task) {
  return r.seed ? mix_seed(kTextSalt, static_cast<std::uint64_t>(*r.seed)) : mix_seed(st.cfg.seed ^ kTextSalt, task);
}

// The slot's prompt cache: the shared prefix with its last prompt is not
// evaluated again (llama-server's cache_prompt, on by default).
int take_cache(const CompletionRequest& r, ServerState& st, int slot) {
  const int shared = st.pool.reuse_cache(slot, r.prompt_ids);
  return st.cfg.prompt_cache && r.cache_prompt ? shared : 0;
}

}  // namespace

bool is_stream_fault(FaultMode f) noexcept {
  switch (f) {
    case FaultMode::reset_midstream:
    case FaultMode::close_no_done:
    case FaultMode::bad_chunk_size:
    case FaultMode::bad_json_event:
    case FaultMode::huge_event:
    case FaultMode::stall_midstream:
    case FaultMode::error_event: return true;
    default: return false;
  }
}

Generation::Generation(const CompletionRequest& request, ServerState& st, Placement at, FaultMode fault_mode)
    : creq(request),
      lease(st.pool, at.slot),
      env(make_envelope(request, st, at.task)),
      enc(env),
      text(text_seed(request, st, at.task)),
      replay(text),
      cache_n(take_cache(request, st, at.slot)),
      schedule(at.pick_ns + prompt_delay_ns(request.prompt_tokens - cache_n, st.cfg.prompt_tps, st.cfg.ttft_ms),
               st.cfg.decode_tps, st.cfg.jitter, mix_seed(st.cfg.seed ^ kJitterSalt, at.task)),
      timer(at.executor),
      fault(fault_mode),
      slot(at.slot),
      task(at.task),
      pick_ns(at.pick_ns) {
  env.cached_tokens = cache_n;  // `enc` reads env by reference
  const int wanted = request.max_tokens > 0 ? request.max_tokens : st.cfg.default_max_tokens;
  const int room = st.cfg.n_ctx_slot - request.prompt_tokens;
  n_tokens = std::min(wanted, room);
  truncated = wanted > room;
  // A model that stops by itself: its last token is the end-of-sequence,
  // which has no text but counts (a model that stops at once gives content
  // "", completion_tokens 1, "stop"). --ignore-eos makes llama-server go on.
  const int eos_at = fault == FaultMode::empty_reply ? 1 : request.ignore_eos ? 0 : st.cfg.eos_after_tokens;
  if (eos_at > 0 && eos_at <= n_tokens) {
    n_tokens = eos_at;
    truncated = false;
    eos = true;
  }
  fault_at = is_stream_fault(fault) ? std::min(st.cfg.fault_after_tokens, std::max(n_tokens - 1, 0)) : -1;
  env.n_tokens = n_tokens;
}

Piece Generation::next_piece(int i) noexcept {
  constexpr std::int32_t kEosToken = 2;  // </s> in the llama vocabulary
  if (eos && i == n_tokens - 1) return Piece{"", "", kEosToken};
  return text.next();
}

SlotView Generation::view() const {
  SlotView v;
  v.id = slot;
  v.used = true;
  v.is_processing = true;
  v.id_task = static_cast<std::int64_t>(task);
  v.n_prompt_tokens = creq.prompt_tokens;
  v.n_prompt_tokens_cache = cache_n;
  v.n_remain = n_tokens;
  v.params.settings = env.settings;
  if (creq.api == Api::chat) {
    v.params.chat_format = "peg-native";
    v.params.generation_prompt = "<|im_start|>assistant\n";
  }
  v.params.reasoning_format = "deepseek";
  return v;
}

Outcome Generation::finish(ServerState& st, bool count_tokens_now) {
  if (count_tokens_now) st.count_tokens(n_tokens, st.pool.busy());
  std::vector<std::int32_t>& cache = st.pool.cache_of(slot);
  for (int i = 0; i < n_tokens; ++i) cache.push_back(replay.next().id);
  lease.release();
  // Whole microseconds, as llama-server's timings are.
  const std::int64_t prompt_us = (first_ns - pick_ns) / 1000;
  const std::int64_t predicted_us = (last_ns - first_ns) / 1000;
  st.count_finished({creq.prompt_tokens - cache_n, cache_n}, prompt_us, n_tokens, predicted_us);
  Outcome o;
  o.prompt_tokens = creq.prompt_tokens;
  o.completion_tokens = n_tokens;
  o.truncated = truncated;
  o.eos = eos;
  o.has_new_line = has_new_line;
  o.slot_id = slot;
  o.include_usage = creq.include_usage;
  o.timings.cache_n = cache_n;
  o.timings.prompt_n = creq.prompt_tokens - cache_n;
  o.timings.prompt_ms = static_cast<double>(prompt_us) / 1e3;
  o.timings.predicted_n = n_tokens;
  o.timings.predicted_ms = static_cast<double>(predicted_us) / 1e3;
  return o;
}

std::string context_error_body(int prompt_tokens, int n_ctx) {
  std::string body = R"({"error":{"code":400,"message":"request ()";
  wire::append_int(body, prompt_tokens);
  body += " tokens) exceeds the available context size (";
  wire::append_int(body, n_ctx);
  body += R"( tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":)";
  wire::append_int(body, prompt_tokens);
  body += R"(,"n_ctx":)";
  wire::append_int(body, n_ctx);
  body += "}}";
  return body;
}

}  // namespace llmbench::mock
