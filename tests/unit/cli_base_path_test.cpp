// One owner of the URL base path: behind --url http://host:port/proxy every
// request the tool makes — health, models, props, tokenize, completions —
// carries the prefix exactly once (it once carried it twice). The built-in
// server serves under llama-server's --api-prefix and answers 404 anywhere
// else, and counts what it served.
#include <gtest/gtest.h>

#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/cli/plan_builder.hpp"
#include "llmbench/cli/probe.hpp"
#include "llmbench/cli/target.hpp"
#include "llmbench/load/engine.hpp"
#include "llmbench/mock/server.hpp"

namespace llmbench::cli {
namespace {

struct PrefixedServer {
  explicit PrefixedServer(std::string prefix) : server([&] {
    mock::MockConfig mc;
    mc.api_prefix = std::move(prefix);
    mc.decode_tps = 2000;
    return mc;
  }()) {}
  mock::MockServer server;
  std::uint16_t port = server.start().value();
};

// Every step of a load run with synthetic prompts (so /tokenize is asked)
// and --wait-ready (so /health is polled), as `llmbench` runs them.
StageResult run_through(const std::string& url) {
  Settings s;
  s.url = url;
  s.wait_ready_s = 5;
  s.input_tokens = "16";
  s.max_tokens = 4;
  s.requests = 4;
  s.concurrency = 2;
  s.threads = 1;
  const auto parsed = parse_settings(s);
  EXPECT_TRUE(parsed) << parsed.error();
  const auto target = resolve_target(*parsed);
  EXPECT_TRUE(target) << target.error().message;
  const auto server = probe_server(*parsed, *target);
  EXPECT_TRUE(server) << server.error().message;
  const auto plan = build_plan(*parsed, *target, *server);
  EXPECT_TRUE(plan) << plan.error().message;
  Engine engine(*plan);
  EXPECT_TRUE(engine.prepare());
  return engine.run_stage(0, plan->stages.front(), {});
}

void expect_every_request_under_the_prefix(const mock::MockStats& st, const StageResult& r) {
  EXPECT_EQ(st.not_found, 0u) << "a request missed the prefix (or carried it twice)";
  EXPECT_GE(st.health_requests, 1u);
  EXPECT_EQ(st.models_requests, 1u);
  EXPECT_EQ(st.props_requests, 1u);
  EXPECT_GE(st.tokenize_requests, 2u);  // calibration sample + each prompt
  EXPECT_EQ(r.overall.succeeded, 4u);
  EXPECT_EQ(st.completions_total, r.scheduled);
}

TEST(BasePath, EveryRequestCarriesThePrefixOnce) {
  PrefixedServer srv("/proxy");
  const StageResult r = run_through("http://127.0.0.1:" + std::to_string(srv.port) + "/proxy");
  expect_every_request_under_the_prefix(srv.server.stats(), r);
}

// The OpenAI clients' convention: a base URL copied from OPENAI_BASE_URL ends
// in /v1, and is not given a second one.
TEST(BasePath, ABaseEndingInV1IsNotGivenASecondV1) {
  PrefixedServer srv("/proxy");
  const StageResult r = run_through("http://127.0.0.1:" + std::to_string(srv.port) + "/proxy/v1/");
  expect_every_request_under_the_prefix(srv.server.stats(), r);
}

TEST(BasePath, WithoutThePrefixTheServerAnswersNotFound) {
  PrefixedServer srv("/proxy");
  Settings s;
  s.url = "http://127.0.0.1:" + std::to_string(srv.port);
  const auto parsed = parse_settings(s);
  ASSERT_TRUE(parsed);
  const auto target = resolve_target(*parsed);
  ASSERT_TRUE(target);
  const auto server = probe_server(*parsed, *target);
  ASSERT_TRUE(server);
  EXPECT_EQ(server->model, "");  // /v1/models was not found
  EXPECT_EQ(srv.server.stats().not_found, 2u);  // /v1/models and /props
}

}  // namespace
}  // namespace llmbench::cli
