#include "llmbench/protocol/event_decoder.hpp"

#include <algorithm>

namespace llmbench::protocol {

namespace od = simdjson::ondemand;
using simdjson::error_code;

namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::uint32_t clamp_u32(std::uint64_t v) noexcept {
  return v > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(v);
}

// A JSON string with at least one character, without unescaping it.
bool nonempty_string(od::value v) noexcept {
  od::json_type t;
  if (v.type().get(t) != simdjson::SUCCESS || t != od::json_type::string) return false;
  od::raw_json_string raw;
  if (v.get_raw_json_string().get(raw) != simdjson::SUCCESS) return false;
  return raw.raw()[0] != '"';
}

bool nonempty_array(od::value v) noexcept {
  od::json_type t;
  if (v.type().get(t) != simdjson::SUCCESS || t != od::json_type::array) return false;
  od::array a;
  if (v.get_array().get(a) != simdjson::SUCCESS) return false;
  bool empty = true;
  if (a.is_empty().get(empty) != simdjson::SUCCESS) return false;
  return !empty;
}

bool is_null(od::value v) noexcept {
  od::json_type t;
  return v.type().get(t) == simdjson::SUCCESS && t == od::json_type::null;
}

// `delta` (streamed chat) or `message` (non-streamed chat): generated text is
// content, reasoning (DeepSeek/vLLM/llama.cpp reasoning_content) or a tool call.
error_code read_message(od::value v, bool& content) noexcept {
  od::object o;
  if (auto e = v.get_object().get(o)) return e;
  for (auto field : o) {
    od::raw_json_string key;
    if (auto e = field.key().get(key)) return e;
    od::value fv;
    if (auto e = field.value().get(fv)) return e;
    if (key == "content" || key == "reasoning_content" || key == "reasoning") {
      if (nonempty_string(fv)) content = true;
    } else if (key == "tool_calls") {
      if (nonempty_array(fv)) content = true;
    }
  }
  return simdjson::SUCCESS;
}

error_code read_choices(od::value v, EventInfo& out) noexcept {
  od::array arr;
  if (auto e = v.get_array().get(arr)) return e;
  for (auto elem : arr) {
    od::object choice;
    if (auto e = elem.get_object().get(choice)) return e;
    bool content = false;
    for (auto field : choice) {
      od::raw_json_string key;
      if (auto e = field.key().get(key)) return e;
      od::value fv;
      if (auto e = field.value().get(fv)) return e;
      if (key == "delta" || key == "message") {
        if (auto e = read_message(fv, content)) return e;
      } else if (key == "text") {
        if (nonempty_string(fv)) content = true;
      } else if (key == "finish_reason") {
        if (!is_null(fv)) out.finish_reason = true;
      }
    }
    if (content) ++out.content_pieces;
  }
  return simdjson::SUCCESS;
}

error_code read_usage(od::value v, EventInfo& out) noexcept {
  if (is_null(v)) return simdjson::SUCCESS;  // vLLM sends "usage": null mid-stream
  od::object o;
  if (auto e = v.get_object().get(o)) return e;
  bool any = false;
  for (auto field : o) {
    od::raw_json_string key;
    if (auto e = field.key().get(key)) return e;
    std::uint64_t n = 0;
    if (key == "completion_tokens") {
      if (auto e = field.value().get_uint64().get(n)) return e;
      out.completion_tokens = clamp_u32(n);
      any = true;
    } else if (key == "prompt_tokens") {
      if (auto e = field.value().get_uint64().get(n)) return e;
      out.prompt_tokens = clamp_u32(n);
    }
  }
  out.has_usage = any;
  return simdjson::SUCCESS;
}

error_code read_timings(od::value v, ServerTimings& t) noexcept {
  if (is_null(v)) return simdjson::SUCCESS;
  od::object o;
  if (auto e = v.get_object().get(o)) return e;
  for (auto field : o) {
    od::raw_json_string key;
    if (auto e = field.key().get(key)) return e;
    double* slot = key == "cache_n"                  ? &t.cache_n
                   : key == "prompt_n"               ? &t.prompt_n
                   : key == "prompt_ms"              ? &t.prompt_ms
                   : key == "prompt_per_token_ms"    ? &t.prompt_per_token_ms
                   : key == "prompt_per_second"      ? &t.prompt_per_second
                   : key == "predicted_n"            ? &t.predicted_n
                   : key == "predicted_ms"           ? &t.predicted_ms
                   : key == "predicted_per_token_ms" ? &t.predicted_per_token_ms
                   : key == "predicted_per_second"   ? &t.predicted_per_second
                   : key == "draft_n"                ? &t.draft_n
                   : key == "draft_n_accepted"       ? &t.draft_n_accepted
                                                     : nullptr;
    if (slot == nullptr) continue;
    double d = 0;
    if (auto e = field.value().get_double().get(d)) return e;
    *slot = d;
  }
  t.present = true;
  return simdjson::SUCCESS;
}

constexpr std::size_t kInitialCapacity = 16 * 1024;
}  // namespace

EventDecoder::EventDecoder() {
  scratch_.reserve(4096);
  message_.reserve(256);
  // simdjson sizes its buffers to the largest document so far: start at a
  // size no ordinary event reaches, so that a slightly longer event (a
  // bigger token count in the usage event) does not reallocate mid-run.
  // Failure here only means growing on demand later.
  if (parser_.allocate(kInitialCapacity) != simdjson::SUCCESS) parser_ = simdjson::ondemand::parser{};
}

DecodeStatus EventDecoder::decode(std::string_view json, std::size_t readable_after,
                                  EventInfo& out) noexcept {
  out.clear();
  error_ = {};
  const std::string_view body = trim(json);
  if (body == "[DONE]") {
    out.done_marker = true;
    return DecodeStatus::ok;
  }
  const char* data = json.data();
  std::size_t capacity = json.size() + readable_after;
  if (readable_after < simdjson::SIMDJSON_PADDING) {
    // Rare: only bytes handed in without slack (tests, tiny bodies).
    scratch_.assign(json.data(), json.size());
    scratch_.resize(json.size() + simdjson::SIMDJSON_PADDING, ' ');
    data = scratch_.data();
    capacity = scratch_.size();
  }
  od::document doc;
  if (parser_.iterate(data, json.size(), capacity).get(doc) != simdjson::SUCCESS) {
    error_ = "invalid JSON";
    return DecodeStatus::invalid_json;
  }
  od::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) {
    error_ = "event is not a JSON object";
    return DecodeStatus::invalid_json;
  }
  error_code err = simdjson::SUCCESS;
  for (auto field : root) {
    od::raw_json_string key;
    if ((err = field.key().get(key))) break;
    od::value v;
    if ((err = field.value().get(v))) break;
    if (key == "choices") {
      err = read_choices(v, out);
    } else if (key == "content") {  // native
      if (nonempty_string(v)) out.content_pieces = 1;
    } else if (key == "stop") {  // native: bool; OpenAI request echo never appears here
      bool b = false;
      if (v.get_bool().get(b) == simdjson::SUCCESS && b) out.native_stop = true;
    } else if (key == "usage") {
      err = read_usage(v, out);
    } else if (key == "timings") {
      err = read_timings(v, out.timings);
    } else if (key == "tokens_predicted" || key == "tokens_evaluated") {
      std::uint64_t n = 0;
      if ((err = v.get_uint64().get(n))) break;
      (key == "tokens_predicted" ? out.tokens_predicted : out.tokens_evaluated) = clamp_u32(n);
      out.has_native_counts = true;
    } else if (key == "error") {
      err = read_error(v, out);
    } else if (key == "stamp_ns") {
      std::int64_t n = 0;
      if (v.get_int64().get(n) == simdjson::SUCCESS && n >= 0) out.stamp_ns = n;
    }
    if (err) break;
  }
  if (err) {
    error_ = simdjson::error_message(err);
    return DecodeStatus::invalid_json;
  }
  return DecodeStatus::ok;
}

error_code EventDecoder::read_error(od::value v, EventInfo& out) noexcept {
  out.is_error = true;
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  if (t == od::json_type::string) {  // some servers send "error": "text"
    std::string_view s;
    if (auto e = v.get_string().get(s)) return e;
    message_.assign(s);
    out.error_message = message_;
    return simdjson::SUCCESS;
  }
  if (t != od::json_type::object) return simdjson::SUCCESS;
  od::object o;
  if (auto e = v.get_object().get(o)) return e;
  for (auto field : o) {
    od::raw_json_string key;
    if (auto e = field.key().get(key)) return e;
    if (key == "message") {
      std::string_view s;
      if (field.value().get_string().get(s) == simdjson::SUCCESS) {
        message_.assign(s);
        out.error_message = message_;
      }
    } else if (key == "code") {
      std::int64_t c = 0;
      if (field.value().get_int64().get(c) == simdjson::SUCCESS) out.error_code = static_cast<int>(c);
    }
  }
  return simdjson::SUCCESS;
}

}  // namespace llmbench::protocol
