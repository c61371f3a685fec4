#include "llmbench/mock/completion_request.hpp"

#include <simdjson.h>

#include <algorithm>
#include <limits>

#include "llmbench/mock/text.hpp"
#include "request_json.hpp"

namespace llmbench::mock {

namespace {
using simdjson::dom::element;

using detail::invalid;
using detail::thread_parser;

constexpr std::int64_t kUnsetSeed = 4294967295;  // LLAMA_DEFAULT_SEED

std::optional<std::int64_t> int_field(element obj, std::string_view key) {
  element v;
  if (obj[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  std::int64_t i = 0;
  if (v.get_int64().get(i) == simdjson::SUCCESS) return i;
  double d = 0;
  if (v.get_double().get(d) == simdjson::SUCCESS && d >= -1e15 && d <= 1e15) return static_cast<std::int64_t>(d);
  return std::nullopt;
}

bool bool_field(element obj, std::string_view key, bool fallback) {
  bool b = fallback;
  element v;
  if (obj[key].get(v) == simdjson::SUCCESS && v.get_bool().get(b) == simdjson::SUCCESS) return b;
  return fallback;
}

// A message's content: a string, or the text parts of an array.
void content_ids(element content, std::vector<std::int32_t>& ids) {
  std::string_view s;
  if (content.get_string().get(s) == simdjson::SUCCESS) return append_token_ids(s, ids);
  simdjson::dom::array parts;
  if (content.get_array().get(parts) != simdjson::SUCCESS) return;
  for (element part : parts) {
    std::string_view text;
    if (part["text"].get_string().get(text) == simdjson::SUCCESS) append_token_ids(text, ids);
  }
}

// ChatML as token ids: BOS, then "<|im_start|>role\n content <|im_end|>\n" per
// message (kChatTokensPerMessage template tokens each), then the primer
// "<|im_start|>assistant\n" (kChatPrimerTokens). A reply the server sent,
// passed back as an assistant message, lines up with the ids the slot kept
// after generating it, so a conversation's next turn hits the cache.
std::optional<RequestError> read_messages(element root, CompletionRequest& req) {
  element messages;
  if (root["messages"].get(messages) != simdjson::SUCCESS) return invalid("'messages' is required");
  simdjson::dom::array list;
  if (messages.get_array().get(list) != simdjson::SUCCESS) return invalid("Expected 'messages' to be an array");
  const std::int32_t newline = token_id(false, "\n");
  std::vector<std::int32_t>& ids = req.prompt_ids;
  ids.push_back(kBosId);
  for (element m : list) {
    ids.push_back(kImStartId);
    std::string_view role;  // one token, as a role is in real vocabularies
    if (m["role"].get_string().get(role) == simdjson::SUCCESS) ids.push_back(token_id(true, role));
    ids.push_back(newline);
    element content;
    if (m["content"].get(content) == simdjson::SUCCESS) content_ids(content, ids);
    ids.push_back(kImEndId);
    ids.push_back(newline);
  }
  ids.push_back(kImStartId);
  ids.push_back(token_id(true, "assistant"));  // the same id as an assistant message's role
  ids.push_back(newline);
  req.prompt_tokens = static_cast<int>(ids.size());
  return std::nullopt;
}

// A prompt is a string, or an array of strings and token ids (joined).
std::optional<RequestError> read_prompt(element root, CompletionRequest& req) {
  element prompt;
  if (root["prompt"].get(prompt) != simdjson::SUCCESS) return invalid("\"prompt\" is required");
  std::vector<std::int32_t>& ids = req.prompt_ids;
  ids.push_back(kBosId);
  std::string_view s;
  if (prompt.get_string().get(s) == simdjson::SUCCESS) {
    req.prompt.assign(s);
    append_token_ids(s, ids);
    req.prompt_tokens = static_cast<int>(ids.size());
    return std::nullopt;
  }
  simdjson::dom::array parts;
  if (prompt.get_array().get(parts) != simdjson::SUCCESS) return invalid("\"prompt\" must be a string or an array");
  for (element p : parts) {
    std::int64_t id = 0;
    if (p.get_string().get(s) == simdjson::SUCCESS) {
      req.prompt.append(s);
      append_token_ids(s, ids);
    } else {
      ids.push_back(p.get_int64().get(id) == simdjson::SUCCESS ? static_cast<std::int32_t>(id) : 0);
    }
  }
  req.prompt_tokens = static_cast<int>(ids.size());
  return std::nullopt;
}

void read_options(element root, CompletionRequest& req) {
  req.stream = bool_field(root, "stream", false);
  element opts;
  if (root["stream_options"].get(opts) == simdjson::SUCCESS) {
    req.include_usage = bool_field(opts, "include_usage", false);
    req.continuous_usage = bool_field(opts, "continuous_usage_stats", false);
  }
  // llama-server: n_predict, falling back to max_tokens; the OpenAI layer maps
  // max_completion_tokens the same way.
  for (std::string_view key : {"n_predict", "max_tokens", "max_completion_tokens"}) {
    if (const auto v = int_field(root, key)) {
      req.max_tokens = static_cast<int>(std::clamp<std::int64_t>(*v, -1, std::numeric_limits<int>::max()));
      break;
    }
  }
  if (const auto seed = int_field(root, "seed"); seed && *seed >= 0 && *seed != kUnsetSeed) req.seed = *seed;
  double t = 0;
  element temp;
  if (root["temperature"].get(temp) == simdjson::SUCCESS && temp.get_double().get(t) == simdjson::SUCCESS) {
    req.temperature = static_cast<double>(static_cast<float>(t));  // llama-server keeps a float
  }
  req.ignore_eos = bool_field(root, "ignore_eos", false);
  req.cache_prompt = bool_field(root, "cache_prompt", true);
  std::string_view model;
  if (root["model"].get_string().get(model) == simdjson::SUCCESS) req.model.assign(model);
  simdjson::dom::array tools;
  if (root["tools"].get_array().get(tools) == simdjson::SUCCESS && tools.size() > 0) {
    req.has_tools = true;
    std::string_view name;
    if (tools.at(0)["function"]["name"].get_string().get(name) == simdjson::SUCCESS) req.tool_name.assign(name);
  }
}
}  // namespace

ParsedCompletion parse_completion(Api api, std::string_view body) {
  ParsedCompletion out;
  out.request.api = api;
  element root;
  if (thread_parser().parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    out.error = RequestError{500, json_parse_error_message(body), "server_error"};
    return out;
  }
  if (root.type() != simdjson::dom::element_type::OBJECT) {
    out.error = invalid("the request body must be a JSON object");
    return out;
  }
  out.error = api == Api::chat ? read_messages(root, out.request) : read_prompt(root, out.request);
  if (!out.error) read_options(root, out.request);
  return out;
}

TokenizeRequest parse_tokenize(std::string_view body) {
  TokenizeRequest out;
  element root;
  if (thread_parser().parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    out.error = RequestError{500, json_parse_error_message(body), "server_error"};
    return out;
  }
  std::string_view content;
  if (root["content"].get_string().get(content) == simdjson::SUCCESS) out.content.assign(content);
  out.with_pieces = bool_field(root, "with_pieces", false);
  out.add_special = bool_field(root, "add_special", false);
  out.parse_special = bool_field(root, "parse_special", true);
  return out;
}

ApplyTemplateRequest parse_apply_template(std::string_view body) {
  ApplyTemplateRequest out;
  element root;
  if (thread_parser().parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    out.error = RequestError{500, json_parse_error_message(body), "server_error"};
    return out;
  }
  simdjson::dom::array list;
  if (root["messages"].get_array().get(list) != simdjson::SUCCESS) {
    out.error = invalid("'messages' is required and must be an array");
    return out;
  }
  for (element m : list) {
    std::string_view role;
    if (m["role"].get_string().get(role) != simdjson::SUCCESS) role = "user";
    out.prompt += "<|im_start|>";
    out.prompt += role;
    out.prompt += '\n';
    std::string_view s;
    simdjson::dom::array parts;
    if (m["content"].get_string().get(s) == simdjson::SUCCESS) {
      out.prompt += s;
    } else if (m["content"].get_array().get(parts) == simdjson::SUCCESS) {
      for (element part : parts) {
        if (part["text"].get_string().get(s) == simdjson::SUCCESS) out.prompt += s;
      }
    }
    out.prompt += "<|im_end|>\n";
  }
  out.prompt += "<|im_start|>assistant\n";
  return out;
}

}  // namespace llmbench::mock
