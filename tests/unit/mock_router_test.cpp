// The built-in server as llama-server's router (--models a,b): requests are
// routed by their "model", each reply names the model it went to, a model it
// does not serve (or none) gets the router's 400, and GET /v1/models lists
// them. Without --models any name is taken, as a single-model server does.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "llmbench/mock/router.hpp"
#include "mock_test_client.hpp"

namespace llmbench::mock::test {
namespace {

std::string chat(std::string_view model_field) {
  return std::string("{") + std::string(model_field) +
         R"("messages":[{"role":"user","content":"hi"}],"max_tokens":2,"stream":false})";
}

TEST(MockRouter, RoutesKnownModelsAndRefusesOthersAsTheRouterDoes) {
  const std::vector<std::string> served = {"alpha", "beta"};
  EXPECT_FALSE(route_model(served, "beta"));
  const auto unknown = route_model(served, "gamma");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(unknown->message, "model not found");
  EXPECT_EQ(unknown->type, "invalid_request_error");
  ASSERT_TRUE(route_model(served, ""));
  EXPECT_EQ(route_model(served, "")->message, "model name is missing from the request");
  EXPECT_FALSE(route_model({}, "anything"));  // one model: any name
}

TEST(MockRouter, ServedOverHttp) {
  MockConfig cfg = fast_config();
  cfg.models = "alpha,beta";
  Running srv(cfg);
  simdjson::dom::parser p;
  const Response ok = round_trip(srv.port, post_request("/v1/chat/completions", chat(R"("model":"beta",)")));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(std::string_view(p.parse(ok.body)["model"].get_string().value()), "beta");
  const Response bad = round_trip(srv.port, post_request("/v1/chat/completions", chat(R"("model":"gamma",)")));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, R"({"error":{"code":400,"message":"model not found","type":"invalid_request_error"}})");
  EXPECT_EQ(round_trip(srv.port, post_request("/v1/chat/completions", chat(""))).status, 400);
  const Response emb = round_trip(srv.port, post_request("/v1/embeddings", R"({"model":"alpha","input":"x"})"));
  ASSERT_EQ(emb.status, 200) << emb.body;
  EXPECT_EQ(std::string_view(p.parse(emb.body)["model"].get_string().value()), "alpha");
  EXPECT_EQ(round_trip(srv.port, post_request("/v1/rerank", R"({"model":"x","query":"q","documents":["a"]})")).status,
            400);
  const Response models = round_trip(srv.port, get_request("/v1/models"));
  ASSERT_EQ(models.status, 200);
  const auto data = p.parse(models.body)["data"].get_array().value();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(std::string_view(data.at(0)["id"].get_string().value()), "alpha");
  EXPECT_EQ(std::string_view(data.at(1)["status"]["value"].get_string().value()), "loaded");
}

TEST(MockRouter, ASingleModelServerTakesAnyName) {
  Running srv(fast_config());
  const Response r = round_trip(srv.port, post_request("/v1/chat/completions", chat(R"("model":"whatever",)")));
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser p;
  EXPECT_EQ(std::string_view(p.parse(r.body)["model"].get_string().value()), model_id(fast_config()));
}

TEST(MockRouter, BadModelListsAreRefused) {
  for (const char* bad : {"a,", ",a", "a,,b", "a,a"}) {
    MockConfig cfg;
    cfg.models = bad;
    const auto v = validate(cfg);
    ASSERT_FALSE(v) << bad;
    EXPECT_EQ(v.error().field, "models");
  }
  MockConfig ok;
  ok.models = "a,b";
  EXPECT_TRUE(validate(ok));
  EXPECT_EQ(routed_models(ok), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace llmbench::mock::test
