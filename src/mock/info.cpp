#include "llmbench/mock/info.hpp"

#include <algorithm>

#include "llmbench/mock/completion_request.hpp"
#include "llmbench/mock/wire.hpp"
#include "llmbench/util/json_escape.hpp"

namespace llmbench::mock {

namespace {
using wire::append_double;
using wire::append_int;
using util::append_json_string;

// Runs of llama-server's sampling parameters that the mock never varies. The
// native API's generation_settings adds a few keys between them (`full`).
constexpr std::string_view kParamsA =
    R"("dynatemp_range":0.0,"dynatemp_exponent":1.0,"top_k":40,"top_p":0.949999988079071,)"
    R"("min_p":0.05000000074505806,"top_n_sigma":-1.0,"xtc_probability":0.0,"xtc_threshold":0.10000000149011612,)"
    R"("typical_p":1.0,"repeat_last_n":64,"repeat_penalty":1.0,"presence_penalty":0.0,"frequency_penalty":0.0,)"
    R"("dry_multiplier":0.0,"dry_base":1.75,"dry_allowed_length":2,"dry_penalty_last_n":64,)";
constexpr std::string_view kDryBreakers = R"("dry_sequence_breakers":["\n",":","\"","*"],)";
constexpr std::string_view kParamsB =
    R"("mirostat":0,"mirostat_tau":5.0,"mirostat_eta":0.10000000149011612,"adaptive_target":-1.0,)"
    R"("adaptive_decay":0.8999999761581421,)";
constexpr std::string_view kGrammar = R"("grammar":"","grammar_lazy":false,"grammar_triggers":[],"preserved_tokens":[],)";
constexpr std::string_view kParamsEnd =
    R"(,"samplers":["penalties","dry","top_n_sigma","top_k","typ_p","top_p","min_p","xtc","temperature"],)"
    R"("speculative.types":"none","timings_per_token":false,"post_sampling_probs":false,"backend_sampling":false,)"
    R"("lora":[]})";

constexpr std::string_view kChatTemplate =
    R"({% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %})";

const char* boolean(bool b) noexcept { return b ? "true" : "false"; }

void append_params_impl(std::string& out, const ParamsEcho& p, bool full) {
  const SettingsEcho& s = p.settings;
  out += R"({"seed":)";
  append_int(out, s.seed);
  out += R"(,"temperature":)";
  append_double(out, s.temperature);
  out += ',';
  out += kParamsA;
  if (full) out += kDryBreakers;
  out += kParamsB;
  if (full) out += R"("stop":[],)";
  out += R"("max_tokens":)";
  append_int(out, s.n_predict);
  out += R"(,"n_predict":)";
  append_int(out, s.n_predict);
  out += R"(,"n_keep":0,"n_discard":0,"ignore_eos":)";
  out += boolean(s.ignore_eos);
  out += R"(,"stream":)";
  out += boolean(s.stream);
  out += full ? R"(,"logit_bias":[],"n_probs":0,"min_keep":0,)" : R"(,"n_probs":0,"min_keep":0,)";
  if (full) out += kGrammar;
  out += R"("chat_format":)";
  append_json_string(out, p.chat_format);
  out += R"(,"reasoning_format":)";
  append_json_string(out, p.reasoning_format);
  out += R"(,"reasoning_in_content":false,"generation_prompt":)";
  append_json_string(out, p.generation_prompt);
  out += kParamsEnd;
}

void append_metric(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP llamacpp:";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE llamacpp:";
  out += name;
  out += ' ';
  out += type;
  out += "\nllamacpp:";
  out += name;
  out += ' ';
}
}  // namespace

void append_params(std::string& out, const ParamsEcho& p) { append_params_impl(out, p, false); }

void append_generation_settings(std::string& out, const SettingsEcho& s) {
  append_params_impl(out, ParamsEcho{s, "Content-only", "deepseek", ""}, true);
}

std::string models_body(const MockConfig& cfg, std::int64_t created_unix_s) {
  const std::string& id = model_id(cfg);
  std::string out = R"({"models":[{"name":)";
  append_json_string(out, id);
  out += R"(,"model":)";
  append_json_string(out, id);
  out += R"(,"modified_at":"","size":"","digest":"","type":"model","description":"","tags":[""],)"
         R"("capabilities":["completion"],"parameters":"","details":{"parent_model":"","format":"gguf",)"
         R"("family":"","families":[""],"parameter_size":"","quantization_level":""}}],"object":"list",)"
         R"("data":[{"id":)";
  append_json_string(out, id);
  out += R"(,"aliases":[)";
  append_json_string(out, id);
  out += R"(],"tags":[],"object":"model","created":)";
  append_int(out, created_unix_s);
  out += R"(,"owned_by":"llamacpp","meta":{"vocab_type":1,"n_vocab":)";
  append_int(out, ModelMeta::n_vocab);
  out += R"(,"n_ctx":)";
  append_int(out, cfg.n_ctx_slot);
  out += R"(,"n_ctx_train":)";
  append_int(out, ModelMeta::n_ctx_train);
  out += R"(,"n_embd":)";
  append_int(out, ModelMeta::n_embd);
  out += R"(,"n_params":)";
  append_int(out, ModelMeta::n_params);
  out += R"(,"size":)";
  append_int(out, ModelMeta::size_bytes);
  out += R"(,"ftype":)";
  append_json_string(out, ModelMeta::ftype);
  out += "}}]}";
  return out;
}

std::string props_body(const MockConfig& cfg, std::string_view media_marker) {
  std::string out = R"({"default_generation_settings":{"params":)";
  append_params(out, ParamsEcho{});
  out += R"(,"n_ctx":)";
  append_int(out, cfg.n_ctx_slot);
  out += R"(},"total_slots":)";
  append_int(out, cfg.slots);
  out += R"(,"model_alias":)";
  append_json_string(out, model_id(cfg));
  out += R"(,"model_ftype":)";
  append_json_string(out, ModelMeta::ftype);
  out += R"(,"model_path":)";
  append_json_string(out, cfg.model_path);
  out += R"(,"modalities":{"vision":false,"video":false,"audio":false},"media_marker":)";
  append_json_string(out, media_marker);
  out += R"(,"endpoint_slots":true,"endpoint_props":false,"endpoint_metrics":)";
  out += cfg.metrics ? "true" : "false";
  out += R"(,"ui":true,"ui_settings":{},"chat_template":)";
  append_json_string(out, kChatTemplate);
  out += R"(,"chat_template_caps":{"supports_object_arguments":false,"supports_parallel_tool_calls":false,)"
         R"("supports_preserve_reasoning":false,"supports_reasoning_effort":false,"supports_string_content":true,)"
         R"("supports_system_role":true,"supports_tool_calls":false,"supports_tools":false,)"
         R"("supports_typed_content":false},"bos_token":"<s>","eos_token":"</s>","build_info":")";
  out += wire::kFingerprint;
  out += R"(","is_sleeping":false,"cors_proxy_enabled":false})";
  return out;
}

void append_tokenize_body(std::string& out, std::string_view content, bool with_pieces, bool add_special,
                          bool parse_special) {
  out += R"({"tokens":[)";
  bool first = true;
  const auto sep = [&] {
    if (!first) out += ',';
    first = false;
  };
  const auto special = [&](std::int32_t id, std::string_view piece) {
    sep();
    if (!with_pieces) {
      append_int(out, id);
      return;
    }
    out += R"({"id":)";
    append_int(out, id);
    out += R"(,"piece":)";
    append_json_string(out, piece);
    out += '}';
  };
  if (add_special) special(kBosId, "<s>");
  const auto text = [&](std::string_view segment) {
    for_each_token(segment, [&](bool space, std::string_view core) {
      sep();
      if (!with_pieces) {
        append_int(out, token_id(space, core));
        return;
      }
      out += R"({"id":)";
      append_int(out, token_id(space, core));
      out += R"(,"piece":)";
      std::string piece = space ? " " : "";
      piece += core;
      append_json_string(out, piece);
      out += '}';
    });
  };
  constexpr std::string_view kStart = "<|im_start|>";
  constexpr std::string_view kEnd = "<|im_end|>";
  while (parse_special && !content.empty()) {
    const std::size_t at = std::min(content.find(kStart), content.find(kEnd));
    if (at == std::string_view::npos) break;
    text(content.substr(0, at));
    const bool start = content.substr(at).starts_with(kStart);
    special(start ? kImStartId : kImEndId, start ? kStart : kEnd);
    content.remove_prefix(at + (start ? kStart.size() : kEnd.size()));
    if (start) {
      // The role after <|im_start|> is one token, as read_messages counts
      // it (and as real vocabularies hold "assistant").
      const std::size_t role_end = std::min(content.find('\n'), content.find("<|"));
      const std::string_view role = content.substr(0, role_end);
      if (!role.empty() && role.find(' ') == std::string_view::npos) {
        special(token_id(true, role), role);
        content.remove_prefix(role.size());
      }
    }
  }
  text(content);
  out += "]}";
}

void append_metrics_body(std::string& out, const MetricsSnapshot& m) {
  const auto counter = [&out](std::string_view name, std::string_view help, std::uint64_t v) {
    append_metric(out, name, "counter", help);
    append_int(out, static_cast<std::int64_t>(v));
    out += '\n';
  };
  const auto real = [&out](std::string_view name, std::string_view type, std::string_view help, double v) {
    append_metric(out, name, type, help);
    wire::append_metric_double(out, v);
    out += '\n';
  };
  counter("prompt_tokens_total", "Number of prompt tokens processed, excluding cached tokens", m.prompt_tokens_total);
  counter("prompt_tokens_cached_total", "Number of prompt tokens reused from the cache", m.prompt_tokens_cached_total);
  real("prompt_seconds_total", "counter", "Total time spent processing prompts", m.prompt_seconds_total);
  counter("tokens_predicted_total", "Number of generation tokens processed", m.tokens_predicted_total);
  real("tokens_predicted_seconds_total", "counter", "Total time spent generating tokens",
       m.tokens_predicted_seconds_total);
  counter("n_decode_total",
          "Total number of llama_decode() calls, excluding speculative decoding and multimodal decoding",
          m.n_decode_total);
  counter("n_tokens_max", "Largest observed sequence length (prompt + generation)", m.n_tokens_max);
  counter("spec_decode_num_draft_tokens_total", "Speculative: Total draft tokens generated", 0);
  counter("spec_decode_num_accepted_tokens_total", "Speculative: Total draft tokens accepted by the target model", 0);
  counter("spec_decode_num_drafts_total", "Speculative: Total speculative decoding verification steps", 0);
  real("prompt_tokens_seconds", "gauge", "Average prompt throughput in tokens/s", m.prompt_tokens_seconds);
  real("predicted_tokens_seconds", "gauge", "Average generation throughput in tokens/s", m.predicted_tokens_seconds);
  real("requests_processing", "gauge", "Number of requests processing", m.requests_processing);
  real("requests_deferred", "gauge", "Number of requests deferred", m.requests_deferred);
  real("n_busy_slots_per_decode", "gauge", "Average number of busy slots per llama_decode() call",
       m.n_busy_slots_per_decode);
}

void append_slots_body(std::string& out, std::span<const SlotView> slots, int n_ctx) {
  out += '[';
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const SlotView& s = slots[i];
    if (i > 0) out += ',';
    out += R"({"id":)";
    append_int(out, s.id);
    out += R"(,"n_ctx":)";
    append_int(out, n_ctx);
    out += R"(,"speculative":false,"is_processing":)";
    out += boolean(s.is_processing);
    if (s.used) {
      const int processed = s.is_processing ? s.n_prompt_tokens - s.n_prompt_tokens_cache : 0;
      out += R"(,"id_task":)";
      append_int(out, s.id_task);
      out += R"(,"n_prompt_tokens":)";
      append_int(out, s.is_processing ? s.n_prompt_tokens + s.n_decoded : 0);
      out += R"(,"n_prompt_tokens_processed":)";
      append_int(out, processed);
      out += R"(,"n_prompt_tokens_cache":)";
      append_int(out, s.is_processing ? s.n_prompt_tokens_cache : 0);
      out += R"(,"params":)";
      append_params(out, s.params);
      out += R"(,"next_token":[{"has_next_token":)";
      out += boolean(s.is_processing);
      out += R"(,"has_new_line":false,"n_remain":)";
      append_int(out, s.is_processing ? s.n_remain : -1);
      out += R"(,"n_decoded":)";
      append_int(out, s.is_processing ? s.n_decoded : 0);
      out += "}]";
    }
    out += '}';
  }
  out += ']';
}

}  // namespace llmbench::mock
