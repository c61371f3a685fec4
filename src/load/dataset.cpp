#include "llmbench/load/dataset.hpp"

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace llmbench {

namespace {

namespace dom = simdjson::dom;

// Content parts ([{"type": "text", "text": ...}, {"type": "image_url", ...}]):
// their text, joined, for the flavours that send one prompt.
bool read_parts(dom::array parts, std::string& text, std::string& why) {
  for (dom::element part : parts) {
    std::string_view type, t;
    if (part["type"].get_string().get(type)) {
      why = "each content part needs a string 'type'";
      return false;
    }
    if (part["text"].get_string().get(t)) continue;
    if (!text.empty()) text += '\n';
    text.append(t);
  }
  return true;
}

// One message: a role and a string content, sent as built; anything more
// (content parts, an assistant's tool_calls without content, a tool result's
// tool_call_id) is kept whole as its JSON and sent unchanged.
bool read_message(dom::element m, protocol::ChatMessage& out, std::string& why) {
  std::string_view role, text;
  if (m["role"].get_string().get(role)) {
    why = "each message needs a string 'role'";
    return false;
  }
  out.role = std::string(role);
  dom::element content;
  dom::array parts, calls;
  const bool has_content = !m["content"].get(content) && !content.is_null();
  bool string_content = false;
  if (has_content && !content.get_string().get(text)) {
    out.content = std::string(text);
    string_content = true;
  } else if (has_content && !content.get_array().get(parts)) {
    if (!read_parts(parts, out.content, why)) return false;
  } else if (has_content || m["tool_calls"].get_array().get(calls)) {
    why = "each message needs a string 'content', an array of content parts, or 'tool_calls'";
    return false;
  }
  dom::object fields;
  const bool plain = string_content && !m.get_object().get(fields) && fields.size() == 2;
  if (!plain) out.raw_json = simdjson::minify(m);
  return true;
}

bool read_messages(dom::array arr, std::vector<protocol::ChatMessage>& out, std::string& why) {
  for (dom::element m : arr) {
    protocol::ChatMessage msg;
    if (!read_message(m, msg, why)) return false;
    out.push_back(std::move(msg));
  }
  if (out.empty()) why = "'messages' is empty";
  return !out.empty();
}

// A row's "tools" (an array) and "tool_choice" (a string or an object), kept
// as JSON for the request.
bool read_tools(dom::element rec, DatasetEntry& e, std::string& why) {
  dom::element tools, choice;
  if (!rec["tools"].get(tools)) {
    if (!tools.is_array()) {
      why = "\"tools\" must be an array";
      return false;
    }
    e.tools_json = simdjson::minify(tools);
  }
  if (!rec["tool_choice"].get(choice)) {
    if (!choice.is_string() && !choice.is_object()) {
      why = "\"tool_choice\" must be a string or an object";
      return false;
    }
    e.tool_choice_json = simdjson::minify(choice);
  }
  return true;
}

// One JSON Lines record.
bool parse_record(dom::element rec, DatasetEntry& e, std::string& why) {
  if (!rec.is_object()) {
    why = "expected a JSON object with \"prompt\" or \"messages\"";
    return false;
  }
  std::string_view prompt;
  dom::array messages;
  if (!rec["prompt"].get_string().get(prompt)) {
    e.prompt = std::string(prompt);
    if (e.prompt.empty()) {
      why = "\"prompt\" is empty";
      return false;
    }
  } else if (!rec["messages"].get_array().get(messages)) {
    if (!read_messages(messages, e.messages, why)) return false;
  } else {
    why = "expected a string \"prompt\" or an array \"messages\"";
    return false;
  }
  dom::element mt;
  if (!rec["max_tokens"].get(mt)) {
    int64_t n = 0;
    if (mt.get_int64().get(n) || n < 1 || n > 1'000'000) {
      why = "\"max_tokens\" must be an integer from 1 to 1000000";
      return false;
    }
    e.max_tokens = static_cast<int>(n);
  }
  return read_tools(rec, e, why);
}

bool load_jsonl(const std::string& path, const std::string& text, const DatasetLimits& limits,
                std::vector<DatasetEntry>& out, std::string& error) {
  dom::parser parser;
  std::istringstream in(text);
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line) && out.size() < limits.max_entries) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    dom::element rec;
    if (auto err = parser.parse(line).get(rec)) {
      error = path + ":" + std::to_string(line_no) + ": not valid JSON (" + simdjson::error_message(err) + ")";
      return false;
    }
    DatasetEntry e;
    std::string why;
    if (!parse_record(rec, e, why)) {
      error = path + ":" + std::to_string(line_no) + ": " + why;
      return false;
    }
    out.push_back(std::move(e));
  }
  return true;
}

bool load_sharegpt(const std::string& path, const std::string& text, const DatasetLimits& limits,
                   std::vector<DatasetEntry>& out, std::string& error) {
  dom::parser parser;
  dom::element root;
  if (auto err = parser.parse(text).get(root)) {
    error = path + ": not valid JSON (" + simdjson::error_message(err) + ")";
    return false;
  }
  dom::array convs;
  if (root.get_array().get(convs)) {
    error = path + ": expected a JSON array of ShareGPT conversations";
    return false;
  }
  std::size_t index = 0;
  for (dom::element c : convs) {
    if (out.size() >= limits.max_entries) break;
    dom::array turns;
    if (c["conversations"].get_array().get(turns)) {
      error = path + ": conversation " + std::to_string(index) + ": expected an array \"conversations\"";
      return false;
    }
    ++index;
    // The first human turn is the prompt; the reply after it sets the
    // expected output length. Conversations without both are skipped, as
    // other benchmarks do.
    // The later human turns are kept for sessions (--turns).
    DatasetEntry e;
    bool have_prompt = false;
    for (dom::element t : turns) {
      std::string_view from, value;
      if (t["from"].get_string().get(from) || t["value"].get_string().get(value)) continue;
      if (!have_prompt && from == "human" && !value.empty()) {
        e.prompt = std::string(value);
        have_prompt = true;
      } else if (have_prompt && from == "gpt" && e.reference_output_chars == 0) {
        e.reference_output_chars = static_cast<std::uint32_t>(value.size());
      } else if (e.reference_output_chars > 0 && from == "human" && !value.empty()) {
        e.later_turns.emplace_back(value);
      }
    }
    if (have_prompt && e.reference_output_chars > 0) out.push_back(std::move(e));
  }
  return true;
}

}  // namespace

Expected<std::vector<DatasetEntry>> load_dataset(const std::string& path, const DatasetLimits& limits) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Unexpected(path + ": cannot read dataset (" + ec.message() + ")");
  if (size > limits.max_file_bytes) {
    return Unexpected(path + ": dataset is " + std::to_string(size >> 20) + " MiB, more than the " +
                      std::to_string(limits.max_file_bytes >> 20) + " MiB limit");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return Unexpected(path + ": dataset is empty");
  std::vector<DatasetEntry> out;
  std::string error;
  const bool ok = text[first] == '[' ? load_sharegpt(path, text, limits, out, error)
                                     : load_jsonl(path, text, limits, out, error);
  if (!ok) return Unexpected(error);
  if (out.empty()) {
    return Unexpected(path +
                      ": no usable prompts (JSON Lines needs \"prompt\" or \"messages\"; ShareGPT a human turn and a reply)");
  }
  return out;
}

}  // namespace llmbench
