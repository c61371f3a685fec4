// A streamed tool call, in the shape llama-server sends it (its headers and
// chunking, server_chat_msg_diff_to_json_oaicompat's deltas: the first names
// the call, the rest carry pieces of its arguments, then finish_reason
// "tool_calls" and the usage event): every tool_calls delta is a generated
// token, counted apart as a tool-call event, the same whether the bytes come
// whole or split at any offset.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "llmbench/load/response_consumer.hpp"
#include "llmbench/protocol/event_decoder.hpp"
#include "test_support.hpp"

namespace llmbench {
namespace {

constexpr std::string_view kTail =
    R"(,"created":1795909163,"id":"chatcmpl-Qm2VbTqLZyW8x4oNfCjR1sHd7kEaXuP3","model":"qwen2.5-1.5b-instruct",)"
    R"("system_fingerprint":"b10587-3f545becc","object":"chat.completion.chunk"})";

// The events of one tool call: role, the call's name, four argument pieces,
// the finish event, usage, [DONE].
std::vector<std::string> tool_call_events() {
  const std::string head = R"({"choices":[{"finish_reason":null,"index":0,"delta":)";
  std::vector<std::string> ev = {
      head + R"({"role":"assistant","content":null}}])" + std::string(kTail),
      head + R"({"tool_calls":[{"index":0,"id":"lXfYHc6Y0ZB8h0MCPUj5X8ai6t3zGKz4","type":"function",)"
             R"("function":{"name":"get_weather"}}]}}])" + std::string(kTail),
  };
  for (const char* piece : {R"({\"location\")", R"(: \"Par)", R"(is, Fr)", R"(ance\"})"}) {
    ev.push_back(head + R"({"tool_calls":[{"index":0,"function":{"arguments":")" + piece + R"("}}]}}])" +
                 std::string(kTail));
  }
  ev.push_back(R"({"choices":[{"finish_reason":"tool_calls","index":0,"delta":{}}])" + std::string(kTail));
  ev.push_back(R"({"choices":[],"created":1795909163,"id":"chatcmpl-Qm2VbTqLZyW8x4oNfCjR1sHd7kEaXuP3",)"
               R"("model":"qwen2.5-1.5b-instruct","system_fingerprint":"b10587-3f545becc",)"
               R"("object":"chat.completion.chunk","usage":{"completion_tokens":5,"prompt_tokens":212,)"
               R"("total_tokens":217,"prompt_tokens_details":{"cached_tokens":0}}})");
  ev.push_back("[DONE]");
  return ev;
}

// The headers llama-server sends with a stream.
std::string llama_server_stream(const std::vector<std::string>& events) {
  return test::chunked_sse(events,
                           "Server: llama.cpp\r\nAccess-Control-Allow-Origin: \r\nX-Accel-Buffering: no\r\n"
                           "Content-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                           "Keep-Alive: timeout=5, max=100\r\n");
}

RequestRecord consume(std::string_view bytes, const std::vector<std::size_t>& cuts) {
  protocol::EventDecoder decoder;
  ResponseConsumer consumer(decoder, 1u << 20);
  RequestRecord rec;
  consumer.start(rec, true);
  std::size_t pos = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(bytes.size());
  std::int64_t t = 0;
  for (const std::size_t end : ends) {
    if (end < pos) continue;
    test::ExactBuffer piece(bytes.substr(pos, end - pos));
    ReadTokens tokens;
    pos = end;
    if (consumer.on_read(piece.view(), ++t, tokens) == ConsumeState::done) break;
  }
  if (!consumer.done()) consumer.on_eof(t + 1);
  return rec;
}

TEST(ToolCallStream, EachDeltaIsACountedToolCallEvent) {
  protocol::EventDecoder d;
  protocol::EventInfo info;
  const std::vector<std::string> ev = tool_call_events();
  const std::uint32_t expected[] = {0, 1, 1, 1, 1, 1, 0, 0, 0};
  for (std::size_t i = 0; i < ev.size(); ++i) {
    ASSERT_EQ(d.decode(ev[i], info), protocol::DecodeStatus::ok) << ev[i];
    EXPECT_EQ(info.tool_call_pieces, expected[i]) << ev[i];
    EXPECT_EQ(info.content_pieces, expected[i]) << "a tool call is generated content";
    EXPECT_EQ(info.output_pieces, expected[i]) << "visible output, not reasoning";
  }
  // Content beside a call is one piece of output, which was a call.
  ASSERT_EQ(d.decode(R"({"choices":[{"delta":{"content":"x","tool_calls":[{"index":0}]}}]})", info),
            protocol::DecodeStatus::ok);
  EXPECT_EQ(info.content_pieces, 1u);
  EXPECT_EQ(info.tool_call_pieces, 1u);
  // A non-streamed message with tool_calls.
  ASSERT_EQ(d.decode(R"({"choices":[{"finish_reason":"tool_calls","index":0,"message":{"role":"assistant",)"
                     R"("content":null,"tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"},)"
                     R"("id":"a"}]}}]})",
                     info),
            protocol::DecodeStatus::ok);
  EXPECT_EQ(info.tool_call_pieces, 1u);
}

TEST(ToolCallStream, EverySplitGivesTheSameRecord) {
  const std::string bytes = llama_server_stream(tool_call_events());
  const RequestRecord whole = consume(bytes, {});
  ASSERT_EQ(whole.error, ErrorKind::none) << whole.message();
  EXPECT_EQ(whole.tool_call_events, 5u);
  EXPECT_EQ(whole.content_events, 5u);
  EXPECT_EQ(whole.output_events, 5u);
  EXPECT_EQ(whole.completion_tokens, 5u);
  EXPECT_EQ(whole.token_source, TokenSource::usage);
  EXPECT_EQ(whole.finish, FinishReason::other);
  EXPECT_EQ(whole.model(), "qwen2.5-1.5b-instruct");
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    const RequestRecord split = consume(bytes, {cut});
    ASSERT_EQ(split.error, whole.error) << cut << ": " << split.message();
    ASSERT_EQ(split.tool_call_events, whole.tool_call_events) << cut;
    ASSERT_EQ(split.content_events, whole.content_events) << cut;
    ASSERT_EQ(split.completion_tokens, whole.completion_tokens) << cut;
    ASSERT_EQ(split.finish, whole.finish) << cut;
  }
  std::vector<std::size_t> bytewise(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) bytewise[i] = i;
  EXPECT_EQ(consume(bytes, bytewise).tool_call_events, 5u);
}

}  // namespace
}  // namespace llmbench
