// The built-in server's embeddings and rerank endpoints: the bodies it reads
// and writes (pure functions), then the same over a live socket with
// llama-server's statuses and error bodies.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <string>

#include "llmbench/mock/retrieval.hpp"
#include "mock_test_client.hpp"

namespace llmbench::mock::test {
namespace {

simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& body) {
  simdjson::dom::element e;
  EXPECT_EQ(p.parse(body).get(e), simdjson::SUCCESS) << body;
  return e;
}

TEST(MockRetrieval, EmbeddingsOneUnitVectorPerInputAndTheirTokens) {
  const RetrievalRequest r = parse_retrieval(RetrievalKind::embeddings, R"({"model":"m","input":["one two","three"]})");
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.tokens.size(), 2u);
  EXPECT_GT(r.tokens[0], r.tokens[1]);  // BOS + two words vs BOS + one
  std::string body;
  append_retrieval_body(body, r, "mock-model", 42);
  simdjson::dom::parser p;
  const auto doc = parse(p, body);
  EXPECT_EQ(std::string_view(doc["model"].get_string().value()), "mock-model");
  EXPECT_EQ(std::string_view(doc["object"].get_string().value()), "list");
  EXPECT_EQ(doc["usage"]["prompt_tokens"].get_int64().value(), r.tokens[0] + r.tokens[1]);
  EXPECT_EQ(doc["usage"]["total_tokens"].get_int64().value(), r.tokens[0] + r.tokens[1]);
  const auto data = doc["data"].get_array().value();
  ASSERT_EQ(data.size(), 2u);
  std::int64_t index = 0;
  for (auto item : data) {
    EXPECT_EQ(item["index"].get_int64().value(), index++);
    EXPECT_EQ(std::string_view(item["object"].get_string().value()), "embedding");
    const auto vec = item["embedding"].get_array().value();
    ASSERT_EQ(vec.size(), static_cast<std::size_t>(kEmbeddingDims));
    double norm = 0;
    for (auto x : vec) norm += x.get_double().value() * x.get_double().value();
    EXPECT_NEAR(norm, 1.0, 1e-5);
  }
  // Deterministic from the seed and the text; another seed, other vectors.
  std::string again;
  append_retrieval_body(again, r, "mock-model", 42);
  EXPECT_EQ(again, body);
  std::string other;
  append_retrieval_body(other, r, "mock-model", 43);
  EXPECT_NE(other, body);
}

TEST(MockRetrieval, EmbeddingsAcceptAStringContentAndTokenIds) {
  EXPECT_EQ(parse_retrieval(RetrievalKind::embeddings, R"({"input":"a b c"})").tokens.size(), 1u);
  EXPECT_EQ(parse_retrieval(RetrievalKind::embeddings, R"({"content":"a b c"})").tokens.size(), 1u);
  const RetrievalRequest ids = parse_retrieval(RetrievalKind::embeddings, R"({"input":[5,6,7]})");
  ASSERT_FALSE(ids.error);
  ASSERT_EQ(ids.tokens.size(), 1u);
  EXPECT_EQ(ids.tokens[0], 4);  // BOS + three ids
}

TEST(MockRetrieval, RerankScoresEveryDocumentBestFirst) {
  const RetrievalRequest r =
      parse_retrieval(RetrievalKind::rerank, R"({"model":"m","query":"q w","documents":["a","b c","d e f"]})");
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.tokens.size(), 3u);
  EXPECT_EQ(r.tokens[0], 3 + 2 + 1);  // BOS SEP EOS + query + document
  std::string body;
  append_retrieval_body(body, r, "mock-model", 7);
  simdjson::dom::parser p;
  const auto doc = parse(p, body);
  EXPECT_EQ(doc["usage"]["prompt_tokens"].get_int64().value(), r.prompt_tokens());
  const auto results = doc["results"].get_array().value();
  ASSERT_EQ(results.size(), 3u);
  double last = 1e9;
  int seen = 0;
  for (auto item : results) {
    const double s = item["relevance_score"].get_double().value();
    EXPECT_LE(s, last);
    last = s;
    seen |= 1 << item["index"].get_int64().value();
  }
  EXPECT_EQ(seen, 0b111);
  const RetrievalRequest top = parse_retrieval(RetrievalKind::rerank, R"({"query":"q","documents":["a","b","c"],"top_n":1})");
  std::string one;
  append_retrieval_body(one, top, "m", 7);
  EXPECT_EQ(parse(p, one)["results"].get_array().value().size(), 1u);
}

TEST(MockRetrieval, BodiesLlamaServerRefuses) {
  struct Case {
    RetrievalKind kind;
    const char* body;
    int status;
    const char* message;
  };
  const Case cases[] = {
      {RetrievalKind::embeddings, R"({"model":"m"})", 400, R"("input" or "content" must be provided)"},
      {RetrievalKind::embeddings, R"({"input":{"x":1}})", 400, R"("prompt" must be a string)"},
      {RetrievalKind::embeddings, R"({"input":""})", 400, "Input content cannot be empty"},
      {RetrievalKind::embeddings, R"({"input":)", 500, "parse error"},
      {RetrievalKind::embeddings, R"([1])", 400, "must be a JSON object"},
      {RetrievalKind::rerank, R"({"documents":["a"]})", 400, R"("query" must be provided)"},
      {RetrievalKind::rerank, R"({"query":"q"})", 400, R"("documents" must be a non-empty string array)"},
      {RetrievalKind::rerank, R"({"query":"q","documents":[]})", 400, R"("documents" must be a non-empty string array)"},
      {RetrievalKind::rerank, R"({"query":"q","documents":[1]})", 400, R"("documents" must be a non-empty string array)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    const RetrievalRequest r = parse_retrieval(c.kind, c.body);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->status, c.status);
    EXPECT_NE(r.error->message.find(c.message), std::string::npos) << r.error->message;
  }
}

TEST(MockRetrieval, ServedOverHttpWithLlamaServerErrors) {
  Running srv(fast_config());
  const Response e = round_trip(srv.port, post_request("/v1/embeddings", R"({"input":["hello world","x"]})"));
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(e.header("Content-Type"), "application/json; charset=utf-8");
  simdjson::dom::parser p;
  EXPECT_EQ(parse(p, e.body)["data"].get_array().value().size(), 2u);
  const Response r = round_trip(srv.port, post_request("/v1/rerank", R"({"query":"q","documents":["a","b"]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(p, r.body)["results"].get_array().value().size(), 2u);
  EXPECT_GT(parse(p, r.body)["usage"]["prompt_tokens"].get_int64().value(), 0);
  const Response bad = round_trip(srv.port, post_request("/v1/rerank", R"({"documents":["a"]})"));
  EXPECT_EQ(bad.status, 400);
  const auto err = parse(p, bad.body)["error"];
  EXPECT_EQ(err["code"].get_int64().value(), 400);
  EXPECT_EQ(std::string_view(err["type"].get_string().value()), "invalid_request_error");
  EXPECT_EQ(std::string_view(err["message"].get_string().value()), R"("query" must be provided)");
}

}  // namespace
}  // namespace llmbench::mock::test
