#include "llmbench/mock/retrieval.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "llmbench/mock/text.hpp"
#include "llmbench/util/json_escape.hpp"
#include "request_json.hpp"

namespace llmbench::mock {

namespace {
using simdjson::dom::element;

// The same thread's parser as the completion readers (one per thread, not two).
using detail::invalid;
using detail::thread_parser;

// llama-server's wording for an input it cannot tokenize.
constexpr std::string_view kBadPrompt =
    "\"prompt\" must be a string, an list of tokens, a list of mixed strings & tokens, or a list of prompts";

std::uint64_t mix(std::uint64_t x) noexcept {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t hash_text(std::string_view s) noexcept {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

int count_tokens(std::string_view s) {
  std::vector<std::int32_t> ids;
  append_token_ids(s, ids);
  return static_cast<int>(ids.size());
}

// One embeddings input: a string, or a list of token ids.
bool read_input(element in, RetrievalRequest& out) {
  std::string_view s;
  if (in.get_string().get(s) == simdjson::SUCCESS) {
    out.tokens.push_back(1 + count_tokens(s));
    out.text_hashes.push_back(hash_text(s));
    return true;
  }
  simdjson::dom::array ids;
  if (in.get_array().get(ids) != simdjson::SUCCESS) return false;
  std::uint64_t h = 0;
  int n = 1;
  for (element id : ids) {
    std::int64_t v = 0;
    if (id.get_int64().get(v) != simdjson::SUCCESS) return false;
    h = mix(h ^ static_cast<std::uint64_t>(v));
    ++n;
  }
  out.tokens.push_back(n);
  out.text_hashes.push_back(h);
  return true;
}

// "input" (OpenAI) or "content" (llama-server's own): a string, a list of
// token ids, or a list of either.
std::optional<RequestError> read_embeddings(element root, RetrievalRequest& out) {
  element input;
  if (root["input"].get(input) != simdjson::SUCCESS && root["content"].get(input) != simdjson::SUCCESS) {
    return invalid("\"input\" or \"content\" must be provided");
  }
  simdjson::dom::array list;
  bool of_ids = false;
  if (input.get_array().get(list) == simdjson::SUCCESS) {
    of_ids = list.size() > 0 && list.at(0).is_int64();
  }
  if (input.is_string() || of_ids) {
    if (!read_input(input, out)) return invalid(std::string(kBadPrompt));
  } else if (input.get_array().get(list) == simdjson::SUCCESS) {
    for (element each : list) {
      if (!read_input(each, out)) return invalid(std::string(kBadPrompt));
    }
  } else {
    return invalid(std::string(kBadPrompt));
  }
  if (out.tokens.empty() || std::any_of(out.tokens.begin(), out.tokens.end(), [](int n) { return n <= 1; })) {
    return invalid("Input content cannot be empty");
  }
  return std::nullopt;
}

std::optional<RequestError> read_rerank(element root, RetrievalRequest& out) {
  std::string_view query;
  if (root["query"].get_string().get(query) != simdjson::SUCCESS) return invalid("\"query\" must be provided");
  simdjson::dom::array docs;
  if (root["documents"].get_array().get(docs) != simdjson::SUCCESS || docs.size() == 0) {
    return invalid("\"documents\" must be a non-empty string array");
  }
  const int query_tokens = count_tokens(query);
  for (element d : docs) {
    std::string_view doc;
    if (d.get_string().get(doc) != simdjson::SUCCESS) return invalid("\"documents\" must be a non-empty string array");
    out.tokens.push_back(3 + query_tokens + count_tokens(doc));  // BOS, SEP, EOS
    out.text_hashes.push_back(mix(hash_text(query)) ^ hash_text(doc));
  }
  std::int64_t top_n = -1;
  if (root["top_n"].get_int64().get(top_n) == simdjson::SUCCESS && top_n >= 0) {
    out.top_n = static_cast<int>(std::min<std::int64_t>(top_n, static_cast<std::int64_t>(docs.size())));
  }
  return std::nullopt;
}

void append_float(std::string& out, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", v);
  out += buf;
}

// A value in [-1, 1) from a hash.
double unit(std::uint64_t h) noexcept { return static_cast<double>(h >> 11) / 4503599627370496.0 - 1.0; }

void append_embeddings(std::string& out, const RetrievalRequest& req, std::uint64_t seed) {
  out += R"("data":[)";
  for (std::size_t i = 0; i < req.tokens.size(); ++i) {
    double v[kEmbeddingDims];
    double norm = 0;
    for (int d = 0; d < kEmbeddingDims; ++d) {
      v[d] = unit(mix(seed ^ mix(req.text_hashes[i] + static_cast<std::uint64_t>(d))));
      norm += v[d] * v[d];
    }
    norm = norm > 0 ? std::sqrt(norm) : 1.0;  // llama-server normalises (L2) by default
    if (i) out += ',';
    out += R"({"embedding":[)";
    for (int d = 0; d < kEmbeddingDims; ++d) {
      if (d) out += ',';
      append_float(out, v[d] / norm);
    }
    out += R"(],"index":)" + std::to_string(i) + R"(,"object":"embedding"})";
  }
  out += ']';
}

// Best first, as llama-server sorts them; top_n keeps the best N.
void append_rerank(std::string& out, const RetrievalRequest& req, std::uint64_t seed) {
  std::vector<double> score(req.tokens.size());
  for (std::size_t i = 0; i < score.size(); ++i) score[i] = 8.0 * unit(mix(seed ^ req.text_hashes[i]));
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  if (req.top_n >= 0) order.resize(static_cast<std::size_t>(req.top_n));
  out += R"("results":[)";
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k) out += ',';
    out += R"({"index":)" + std::to_string(order[k]) + R"(,"relevance_score":)";
    append_float(out, score[order[k]]);
    out += '}';
  }
  out += ']';
}
}  // namespace

int RetrievalRequest::prompt_tokens() const noexcept { return std::accumulate(tokens.begin(), tokens.end(), 0); }

RetrievalRequest parse_retrieval(RetrievalKind kind, std::string_view body) {
  RetrievalRequest out;
  out.kind = kind;
  element root;
  if (thread_parser().parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    out.error = RequestError{500, json_parse_error_message(body), "server_error"};
    return out;
  }
  if (root.type() != simdjson::dom::element_type::OBJECT) {
    out.error = invalid("the request body must be a JSON object");
    return out;
  }
  out.error = kind == RetrievalKind::embeddings ? read_embeddings(root, out) : read_rerank(root, out);
  std::string_view model;
  if (root["model"].get_string().get(model) == simdjson::SUCCESS) out.model.assign(model);
  return out;
}

void append_retrieval_body(std::string& out, const RetrievalRequest& req, std::string_view model, std::uint64_t seed) {
  out += R"({"model":)";
  util::append_json_string(out, model);
  out += R"(,"object":"list","usage":{"prompt_tokens":)";
  const std::string n = std::to_string(req.prompt_tokens());
  out += n + R"(,"total_tokens":)" + n + "},";
  if (req.kind == RetrievalKind::embeddings) {
    append_embeddings(out, req, seed);
  } else {
    append_rerank(out, req, seed);
  }
  out += '}';
}

}  // namespace llmbench::mock
