#include "llmbench/protocol/api.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "llmbench/util/json_escape.hpp"

namespace llmbench::protocol {

using util::append_json_string;

std::string_view to_string(ApiFlavor f) noexcept {
  switch (f) {
    case ApiFlavor::chat: return "chat";
    case ApiFlavor::completions: return "completions";
    case ApiFlavor::native: return "native";
    case ApiFlavor::embeddings: return "embeddings";
    case ApiFlavor::rerank: return "rerank";
  }
  return "chat";
}

std::optional<ApiFlavor> parse_flavor(std::string_view name) noexcept {
  if (name == "chat") return ApiFlavor::chat;
  if (name == "completions") return ApiFlavor::completions;
  if (name == "native") return ApiFlavor::native;
  if (name == "embeddings") return ApiFlavor::embeddings;
  if (name == "rerank") return ApiFlavor::rerank;
  return std::nullopt;
}

std::string_view default_path(ApiFlavor f) noexcept {
  switch (f) {
    case ApiFlavor::chat: return "/v1/chat/completions";
    case ApiFlavor::completions: return "/v1/completions";
    case ApiFlavor::native: return "/completion";
    case ApiFlavor::embeddings: return "/v1/embeddings";
    case ApiFlavor::rerank: return "/v1/rerank";
  }
  return "/v1/chat/completions";
}


namespace {

void append_number(std::string& out, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  out += buf;
}

std::string joined_prompt(const GenerationRequest& req) {
  if (!req.prompt.empty() || req.messages.empty()) return req.prompt;
  std::string p;
  for (const auto& m : req.messages) {
    if (!p.empty()) p += "\n\n";
    p += m.content;
  }
  return p;
}

std::vector<std::string_view> words_of(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) != 0) ++i;
    const std::size_t start = i;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) == 0) ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

// The body of an endpoint that generates nothing: only what it reads.
std::string build_retrieval_body(const GenerationRequest& req) {
  std::string b = "{";
  if (!req.model.empty()) {
    b += "\"model\":";
    append_json_string(b, req.model);
    b += ',';
  }
  const std::string prompt = joined_prompt(req);
  if (req.flavor == ApiFlavor::embeddings) {
    b += "\"input\":";
    append_json_string(b, prompt);
  } else {
    const RerankParts parts = rerank_parts(prompt);
    b += "\"query\":";
    append_json_string(b, parts.query);
    b += ",\"documents\":[";
    for (std::size_t i = 0; i < parts.documents.size(); ++i) {
      if (i) b += ',';
      append_json_string(b, parts.documents[i]);
    }
    b += ']';
  }
  b += '}';
  return b;
}

}  // namespace

RerankParts rerank_parts(std::string_view prompt) {
  RerankParts out;
  const std::vector<std::string_view> words = words_of(prompt);
  for (std::size_t i = 0; i < words.size() && i < kRerankQueryWords; ++i) {
    if (i) out.query += ' ';
    out.query.append(words[i]);
  }
  const std::size_t n = std::min(kRerankDocuments, words.size());
  for (std::size_t d = 0; d < n; ++d) {
    std::string doc;
    for (std::size_t i = d * words.size() / n; i < (d + 1) * words.size() / n; ++i) {
      if (!doc.empty()) doc += ' ';
      doc.append(words[i]);
    }
    out.documents.push_back(std::move(doc));
  }
  if (out.documents.empty()) out.documents.emplace_back(prompt);  // no words: the prompt as it is
  return out;
}

namespace {

// Chat's messages, then the tools they may call. A message a dataset gave
// with content parts or tool calls goes out as it came (raw_json).
void append_messages(std::string& b, const GenerationRequest& req) {
  b += "\"messages\":[";
  if (req.messages.empty()) {
    b += "{\"role\":\"user\",\"content\":";
    append_json_string(b, req.prompt);
    b += '}';
  }
  for (std::size_t i = 0; i < req.messages.size(); ++i) {
    const ChatMessage& m = req.messages[i];
    if (i) b += ',';
    if (!m.raw_json.empty()) {
      b += m.raw_json;
      continue;
    }
    b += "{\"role\":";
    append_json_string(b, m.role);
    b += ",\"content\":";
    append_json_string(b, m.content);
    b += '}';
  }
  b += ']';
  if (!req.tools_json.empty()) {
    b += ",\"tools\":";
    b += req.tools_json;
  }
  if (!req.tool_choice_json.empty()) {
    b += ",\"tool_choice\":";
    b += req.tool_choice_json;
  }
}

}  // namespace

std::string build_body(const GenerationRequest& req) {
  if (!generates(req.flavor)) return build_retrieval_body(req);
  std::string b;
  b.reserve(256 + req.prompt.size());
  b += '{';
  if (!req.model.empty() && (req.flavor != ApiFlavor::native || req.model_in_native)) {
    b += "\"model\":";
    append_json_string(b, req.model);
    b += ',';
  }
  if (req.flavor == ApiFlavor::chat) {
    append_messages(b, req);
  } else {
    b += "\"prompt\":";
    append_json_string(b, joined_prompt(req));
  }
  if (req.max_tokens > 0) {
    b += req.flavor == ApiFlavor::native ? ",\"n_predict\":" : ",\"max_tokens\":";
    b += std::to_string(req.max_tokens);
  }
  if (req.temperature) {
    b += ",\"temperature\":";
    append_number(b, *req.temperature);
  }
  if (req.seed) {
    b += ",\"seed\":";
    b += std::to_string(*req.seed);
  }
  if (req.ignore_eos) b += ",\"ignore_eos\":true";
  if (req.cache_prompt) b += *req.cache_prompt ? ",\"cache_prompt\":true" : ",\"cache_prompt\":false";
  b += req.stream ? ",\"stream\":true" : ",\"stream\":false";
  if (req.stream && req.flavor != ApiFlavor::native) {
    b += req.continuous_usage ? ",\"stream_options\":{\"include_usage\":true,\"continuous_usage_stats\":true}"
                              : ",\"stream_options\":{\"include_usage\":true}";
  }
  b += '}';
  return b;
}

}  // namespace llmbench::protocol
