// Request bodies per flavour, and the JSON string escaping every writer uses.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "llmbench/protocol/api.hpp"
#include "llmbench/util/json_escape.hpp"
#include "llmbench/report/json_writer.hpp"

#include <cmath>

namespace llmbench {
namespace {

simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& json) {
  simdjson::dom::element e;
  EXPECT_EQ(p.parse(json).get(e), simdjson::SUCCESS) << json;
  return e;
}

TEST(ProtocolBody, ChatStreamAsksForUsage) {
  protocol::GenerationRequest g;
  g.model = "m";
  g.prompt = "Count from 1 to 20";
  g.max_tokens = 64;
  simdjson::dom::parser p;
  auto e = parse(p, protocol::build_body(g));
  EXPECT_EQ(std::string_view(e["messages"].at(0)["content"]), "Count from 1 to 20");
  EXPECT_EQ(std::string_view(e["messages"].at(0)["role"]), "user");
  EXPECT_EQ(int64_t(e["max_tokens"]), 64);
  EXPECT_EQ(double(e["temperature"]), 0.0);
  EXPECT_TRUE(bool(e["stream"]));
  EXPECT_TRUE(bool(e["stream_options"]["include_usage"]));
}

// llama-server's cache_prompt: sent only when asked (--cache-prompt), on
// every flavour.
TEST(ProtocolBody, CachePromptOnlyWhenAsked) {
  for (const auto flavor : {protocol::ApiFlavor::chat, protocol::ApiFlavor::completions, protocol::ApiFlavor::native}) {
    protocol::GenerationRequest g;
    g.flavor = flavor;
    g.prompt = "hi";
    simdjson::dom::parser p;
    EXPECT_EQ(parse(p, protocol::build_body(g))["cache_prompt"].error(), simdjson::NO_SUCH_FIELD);
    g.cache_prompt = false;
    EXPECT_FALSE(bool(parse(p, protocol::build_body(g))["cache_prompt"]));
    g.cache_prompt = true;
    EXPECT_TRUE(bool(parse(p, protocol::build_body(g))["cache_prompt"]));
  }
}

TEST(ProtocolBody, NativeUsesNPredictAndNoModel) {
  protocol::GenerationRequest g;
  g.flavor = protocol::ApiFlavor::native;
  g.model = "m";
  g.prompt = "hi";
  g.max_tokens = 8;
  g.stream = false;
  simdjson::dom::parser p;
  auto e = parse(p, protocol::build_body(g));
  EXPECT_EQ(int64_t(e["n_predict"]), 8);
  EXPECT_TRUE(e["model"].error());
  EXPECT_TRUE(e["stream_options"].error());
  EXPECT_FALSE(bool(e["stream"]));
  // To a router (a --model mix), /completion names its model too.
  g.model_in_native = true;
  EXPECT_EQ(std::string_view(parse(p, protocol::build_body(g))["model"]), "m");
}

// A dataset's messages with content parts or tool calls, and its tools, go
// out byte for byte as they came; plain messages are escaped as before.
TEST(ProtocolBody, RawMessagesAndToolsAreSplicedUnchanged) {
  protocol::GenerationRequest g;
  g.model = "m";
  const std::string image =
      R"({"role":"user","content":[{"type":"text","text":"What is this?"},)"
      R"({"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]})";
  const std::string call =
      R"({"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",)"
      R"("function":{"name":"f","arguments":"{\"x\":1}"}}]})";
  g.messages = {{"system", "be \"brief\"", ""}, {"user", "What is this?", image}, {"assistant", "", call}};
  g.tools_json = R"([{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}])";
  g.tool_choice_json = R"("auto")";
  const std::string body = protocol::build_body(g);
  EXPECT_NE(body.find(R"("messages":[{"role":"system","content":"be \"brief\""},)" + image + "," + call + "]"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"(,"tools":)" + g.tools_json + R"(,"tool_choice":"auto")"), std::string::npos) << body;
  simdjson::dom::parser p;
  EXPECT_EQ(parse(p, body)["tools"].get_array().value().size(), 1u);
  // Completions take the text: the parts' text joined, no tools.
  g.flavor = protocol::ApiFlavor::completions;
  const std::string cmpl = protocol::build_body(g);
  EXPECT_EQ(cmpl.find("tools"), std::string::npos) << cmpl;
  EXPECT_NE(cmpl.find("What is this?"), std::string::npos) << cmpl;
}

TEST(ProtocolBody, CompletionsSendsPrompt) {
  protocol::GenerationRequest g;
  g.flavor = protocol::ApiFlavor::completions;
  g.prompt = "a \"quoted\"\nline\t\x01";
  simdjson::dom::parser p;
  auto e = parse(p, protocol::build_body(g));
  EXPECT_EQ(std::string_view(e["prompt"]), "a \"quoted\"\nline\t\x01");
}

TEST(JsonEscaping, InvalidUtf8BecomesReplacementCharacter) {
  std::string out;
  util::append_json_string(out, std::string("ok \xff\xfe \xe2\x82 \xc3\xa9", 11));
  simdjson::dom::parser p;
  auto e = parse(p, out);
  // Each byte that starts no valid sequence is replaced; valid UTF-8 is kept.
  EXPECT_EQ(std::string_view(e), "ok \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd \xc3\xa9");
}

TEST(JsonWriter, WritesNestedValidJson) {
  report::JsonWriter w;
  w.begin_object().field("a", 1).field("b", 2.5).field("c", "x").key("d").begin_array();
  w.value(true).null().begin_object().end_object().end_array();
  w.field("nan", std::nan("")).end_object();
  simdjson::dom::parser p;
  auto e = parse(p, w.str());
  EXPECT_EQ(int64_t(e["a"]), 1);
  EXPECT_EQ(double(e["b"]), 2.5);
  EXPECT_TRUE(e["nan"].is_null());
  EXPECT_EQ(simdjson::dom::array(e["d"]).size(), 3u);
}

TEST(JsonWriter, IntegralDoublesStayFloats) {
  EXPECT_EQ(report::format_double(32.0), "32.0");
  EXPECT_EQ(report::format_double(0.1), "0.1");
  EXPECT_EQ(report::format_double(1e300), "1e+300");
}

}  // namespace
}  // namespace llmbench
