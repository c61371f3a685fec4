#include "llmbench/mock/events.hpp"

#include <chrono>

#include "llmbench/mock/wire.hpp"
#include "llmbench/util/json_escape.hpp"

namespace llmbench::mock {

namespace {
using wire::append_double;
using wire::append_int;
using util::append_json_string;

constexpr std::string_view kChatRole =
    R"(data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],)";
constexpr std::string_view kChatToken = R"(data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":")";
// llama-server --reasoning-format deepseek: the thinking streams apart.
constexpr std::string_view kChatReasoning =
    R"(data: {"choices":[{"finish_reason":null,"index":0,"delta":{"reasoning_content":")";
constexpr std::string_view kCmplToken = R"(data: {"choices":[{"text":")";
constexpr std::string_view kCmplTokenRest = R"(","index":0,"logprobs":null,"finish_reason":null}],)";
constexpr std::string_view kNativeToken = R"(data: {"index":0,"content":")";

// Division that reports 0 instead of the null (NaN/inf) nlohmann would print.
double ratio(double num, double den) noexcept { return den > 0 ? num / den : 0.0; }

void append_created_model(std::string& out, const Envelope& env) {
  out += R"("created":)";
  append_int(out, env.created);
  out += R"(,"model":)";
  append_json_string(out, env.model);
  out += R"(,"system_fingerprint":")";
  out += wire::kFingerprint;
  out += '"';
}

void append_id(std::string& out, const Envelope& env) {
  out += R"("id":")";
  out += env.id;
  out += '"';
}
}  // namespace

void append_timings(std::string& out, const Timings& t) {
  // llama-server divides generation time by the n-1 gaps between tokens: the
  // first token comes out of prompt processing.
  const double gaps = t.predicted_n > 1 ? t.predicted_n - 1 : 0;
  out += R"({"cache_n":)";
  append_int(out, t.cache_n);
  out += R"(,"prompt_n":)";
  append_int(out, t.prompt_n);
  out += R"(,"prompt_ms":)";
  append_double(out, t.prompt_ms);
  out += R"(,"prompt_per_token_ms":)";
  append_double(out, ratio(t.prompt_ms, t.prompt_n));
  out += R"(,"prompt_per_second":)";
  append_double(out, ratio(1e3, t.prompt_ms) * t.prompt_n);
  out += R"(,"predicted_n":)";
  append_int(out, t.predicted_n);
  out += R"(,"predicted_ms":)";
  append_double(out, t.predicted_ms);
  out += R"(,"predicted_per_token_ms":)";
  append_double(out, ratio(t.predicted_ms, gaps));
  out += R"(,"predicted_per_second":)";
  append_double(out, ratio(1e3, t.predicted_ms) * gaps);
  out += '}';
}

void append_usage(std::string& out, int completion_tokens, int prompt_tokens, int cached_tokens) {
  out += R"({"completion_tokens":)";
  append_int(out, completion_tokens);
  out += R"(,"prompt_tokens":)";
  append_int(out, prompt_tokens);
  out += R"(,"total_tokens":)";
  append_int(out, completion_tokens + prompt_tokens);
  out += R"(,"prompt_tokens_details":{"cached_tokens":)";
  append_int(out, cached_tokens);
  out += "}}";
}

EventEncoder::EventEncoder(const Envelope& env) : env_(env) {
  if (env.api == Api::chat) {
    stream_tail_ = R"("created":)";
    append_int(stream_tail_, env.created);
    stream_tail_ += ',';
    append_id(stream_tail_, env);
    stream_tail_ += R"(,"model":)";
    append_json_string(stream_tail_, env.model);
    stream_tail_ += R"(,"system_fingerprint":")";
    stream_tail_ += wire::kFingerprint;
    stream_tail_ += R"(","object":"chat.completion.chunk")";
  } else if (env.api == Api::completions) {
    append_created_model(stream_tail_, env);
    stream_tail_ += R"(,"object":"text_completion",)";
    append_id(stream_tail_, env);
  }
}

void EventEncoder::token_event(std::string& out, std::string_view json_text, int index, std::int32_t id,
                               int so_far) const {
  switch (env_.api) {
    case Api::chat:
      if (env_.tool_call) {
        tool_call_event(out, json_text, index, so_far);
        break;
      }
      out += index < env_.reasoning_tokens ? kChatReasoning : kChatToken;
      out += json_text;
      out += R"("}}],)";
      out += stream_tail_;
      break;
    case Api::completions:
      out += kCmplToken;
      out += json_text;
      out += kCmplTokenRest;
      out += stream_tail_;
      break;
    case Api::native:
      out += kNativeToken;
      out += json_text;
      out += R"(","tokens":[)";
      append_int(out, id);
      out += R"(],"stop":false,"id_slot":-1,"tokens_predicted":)";
      append_int(out, index + 1);
      out += R"(,"tokens_evaluated":)";
      append_int(out, env_.prompt_tokens);
      break;
  }
  if (env_.usage_every_event && env_.api != Api::native) {
    out += R"(,"usage":)";
    append_usage(out, so_far, env_.prompt_tokens, env_.cached_tokens);
  }
  if (env_.stamp) {
    // Taken as the event is built, microseconds before it is written: the
    // send time a client's receive timestamps are checked against.
    out += R"(,"stamp_ns":)";
    append_int(out, std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now().time_since_epoch()).count());
  }
  out += "}\n\n";
}

// A tool call's arguments, {"text": <the generated text>}, are JSON inside a
// JSON string: the text, already escaped once, is escaped again.
void EventEncoder::append_arguments(std::string& out, std::string_view inner_json) const {
  args_.clear();
  append_json_string(args_, inner_json);
  out.append(args_, 1, args_.size() - 2);  // without its quotes
}

// llama-server's shape (server_chat_msg_diff_to_json_oaicompat): the first
// delta names the call (index, id, type, function.name) with the first piece
// of its arguments; later ones carry only more arguments, and the last
// token's piece closes them.
void EventEncoder::tool_call_event(std::string& out, std::string_view json_text, int index, int so_far) const {
  out += R"(data: {"choices":[{"finish_reason":null,"index":0,"delta":{"tool_calls":[{"index":0,)";
  if (index == 0) {
    out += R"("id":")";
    out += std::string_view(env_.id).substr(std::string_view("chatcmpl-").size());
    out += R"(","type":"function","function":{"name":)";
    append_json_string(out, env_.tool_name);
    out += R"(,"arguments":"{\"text\":\")";
  } else {
    out += R"("function":{"arguments":")";
  }
  append_arguments(out, json_text);
  if (so_far >= env_.n_tokens) out += R"(\"})";
  out += R"("}}]}}],)";
  out += stream_tail_;
}

void EventEncoder::token_chunk(std::string& out, const Piece& piece, int index, int so_far) {
  event_.clear();
  if (index == 0 && env_.api == Api::chat) {
    event_ += kChatRole;
    event_ += stream_tail_;
    event_ += "}\n\n";
  }
  token_event(event_, piece.json, index, piece.id, so_far);
  wire::append_chunk(out, event_);
}

void EventEncoder::broken_event_chunk(std::string& out) {
  event_.clear();
  token_event(event_, " broken", 0, token_id(true, "broken"), 1);
  event_.resize(event_.size() / 2);  // the JSON stops mid-object
  event_ += "\n\n";
  wire::append_chunk(out, event_);
}

void EventEncoder::huge_event_chunk(std::string& out, std::size_t bytes) {
  std::string text(bytes, 'x');
  event_.clear();
  event_.reserve(bytes + 512);
  token_event(event_, text, 0, token_id(false, "x"), 1);
  wire::append_chunk(out, event_);
}

std::string_view EventEncoder::output_error_message() const noexcept {
  return env_.api == Api::chat ? "The model produced output that does not match the expected peg-native format"
                               : "The model produced output that does not match the expected Content-only format";
}

void EventEncoder::error_event_chunk(std::string& out) {
  event_ = "data: ";
  wire::append_error_body(event_, 500, output_error_message(), "server_error");
  event_ += "\n\n";
  wire::append_chunk(out, event_);
}

void EventEncoder::chat_final(std::string& out, const Outcome& o) const {
  out += env_.tool_call ? R"(data: {"choices":[{"finish_reason":"tool_calls","index":0,"delta":{}}],)"
         : o.eos       ? R"(data: {"choices":[{"finish_reason":"stop","index":0,"delta":{}}],)"
                       : R"(data: {"choices":[{"finish_reason":"length","index":0,"delta":{}}],)";
  out += stream_tail_;
  if (o.include_usage) {
    // The usage event follows in the same chunk and takes the timings.
    out += "}\n\ndata: {\"choices\":[],";
    out += stream_tail_;
    out += R"(,"usage":)";
    append_usage(out, o.completion_tokens, o.prompt_tokens, o.timings.cache_n);
  }
  out += R"(,"timings":)";
  append_timings(out, o.timings);
  out += "}\n\n";
}

void EventEncoder::completions_final(std::string& out, const Outcome& o, std::string_view content_json) const {
  out += R"({"choices":[{"text":")";
  out += content_json;
  out += o.eos ? R"(","index":0,"logprobs":null,"finish_reason":"stop"}],)"
               : R"(","index":0,"logprobs":null,"finish_reason":"length"}],)";
  append_created_model(out, env_);
  out += R"(,"object":"text_completion","usage":)";
  append_usage(out, o.completion_tokens, o.prompt_tokens, o.timings.cache_n);
  out += ',';
  append_id(out, env_);
  out += R"(,"timings":)";
  append_timings(out, o.timings);
  out += '}';
}

void EventEncoder::native_final(std::string& out, const Outcome& o, std::string_view content_json) const {
  out += R"({"index":0,"content":")";
  out += content_json;
  out += R"(","tokens":[],"id_slot":)";
  append_int(out, o.slot_id);
  out += R"(,"stop":true,"model":)";
  append_json_string(out, env_.model);
  out += R"(,"tokens_predicted":)";
  append_int(out, o.completion_tokens);
  out += R"(,"tokens_evaluated":)";
  append_int(out, o.prompt_tokens);
  out += R"(,"generation_settings":)";
  append_generation_settings(out, env_.settings);
  out += R"(,"prompt":)";
  std::string prompt = "<s> ";
  prompt += env_.prompt;
  append_json_string(out, prompt);
  out += o.has_new_line ? R"(,"has_new_line":true)" : R"(,"has_new_line":false)";
  out += o.truncated ? R"(,"truncated":true)" : R"(,"truncated":false)";
  // "limit" for n_predict and for the context alike; "truncated" tells them apart.
  out += o.eos ? R"(,"stop_type":"eos","stopping_word":"","tokens_cached":)"
               : R"(,"stop_type":"limit","stopping_word":"","tokens_cached":)";
  append_int(out, o.prompt_tokens + o.completion_tokens - 1);
  out += R"(,"timings":)";
  append_timings(out, o.timings);
  out += '}';
}

void EventEncoder::final_chunks(std::string& out, const Outcome& o) {
  event_.clear();
  if (env_.api == Api::chat) {
    chat_final(event_, o);
  } else {
    event_ += "data: ";
    if (env_.api == Api::native) native_final(event_, o, {});
    else completions_final(event_, o, {});
    event_ += "\n\n";
  }
  wire::append_chunk(out, event_);
  if (env_.api != Api::native) out += wire::kDoneChunk;
  out += wire::kLastChunk;
}

void EventEncoder::body(std::string& out, std::string_view content_json, const Outcome& o) const {
  if (env_.api == Api::native) {
    native_final(out, o, content_json);
    return;
  }
  if (env_.api == Api::completions) {
    completions_final(out, o, content_json);
    return;
  }
  if (env_.tool_call) {
    out += R"({"choices":[{"finish_reason":"tool_calls","index":0,"message":{"role":"assistant","content":null,)"
           R"("tool_calls":[{"type":"function","function":{"name":)";
    append_json_string(out, env_.tool_name);
    out += R"(,"arguments":"{\"text\":\")";
    append_arguments(out, content_json);
    out += R"(\"}"},"id":")";
    out += std::string_view(env_.id).substr(std::string_view("chatcmpl-").size());
    out += R"("}]}}],)";
  } else {
    out += o.eos ? R"({"choices":[{"finish_reason":"stop","index":0,"message":{"role":"assistant","content":")"
                 : R"({"choices":[{"finish_reason":"length","index":0,"message":{"role":"assistant","content":")";
    out += content_json;
    out += R"("}}],)";
  }
  append_created_model(out, env_);
  out += R"(,"object":"chat.completion","usage":)";
  append_usage(out, o.completion_tokens, o.prompt_tokens, o.timings.cache_n);
  out += ',';
  append_id(out, env_);
  out += R"(,"timings":)";
  append_timings(out, o.timings);
  out += '}';
}

}  // namespace llmbench::mock
