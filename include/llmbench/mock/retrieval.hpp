#pragma once
// The endpoints of the built-in server that generate nothing: POST
// /v1/embeddings (OpenAI's shape, as llama-server --embeddings answers it) and
// POST /v1/rerank (llama-server --reranking, Jina/Cohere's shape). Parsing a
// body into what the model would read, and writing the answer, are pure
// functions here; Session::serve_retrieval adds the slot and the time.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/mock/completion_request.hpp"

namespace llmbench::mock {

// A fixed, small vector size: the mock stands in for the server's timing
// and byte format, not for a model, and 8 floats keep bodies short.
inline constexpr int kEmbeddingDims = 8;

enum class RetrievalKind : std::uint8_t { embeddings, rerank };

struct RetrievalRequest {
  RetrievalKind kind = RetrievalKind::embeddings;
  // Embeddings: one entry per input, each input's toy-token count with BOS.
  // Rerank: one entry per document, BOS + query + SEP + document + EOS
  // (how llama-server lays out a rerank pair), so the sum is what the model
  // evaluated either way.
  std::vector<int> tokens;
  // What the vectors and scores are derived from: each input's (or
  // document's) text hash, so equal texts get equal answers.
  std::vector<std::uint64_t> text_hashes;
  int top_n = -1;  // rerank: keep the best N results; -1: all
  std::optional<RequestError> error;
  std::string model;  // the request's "model" ("" when absent): a router routes by it
  [[nodiscard]] int prompt_tokens() const noexcept;
};

RetrievalRequest parse_retrieval(RetrievalKind kind, std::string_view body);

// The 200 body for a parsed request: vectors (unit length) or scores derived
// from the text hashes and `seed`, usage.prompt_tokens the tokens' sum.
void append_retrieval_body(std::string& out, const RetrievalRequest& req, std::string_view model, std::uint64_t seed);

}  // namespace llmbench::mock
