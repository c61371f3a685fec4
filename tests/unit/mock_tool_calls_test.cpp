// --tool-calls: a chat request that carries tools is answered with a call of
// its first tool, streamed as tool_calls deltas in llama-server's shape whose
// arguments add up to valid JSON, or as one message; without the flag, or
// without tools, the reply is text as before.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "mock_test_client.hpp"

namespace llmbench::mock::test {
namespace {

constexpr std::string_view kTools =
    R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}])";

std::string chat(bool stream, bool tools) {
  return std::string(R"({"messages":[{"role":"user","content":"weather?"}],"max_tokens":5,"stream":)") +
         (stream ? "true" : "false") + (tools ? "," + std::string(kTools) : "") + "}";
}

MockConfig tool_config() {
  MockConfig cfg = fast_config();
  cfg.tool_calls = true;
  return cfg;
}

TEST(MockToolCalls, StreamedAsToolCallDeltas) {
  Running srv(tool_config());
  const Response r = round_trip(srv.port, post_request("/v1/chat/completions", chat(true, true)));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::vector<std::string> events = sse_data(r.body);
  simdjson::dom::parser p;
  std::string arguments;
  int calls = 0;
  std::string finish;
  for (const std::string& e : events) {
    if (e == "[DONE]") continue;
    const simdjson::dom::element doc = p.parse(e).value();
    simdjson::dom::array choices = doc["choices"].get_array().value();
    if (choices.size() == 0) continue;
    const auto choice = choices.at(0).value();
    std::string_view fr;
    if (choice["finish_reason"].get_string().get(fr) == simdjson::SUCCESS) finish = fr;
    simdjson::dom::array tc;
    if (choice["delta"]["tool_calls"].get_array().get(tc) != simdjson::SUCCESS) continue;
    const auto call = tc.at(0).value();
    EXPECT_EQ(call["index"].get_int64().value(), 0);
    if (calls++ == 0) {
      EXPECT_EQ(std::string_view(call["function"]["name"].get_string().value()), "get_weather");
      EXPECT_EQ(std::string_view(call["type"].get_string().value()), "function");
      EXPECT_EQ(call["id"].get_string().value().size(), 32u);
    } else {
      EXPECT_TRUE(call["id"].error()) << "only the first delta names the call";
    }
    arguments += call["function"]["arguments"].get_string().value();
  }
  EXPECT_EQ(calls, 5) << "one delta per token";
  EXPECT_EQ(finish, "tool_calls");
  simdjson::dom::parser q;
  const auto args = q.parse(arguments);
  ASSERT_EQ(args.error(), simdjson::SUCCESS) << arguments;
  EXPECT_FALSE(std::string_view(args["text"].get_string().value()).empty()) << arguments;
}

TEST(MockToolCalls, NonStreamedAsOneMessage) {
  Running srv(tool_config());
  const Response r = round_trip(srv.port, post_request("/v1/chat/completions", chat(false, true)));
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser p;
  const auto choice = p.parse(r.body)["choices"].at(0).value();
  EXPECT_EQ(std::string_view(choice["finish_reason"].get_string().value()), "tool_calls");
  EXPECT_TRUE(choice["message"]["content"].is_null());
  const auto fn = choice["message"]["tool_calls"].at(0)["function"].value();
  EXPECT_EQ(std::string_view(fn["name"].get_string().value()), "get_weather");
  simdjson::dom::parser q;
  EXPECT_EQ(q.parse(std::string(fn["arguments"].get_string().value())).error(), simdjson::SUCCESS);
}

TEST(MockToolCalls, TextWithoutTheFlagOrWithoutTools) {
  Running plain(fast_config());
  const Response off = round_trip(plain.port, post_request("/v1/chat/completions", chat(true, true)));
  ASSERT_EQ(off.status, 200);
  EXPECT_EQ(off.body.find("tool_calls"), std::string::npos);
  Running srv(tool_config());
  const Response no_tools = round_trip(srv.port, post_request("/v1/chat/completions", chat(true, false)));
  ASSERT_EQ(no_tools.status, 200);
  EXPECT_EQ(no_tools.body.find("tool_calls"), std::string::npos);
  EXPECT_NE(no_tools.body.find(R"("finish_reason":"length")"), std::string::npos);
}

}  // namespace
}  // namespace llmbench::mock::test
