// The client's side of the endpoints that generate nothing: an embeddings or
// rerank response (one JSON body) through the whole per-read path, fed whole
// and split at every byte offset, with its failures classified by kind.
#include <gtest/gtest.h>

#include <string>

#include "llmbench/load/response_consumer.hpp"
#include "llmbench/stats/request_figures.hpp"
#include "test_support.hpp"

namespace llmbench {
namespace {

using protocol::ApiFlavor;

std::string http_json(std::string_view body, int status = 200) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Bad Request") +
                    "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\nKeep-Alive: timeout=5, max=100\r\n\r\n";
  out.append(body);
  return out;
}

// The response cut at `cut` (0: whole), each piece its own read at t = 1, 2.
RequestRecord consume(std::string_view bytes, ApiFlavor flavor, std::size_t cut = 0) {
  protocol::EventDecoder decoder;
  ResponseConsumer consumer(decoder, 1u << 20);
  RequestRecord rec;
  rec.sent_ns = 0;
  consumer.start(rec, false, flavor);
  std::int64_t t = 0;
  for (const std::string_view piece : {bytes.substr(0, cut), bytes.substr(cut)}) {
    if (piece.empty()) continue;
    test::ExactBuffer buf(piece);
    ReadTokens tokens;
    if (consumer.on_read(buf.view(), ++t, tokens) == ConsumeState::done) break;
  }
  if (!consumer.done()) consumer.on_eof(t + 1);
  return rec;
}

// llama-server's shapes (OpenAI embeddings, Jina/Cohere rerank).
constexpr std::string_view kEmbeddings =
    R"({"model":"nomic-embed","object":"list","usage":{"prompt_tokens":17,"total_tokens":17},"data":[)"
    R"({"embedding":[0.125,-0.5,0.25],"index":0,"object":"embedding"},)"
    R"({"embedding":[1e-3,2.5E-1,-0.75],"index":1,"object":"embedding"}]})";
constexpr std::string_view kRerank =
    R"({"model":"bge-reranker","object":"list","usage":{"prompt_tokens":42,"total_tokens":42},"results":[)"
    R"({"index":2,"relevance_score":3.25},{"index":0,"relevance_score":-1.5},{"index":1,"relevance_score":-7}]})";

void expect_no_token_figures(const RequestRecord& r) {
  EXPECT_FALSE(stats::ttft_ns(r).has_value());
  EXPECT_FALSE(stats::tpot_ns(r).has_value());
  EXPECT_FALSE(stats::tokens_per_second(r).has_value());
  EXPECT_EQ(r.completion_tokens, 0u);
  ASSERT_TRUE(stats::e2e_ns(r).has_value());
}

TEST(RetrievalResponse, EmbeddingsAtEverySplit) {
  const std::string bytes = http_json(kEmbeddings);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    SCOPED_TRACE(cut);
    const RequestRecord r = consume(bytes, ApiFlavor::embeddings, cut);
    ASSERT_EQ(r.error, ErrorKind::none) << r.message();
    EXPECT_EQ(r.http_status, 200);
    EXPECT_EQ(r.prompt_tokens, 17u);
    EXPECT_EQ(r.content_events, 2u);  // the vectors
    EXPECT_EQ(r.end_ns, cut == 0 ? 1 : 2);
    expect_no_token_figures(r);
  }
}

TEST(RetrievalResponse, RerankAtEverySplit) {
  const std::string bytes = http_json(kRerank);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    SCOPED_TRACE(cut);
    const RequestRecord r = consume(bytes, ApiFlavor::rerank, cut);
    ASSERT_EQ(r.error, ErrorKind::none) << r.message();
    EXPECT_EQ(r.prompt_tokens, 42u);
    EXPECT_EQ(r.content_events, 3u);  // the scores
    expect_no_token_figures(r);
  }
}

TEST(RetrievalResponse, FailuresByKind) {
  struct Case {
    const char* body;
    ApiFlavor flavor;
    int status;
    ErrorKind kind;
    const char* message;
  };
  const Case cases[] = {
      // The other endpoint's answer, or a completion: no array this endpoint needs.
      {kRerank.data(), ApiFlavor::embeddings, 200, ErrorKind::protocol, R"(without a "data" array)"},
      {kEmbeddings.data(), ApiFlavor::rerank, 200, ErrorKind::protocol, R"(without a "results" array)"},
      {R"({"choices":[{"text":"x"}]})", ApiFlavor::embeddings, 200, ErrorKind::protocol, "data"},
      {R"({"data":[{"index":0}]})", ApiFlavor::embeddings, 200, ErrorKind::protocol, "malformed response JSON"},
      {R"({"data":[{"embedding":"x"}]})", ApiFlavor::embeddings, 200, ErrorKind::protocol, "malformed"},
      {R"({"results":[{"index":0,"relevance_score":"high"}]})", ApiFlavor::rerank, 200, ErrorKind::protocol, "malformed"},
      {R"({"data":7})", ApiFlavor::embeddings, 200, ErrorKind::protocol, "malformed"},
      {R"({"data":[)", ApiFlavor::embeddings, 200, ErrorKind::protocol, "malformed"},
      {R"({"data":[]})", ApiFlavor::embeddings, 200, ErrorKind::empty, "no embeddings"},
      {R"({"results":[]})", ApiFlavor::rerank, 200, ErrorKind::empty, "no rerank results"},
      {R"({"error":{"code":400,"message":"\"query\" must be provided","type":"invalid_request_error"}})",
       ApiFlavor::rerank, 400, ErrorKind::http_4xx, R"(HTTP 400: "query" must be provided)"},
      {R"({"error":{"code":501,"message":"This server does not support embeddings.","type":"not_supported_error"}})",
       ApiFlavor::embeddings, 501, ErrorKind::http_5xx, "does not support embeddings"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    const RequestRecord r = consume(http_json(c.body, c.status), c.flavor);
    EXPECT_EQ(r.error, c.kind) << to_string(r.error) << ": " << r.message();
    EXPECT_NE(r.message().find(c.message), std::string_view::npos) << r.message();
  }
}

// The same bytes as a chat reply: the flavour decides, so a generating
// endpoint is unchanged by the new keys.
TEST(RetrievalResponse, ChatFlavourStillCountsContent) {
  const RequestRecord r = consume(
      http_json(R"({"choices":[{"message":{"content":"hi"},"finish_reason":"stop"}],"usage":{"completion_tokens":1,"prompt_tokens":3}})"),
      ApiFlavor::chat);
  ASSERT_EQ(r.error, ErrorKind::none) << r.message();
  EXPECT_EQ(r.completion_tokens, 1u);
  EXPECT_EQ(r.prompt_tokens, 3u);
}

}  // namespace
}  // namespace llmbench
