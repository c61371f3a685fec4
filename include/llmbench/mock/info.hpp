#pragma once
// Bodies of the non-generating endpoints: /health, /v1/models, /props,
// /metrics, /slots, /tokenize. Shapes and key orders follow the fixtures.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "llmbench/mock/config.hpp"
#include "llmbench/mock/events.hpp"

namespace llmbench::mock {

// The model the mock pretends to serve: a 7B llama at Q4_K_M.
struct ModelMeta {
  static constexpr int n_vocab = kVocabSize;
  static constexpr int n_ctx_train = 4096;
  static constexpr int n_embd = 4096;
  static constexpr std::int64_t n_params = 6738415616;
  static constexpr std::int64_t size_bytes = 4081004544;
  static constexpr std::string_view ftype = "Q4_K - Medium";
};

inline constexpr std::string_view kHealthBody = R"({"status":"ok"})";

// Sampling parameters as /props and /slots print them (a shorter set than the
// native API's generation_settings).
struct ParamsEcho {
  SettingsEcho settings;
  std::string_view chat_format = "Content-only";
  std::string_view reasoning_format = "none";
  std::string_view generation_prompt;
};
void append_params(std::string& out, const ParamsEcho& p);

std::string models_body(const MockConfig& cfg, std::int64_t created_unix_s);
// `media_marker` is random per server start in llama-server.
std::string props_body(const MockConfig& cfg, std::string_view media_marker);

// POST /tokenize: {"content": ...} -> {"tokens":[...]} (or with pieces).
// parse_special: "<|im_start|>" and "<|im_end|>" are one token each, as the
// chat path counts them (llama-server's default); otherwise their characters.
void append_tokenize_body(std::string& out, std::string_view content, bool with_pieces, bool add_special,
                          bool parse_special = true);

struct MetricsSnapshot {
  std::uint64_t prompt_tokens_total = 0;
  std::uint64_t prompt_tokens_cached_total = 0;
  double prompt_seconds_total = 0;
  std::uint64_t tokens_predicted_total = 0;
  double tokens_predicted_seconds_total = 0;
  std::uint64_t n_decode_total = 0;
  std::uint64_t n_tokens_max = 0;
  double prompt_tokens_seconds = 0;     // since the previous /metrics (llama-server's "bucket")
  double predicted_tokens_seconds = 0;  // idem
  int requests_processing = 0;
  int requests_deferred = 0;
  double n_busy_slots_per_decode = 0;
};
void append_metrics_body(std::string& out, const MetricsSnapshot& m);

// One slot as /slots shows it; a never-used slot prints only its first fields.
struct SlotView {
  int id = 0;
  bool used = false;
  bool is_processing = false;
  std::int64_t id_task = 0;
  int n_prompt_tokens = 0;
  int n_prompt_tokens_cache = 0;
  int n_decoded = 0;
  int n_remain = -1;
  ParamsEcho params;
};
void append_slots_body(std::string& out, std::span<const SlotView> slots, int n_ctx);

}  // namespace llmbench::mock
