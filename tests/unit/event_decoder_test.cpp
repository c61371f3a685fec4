// The event decoder on single events of every flavour, and on bad JSON.
#include <gtest/gtest.h>

#include "llmbench/protocol/event_decoder.hpp"

namespace llmbench::protocol {
namespace {

EventInfo decode_ok(std::string_view json) {
  EventDecoder d;
  EventInfo info;
  EXPECT_EQ(d.decode(json, info), DecodeStatus::ok) << d.error() << " in " << json;
  return info;
}

TEST(EventDecoder, ChatRoleEventIsNotContent) {
  const EventInfo i = decode_ok(
      R"({"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"object":"chat.completion.chunk"})");
  EXPECT_EQ(i.content_pieces, 0u);
  EXPECT_FALSE(i.finish_reason);
}

TEST(EventDecoder, ChatContentEvent) {
  const EventInfo i = decode_ok(R"({"choices":[{"finish_reason":null,"index":0,"delta":{"content":" Big"}}]})");
  EXPECT_EQ(i.content_pieces, 1u);
}

TEST(EventDecoder, EmptyContentIsNotAToken) {
  EXPECT_EQ(decode_ok(R"({"choices":[{"delta":{"content":""}}]})").content_pieces, 0u);
  EXPECT_EQ(decode_ok(R"({"index":0,"content":"","stop":false})").content_pieces, 0u);
}

TEST(EventDecoder, ReasoningAndToolCallsCountAsGenerated) {
  EXPECT_EQ(decode_ok(R"({"choices":[{"delta":{"reasoning_content":"hmm"}}]})").content_pieces, 1u);
  EXPECT_EQ(decode_ok(R"({"choices":[{"delta":{"tool_calls":[{"index":0}]}}]})").content_pieces, 1u);
  EXPECT_EQ(decode_ok(R"({"choices":[{"delta":{"tool_calls":[]}}]})").content_pieces, 0u);
}

TEST(EventDecoder, UsageAndTimings) {
  const EventInfo i = decode_ok(
      R"({"choices":[],"usage":{"completion_tokens":16,"prompt_tokens":31,"total_tokens":47},"timings":{"prompt_n":1,"predicted_n":16,"predicted_per_second":1653.98}})");
  EXPECT_TRUE(i.has_usage);
  EXPECT_EQ(i.completion_tokens, 16u);
  EXPECT_EQ(i.prompt_tokens, 31u);
  EXPECT_TRUE(i.timings.present);
  EXPECT_DOUBLE_EQ(i.timings.predicted_n, 16);
  EXPECT_DOUBLE_EQ(i.timings.predicted_per_second, 1653.98);
}

TEST(EventDecoder, NullUsageIsIgnored) {
  const EventInfo i = decode_ok(R"({"choices":[{"delta":{"content":"x"}}],"usage":null})");
  EXPECT_FALSE(i.has_usage);
  EXPECT_EQ(i.content_pieces, 1u);
}

TEST(EventDecoder, NativeEvents) {
  const EventInfo tok = decode_ok(R"({"index":0,"content":"em","tokens":[331],"stop":false,"tokens_predicted":1,"tokens_evaluated":5})");
  EXPECT_EQ(tok.content_pieces, 1u);
  EXPECT_FALSE(tok.native_stop);
  EXPECT_EQ(tok.tokens_evaluated, 5u);
  const EventInfo last = decode_ok(R"({"content":"","stop":true,"tokens_predicted":16,"timings":{"predicted_n":16}})");
  EXPECT_TRUE(last.native_stop);
  EXPECT_EQ(last.tokens_predicted, 16u);
}

TEST(EventDecoder, DoneMarker) {
  EXPECT_TRUE(decode_ok("[DONE]").done_marker);
  EXPECT_TRUE(decode_ok(" [DONE] ").done_marker);
}

TEST(EventDecoder, ErrorObjects) {
  EventDecoder d;  // error_message views live as long as the decoder (until its next decode)
  EventInfo i;
  ASSERT_EQ(d.decode(R"({"error":{"code":500,"message":"The model produced output that does not match","type":"server_error"}})", i),
            DecodeStatus::ok);
  EXPECT_TRUE(i.is_error);
  EXPECT_EQ(i.error_code, 500);
  EXPECT_EQ(i.error_message, "The model produced output that does not match");
  ASSERT_EQ(d.decode(R"({"error":"plain text error"})", i), DecodeStatus::ok);
  EXPECT_TRUE(i.is_error);
  EXPECT_EQ(i.error_message, "plain text error");
}

TEST(EventDecoder, CompletionsTextAndFinishReason) {
  const EventInfo i = decode_ok(R"({"choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"length"}]})");
  EXPECT_EQ(i.content_pieces, 0u);
  EXPECT_TRUE(i.finish_reason);
}

TEST(EventDecoder, MalformedJsonIsAnErrorNeverACrash) {
  EventDecoder d;
  EventInfo info;
  for (std::string_view bad : {"{", "{\"choices\":[", "not json", "[1,2]", "{\"usage\":{\"completion_tokens\":\"x\"}}",
                               "\"str\"", "", "{\"choices\":[{\"delta\":"}) {
    EXPECT_EQ(d.decode(bad, info), DecodeStatus::invalid_json) << bad;
    EXPECT_FALSE(d.error().empty()) << bad;
  }
}

TEST(EventDecoder, ParserIsReusableAfterAnError) {
  EventDecoder d;
  EventInfo info;
  EXPECT_EQ(d.decode("{", info), DecodeStatus::invalid_json);
  EXPECT_EQ(d.decode(R"({"choices":[{"delta":{"content":"x"}}]})", info), DecodeStatus::ok);
  EXPECT_EQ(info.content_pieces, 1u);
}

}  // namespace
}  // namespace llmbench::protocol
