// The request bodies of the endpoints that generate nothing: OpenAI's
// embeddings body and llama-server's rerank body, without any generation
// field, and how a prompt becomes a rerank query and documents.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "llmbench/protocol/api.hpp"

namespace llmbench {
namespace {

using protocol::ApiFlavor;

TEST(ProtocolRetrievalBody, FlavoursPathsAndNames) {
  EXPECT_EQ(protocol::parse_flavor("embeddings"), ApiFlavor::embeddings);
  EXPECT_EQ(protocol::parse_flavor("rerank"), ApiFlavor::rerank);
  EXPECT_EQ(protocol::default_path(ApiFlavor::embeddings), "/v1/embeddings");
  EXPECT_EQ(protocol::default_path(ApiFlavor::rerank), "/v1/rerank");
  EXPECT_EQ(protocol::to_string(ApiFlavor::rerank), "rerank");
  EXPECT_FALSE(protocol::generates(ApiFlavor::embeddings));
  EXPECT_FALSE(protocol::generates(ApiFlavor::rerank));
  EXPECT_TRUE(protocol::generates(ApiFlavor::chat));
}

TEST(ProtocolRetrievalBody, EmbeddingsSendTheInputOnly) {
  protocol::GenerationRequest g;
  g.flavor = ApiFlavor::embeddings;
  g.model = "nomic";
  g.prompt = "a \"quoted\" text";
  g.max_tokens = 64;
  g.seed = 3;
  g.ignore_eos = true;
  g.cache_prompt = true;
  const std::string body = protocol::build_body(g);
  EXPECT_EQ(body, R"({"model":"nomic","input":"a \"quoted\" text"})");
}

TEST(ProtocolRetrievalBody, RerankSendsAQueryAndTheWholePromptAsDocuments) {
  protocol::GenerationRequest g;
  g.flavor = ApiFlavor::rerank;
  g.prompt = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";
  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_EQ(p.parse(protocol::build_body(g)).get(e), simdjson::SUCCESS);
  EXPECT_FALSE(e["model"].error() == simdjson::SUCCESS);  // omitted when empty
  EXPECT_EQ(std::string_view(e["query"]), "one two three four five six seven eight nine ten eleven twelve");
  const simdjson::dom::array docs = e["documents"];
  ASSERT_EQ(docs.size(), protocol::kRerankDocuments);
  std::string joined;
  for (auto d : docs) {
    EXPECT_FALSE(std::string_view(d).empty());
    if (!joined.empty()) joined += ' ';
    joined += std::string_view(d);
  }
  EXPECT_EQ(joined, g.prompt);  // every word once, in order
  EXPECT_TRUE(e["stream"].error() != simdjson::SUCCESS);
  EXPECT_TRUE(e["max_tokens"].error() != simdjson::SUCCESS);
}

TEST(ProtocolRetrievalBody, ShortPromptsGiveFewerDocumentsNeverAnEmptyOne) {
  EXPECT_EQ(protocol::rerank_parts("two words").documents.size(), 2u);
  const protocol::RerankParts blank = protocol::rerank_parts("   ");
  ASSERT_EQ(blank.documents.size(), 1u);
  EXPECT_EQ(blank.documents[0], "   ");
}

}  // namespace
}  // namespace llmbench
