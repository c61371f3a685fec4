#include "llmbench/protocol/control_plane.hpp"

#include <simdjson.h>

#include "llmbench/protocol/api.hpp"
#include "llmbench/util/json_escape.hpp"

namespace llmbench::protocol {

namespace {
// The DOM parser copies its input into padded memory of its own.
simdjson::simdjson_result<simdjson::dom::element> parse(simdjson::dom::parser& p, std::string_view body) {
  return p.parse(body.data(), body.size());
}
}  // namespace

std::optional<std::string> first_model_id(std::string_view models_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parse(parser, models_json).get(root)) return std::nullopt;
  simdjson::dom::array list;
  if (!root["data"].get(list)) {
    for (simdjson::dom::element m : list) {
      std::string_view id;
      if (!m["id"].get(id) && !id.empty()) return std::string(id);
    }
  }
  if (!root["models"].get(list)) {  // Ollama, and llama-server's extra list
    for (simdjson::dom::element m : list) {
      std::string_view id;
      if ((!m["name"].get(id) || !m["model"].get(id)) && !id.empty()) return std::string(id);
    }
  }
  return std::nullopt;
}

std::optional<std::string> props_json(std::string_view props_body) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parse(parser, props_body).get(e) || !e.is_object()) return std::nullopt;
  return simdjson::minify(e);
}

std::optional<std::string> error_message(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parse(parser, body).get(root)) return std::nullopt;
  std::string_view msg;
  if (!root["error"]["message"].get(msg) || !root["error"].get(msg)) return std::string(msg);
  return std::nullopt;
}

std::string tokenize_body(std::string_view text, bool add_special) {
  std::string body = "{\"content\":";
  util::append_json_string(body, text);
  if (add_special) body += ",\"add_special\":true,\"parse_special\":true";
  body += "}";
  return body;
}

std::string apply_template_body(std::string_view user_text) {
  std::string body = "{\"messages\":[{\"role\":\"user\",\"content\":";
  util::append_json_string(body, user_text);
  body += "}]}";
  return body;
}

std::optional<std::string> applied_prompt(std::string_view apply_template_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view prompt;
  if (parse(parser, apply_template_json).get(root) || root["prompt"].get(prompt)) return std::nullopt;
  return std::string(prompt);
}

std::optional<std::uint32_t> token_count(std::string_view tokenize_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array tokens;
  if (parse(parser, tokenize_json).get(root) || root["tokens"].get(tokens)) return std::nullopt;
  return static_cast<std::uint32_t>(tokens.size());
}

}  // namespace llmbench::protocol
