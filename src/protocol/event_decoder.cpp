#include "llmbench/protocol/event_decoder.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "llmbench/util/padding.hpp"

static_assert(llmbench::util::kJsonPaddingBytes >= simdjson::SIMDJSON_PADDING,
              "the buffers' padding must cover what simdjson may read");

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

// Where the generated text of an event sits: the one non-empty content
// string (its first byte, in the parsed buffer) when there is exactly one.
struct ContentSpot {
  const char* raw = nullptr;
  int count = 0;  // non-empty content strings and tool-call arrays seen
  // The visible output string (content, completions text, native content),
  // for a session's reply capture: where it starts, and how many there were.
  const char* output_raw = nullptr;
  int outputs = 0;
  void output_at(const char* p) noexcept {
    output_raw = p;
    ++outputs;
  }
};

// A JSON string with at least one character, without unescaping it.
bool nonempty_string(od::value v, ContentSpot* spot = nullptr) noexcept {
  od::json_type t;
  if (v.type().get(t) != simdjson::SUCCESS || t != od::json_type::string) return false;
  od::raw_json_string raw;
  if (v.get_raw_json_string().get(raw) != simdjson::SUCCESS) return false;
  if (raw.raw()[0] == '"') return false;
  if (spot != nullptr) {
    spot->raw = raw.raw();
    ++spot->count;
  }
  return true;
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

// A finish_reason (OpenAI) or stop_type (llama.cpp native) string; null,
// absent or native "none" say nothing.
FinishReason finish_of(od::value v) noexcept {
  od::raw_json_string raw;
  if (v.get_raw_json_string().get(raw) != simdjson::SUCCESS) return FinishReason::unknown;
  if (raw == "stop" || raw == "eos" || raw == "word") return FinishReason::stop;
  if (raw == "length" || raw == "limit") return FinishReason::length;
  if (raw == "none") return FinishReason::unknown;
  return FinishReason::other;
}
// What one choice (or a native event) carried: generated text of either kind.
struct Pieces {
  bool reasoning = false;
  bool output = false;
  bool tool_call = false;  // ... and that output was (or included) a tool call
  [[nodiscard]] bool any() const noexcept { return reasoning || output; }
  void add_to(EventInfo& out) const noexcept {
    if (!any()) return;
    ++out.content_pieces;
    out.reasoning_pieces += reasoning ? 1 : 0;
    out.output_pieces += output ? 1 : 0;
    out.tool_call_pieces += tool_call ? 1 : 0;
  }
};

// `delta` (streamed chat) or `message` (non-streamed chat): generated text is
// content or a tool call (visible output), or reasoning (DeepSeek/vLLM/
// llama.cpp reasoning_content, vLLM's newer reasoning).
error_code read_message(od::value v, Pieces& pieces, ContentSpot& spot) noexcept {
  od::object o;
  if (auto e = v.get_object().get(o)) return e;
  for (auto field : o) {
    od::raw_json_string key;
    if (auto e = field.key().get(key)) return e;
    od::value fv;
    if (auto e = field.value().get(fv)) return e;
    if (key == "content") {
      if (nonempty_string(fv, &spot)) {
        pieces.output = true;
        spot.output_at(spot.raw);
      }
    } else if (key == "reasoning_content" || key == "reasoning") {
      if (nonempty_string(fv, &spot)) pieces.reasoning = true;
    } else if (key == "tool_calls") {
      if (nonempty_array(fv)) {
        pieces.output = true;
        pieces.tool_call = true;
        spot.count += 2;  // not a string: no template
      }
    }
  }
  return simdjson::SUCCESS;
}

error_code read_choices(od::value v, EventInfo& out, ContentSpot& spot) noexcept {
  od::array arr;
  if (auto e = v.get_array().get(arr)) return e;
  for (auto elem : arr) {
    od::object choice;
    if (auto e = elem.get_object().get(choice)) return e;
    Pieces pieces;
    for (auto field : choice) {
      od::raw_json_string key;
      if (auto e = field.key().get(key)) return e;
      od::value fv;
      if (auto e = field.value().get(fv)) return e;
      if (key == "delta" || key == "message") {
        if (auto e = read_message(fv, pieces, spot)) return e;
      } else if (key == "text") {
        if (nonempty_string(fv, &spot)) {
          pieces.output = true;
          spot.output_at(spot.raw);
        }
      } else if (key == "finish_reason") {
        if (!is_null(fv)) {
          out.finish_reason = true;
          if (const FinishReason f = finish_of(fv); f != FinishReason::unknown) out.finish = f;
        }
      }
    }
    pieces.add_to(out);
  }
  return simdjson::SUCCESS;
}

// One count inside usage's *_tokens_details object (null or absent: -1 stays).
error_code read_detail(od::value v, std::string_view name, std::int32_t& out) noexcept {
  if (is_null(v)) return simdjson::SUCCESS;
  od::object o;
  if (auto e = v.get_object().get(o)) return e;
  for (auto field : o) {
    od::raw_json_string key;
    if (auto e = field.key().get(key)) return e;
    if (key != name) continue;
    std::uint64_t n = 0;
    if (field.value().get_uint64().get(n) == simdjson::SUCCESS) out = static_cast<std::int32_t>(std::min<std::uint64_t>(n, 0x7fffffff));
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
    } else if (key == "completion_tokens_details") {
      if (auto e = read_detail(field.value(), "reasoning_tokens", out.reasoning_tokens)) return e;
    } else if (key == "prompt_tokens_details") {
      if (auto e = read_detail(field.value(), "cached_tokens", out.cached_tokens)) return e;
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

// `data` of an embeddings body, or `results` of a rerank body: an array of
// objects, each of which must carry `member` (an array for `embedding`, a
// number for `relevance_score`). The vectors' numbers are skipped unread.
error_code count_items(od::value v, std::string_view member, std::int32_t& count) noexcept {
  od::array arr;
  if (auto e = v.get_array().get(arr)) return e;
  count = 0;
  for (auto elem : arr) {
    od::object item;
    if (auto e = elem.get_object().get(item)) return e;
    bool found = false;
    for (auto field : item) {
      od::raw_json_string key;
      if (auto e = field.key().get(key)) return e;
      if (key != member) continue;
      od::value fv;
      if (auto e = field.value().get(fv)) return e;
      od::json_type t;
      if (auto e = fv.type().get(t)) return e;
      const od::json_type want = member == "embedding" ? od::json_type::array : od::json_type::number;
      if (t != want) return simdjson::INCORRECT_TYPE;
      found = true;
    }
    if (!found) return simdjson::NO_SUCH_FIELD;
    ++count;
  }
  return simdjson::SUCCESS;
}

constexpr std::size_t kInitialCapacity = 16 * 1024;

// A JSON string's body (between its quotes) that cannot change the structure
// around it or make the document invalid: no quote, no control byte, only
// JSON's escapes, valid UTF-8.
bool valid_string_body(std::string_view s) noexcept {
  bool high = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c < 0x20) return false;
    if (c >= 0x80) high = true;
    if (c != '\\') continue;
    if (++i == s.size()) return false;
    switch (s[i]) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': break;
      case 'u':
        if (s.size() - i <= 4) return false;
        for (int k = 1; k <= 4; ++k) {
          if (std::isxdigit(static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)])) == 0) return false;
        }
        i += 4;
        break;
      default: return false;
    }
  }
  return !high || simdjson::validate_utf8(s.data(), s.size());
}

bool match_template(EventTemplate& tpl, std::string_view json, EventInfo& out) noexcept {
  const std::size_t fixed = tpl.prefix.size() + tpl.suffix.size();
  if (json.size() < fixed) return false;
  if (std::memcmp(json.data(), tpl.prefix.data(), tpl.prefix.size()) != 0) return false;
  if (std::memcmp(json.data() + json.size() - tpl.suffix.size(), tpl.suffix.data(), tpl.suffix.size()) != 0) return false;
  const std::string_view body = json.substr(tpl.prefix.size(), json.size() - fixed);
  if (!valid_string_body(body)) return false;
  out = tpl.info;
  // The template's one string was either reasoning or output: an empty one
  // (llama-server's `content:""`) is no token of either kind.
  const std::uint32_t piece = body.empty() ? 0 : 1;
  out.content_pieces = piece;
  out.reasoning_pieces = tpl.info.reasoning_pieces * piece;
  out.output_pieces = tpl.info.output_pieces * piece;
  if (piece != 0 && tpl.info.output_pieces != 0) out.output_raw = body;
  return true;
}

// After a full decode of `json` (parsed in `data`, a copy or json itself).
// One top-level field of an event: every key but "error" (whose message the
// decoder keeps). Unknown keys are skipped.
error_code read_field(od::raw_json_string key, od::value v, EventInfo& out, ContentSpot& spot) noexcept {
  if (key == "choices") return read_choices(v, out, spot);
  if (key == "content") {  // native
    if (nonempty_string(v, &spot)) {
      Pieces{.reasoning = false, .output = true}.add_to(out);
      spot.output_at(spot.raw);
    }
  } else if (key == "stop") {  // native: bool; OpenAI request echo never appears here
    bool b = false;
    if (v.get_bool().get(b) == simdjson::SUCCESS && b) out.native_stop = true;
  } else if (key == "usage") {
    return read_usage(v, out);
  } else if (key == "timings") {
    return read_timings(v, out.timings);
  } else if (key == "tokens_predicted" || key == "tokens_evaluated") {
    std::uint64_t n = 0;
    if (const error_code e = v.get_uint64().get(n)) return e;
    (key == "tokens_predicted" ? out.tokens_predicted : out.tokens_evaluated) = clamp_u32(n);
    out.has_native_counts = true;
  } else if (key == "stop_type") {  // native
    if (const FinishReason f = finish_of(v); f != FinishReason::unknown) out.finish = f;
  } else if (key == "truncated") {  // native
    bool b = false;
    if (v.get_bool().get(b) == simdjson::SUCCESS) out.truncated = b;
  } else if (key == "model") {
    std::string_view m;
    if (v.get_string().get(m) == simdjson::SUCCESS) out.model = m;
  } else if (key == "data") {  // embeddings
    return count_items(v, "embedding", out.embeddings);
  } else if (key == "results") {  // rerank
    return count_items(v, "relevance_score", out.scores);
  } else if (key == "stamp_ns") {
    std::int64_t n = 0;
    if (v.get_int64().get(n) == simdjson::SUCCESS && n >= 0) out.stamp_ns = n;
  }
  return simdjson::SUCCESS;
}

// The body of the JSON string that starts at `raw` (just after its opening
// quote), escapes kept, within [data, data + size); empty when it does not
// close there.
std::string_view string_body_at(const char* raw, const char* data, std::size_t size) noexcept {
  if (raw <= data || raw >= data + size) return {};
  const auto start = static_cast<std::size_t>(raw - data);
  std::size_t end = start;
  while (end < size && data[end] != '"') end += data[end] == '\\' ? 2 : 1;
  if (end >= size) return {};
  return {raw, end - start};
}

void refresh_template(EventTemplate& tpl, std::string_view json, const char* data, const ContentSpot& spot,
                      const EventInfo& info) noexcept {
  // Anything else (a role event, the stop event) keeps the last template.
  if (spot.count != 1 || info.content_pieces != 1 || info.is_error) return;
  // The content string is non-empty (ContentSpot keeps no other): an empty
  // body is one that does not close inside the event.
  const std::string_view body = string_body_at(spot.raw, data, json.size());
  if (body.empty()) return;
  const auto start = static_cast<std::size_t>(spot.raw - data);
  const std::size_t end = start + body.size();
  tpl.valid = false;
  try {  // assign() only allocates while the buffers grow
    tpl.prefix.assign(json.substr(0, start));
    tpl.suffix.assign(json.substr(end));
  } catch (...) {
    return;
  }
  tpl.info = info;
  tpl.info.model = {};  // points into this parse's buffer
  tpl.info.output_raw = {};
  tpl.valid = true;
}
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

// The event's bytes with the padding simdjson may read past them: in place
// when the buffer has it, else (rare: bytes handed in without slack, as
// tests and tiny bodies do) a padded copy in scratch_.
const char* EventDecoder::padded(std::string_view json, std::size_t readable_after, std::size_t& capacity) {
  if (readable_after >= util::kJsonPaddingBytes) {
    capacity = json.size() + readable_after;
    return json.data();
  }
  scratch_.assign(json.data(), json.size());
  scratch_.resize(json.size() + util::kJsonPaddingBytes, ' ');
  capacity = scratch_.size();
  return scratch_.data();
}

DecodeStatus EventDecoder::decode(std::string_view json, std::size_t readable_after, EventInfo& out,
                                  EventTemplate* tpl) noexcept {
  out.clear();
  error_ = {};
  const std::string_view body = trim(json);
  if (body == "[DONE]") {
    out.done_marker = true;
    return DecodeStatus::ok;
  }
  if (tpl != nullptr && tpl->valid && match_template(*tpl, json, out)) {
    ++tpl->hits;
    tpl->misses = 0;
    return DecodeStatus::ok;
  }
  std::size_t capacity = 0;
  const char* data = padded(json, readable_after, capacity);
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
  ContentSpot spot;
  for (auto field : root) {
    od::raw_json_string key;
    if ((err = field.key().get(key))) break;
    od::value v;
    if ((err = field.value().get(v))) break;
    err = key == "error" ? read_error(v, out) : read_field(key, v, out, spot);
    if (err) break;
  }
  if (err) {
    error_ = simdjson::error_message(err);
    return DecodeStatus::invalid_json;
  }
  if (spot.outputs == 1) out.output_raw = string_body_at(spot.output_raw, data, json.size());
  if (tpl != nullptr) {
    // A stream whose events keep changing outside the text (a per-event
    // stamp) stops paying for a template that never matches.
    if (tpl->misses < 4 || tpl->misses % 64 == 0) refresh_template(*tpl, json, data, spot, out);
    ++tpl->misses;
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
