// The event decoder on single events of every flavour, and on bad JSON.
#include <gtest/gtest.h>

#include "llmbench/protocol/event_decoder.hpp"

namespace llmbench::protocol {
namespace {

EventInfo decode_ok(std::string_view json) {
  EventDecoder d;
  EventInfo info;
  EXPECT_EQ(d.decode(json, info), DecodeStatus::ok) << d.error() << " in " << json;
  info.model = {};  // views into d's buffer die with d: model_of() copies
  info.error_message = {};
  return info;
}

// The top-level "model" of one event, copied while its decoder still lives.
std::string model_of(std::string_view json) {
  EventDecoder d;
  EventInfo info;
  EXPECT_EQ(d.decode(json, info), DecodeStatus::ok) << d.error() << " in " << json;
  return std::string(info.model);
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

TEST(EventDecoder, ReasoningIsToldApartFromOutput) {
  const EventInfo r = decode_ok(R"({"choices":[{"delta":{"reasoning_content":"hmm"}}]})");
  EXPECT_EQ(r.reasoning_pieces, 1u);
  EXPECT_EQ(r.output_pieces, 0u);
  const EventInfo v = decode_ok(R"({"choices":[{"delta":{"reasoning":"hmm","content":null}}]})");  // vLLM
  EXPECT_EQ(v.reasoning_pieces, 1u);
  EXPECT_EQ(v.output_pieces, 0u);
  const EventInfo c = decode_ok(R"({"choices":[{"delta":{"reasoning_content":null,"content":"Hi"}}]})");
  EXPECT_EQ(c.reasoning_pieces, 0u);
  EXPECT_EQ(c.output_pieces, 1u);
  const EventInfo both = decode_ok(R"({"choices":[{"delta":{"reasoning_content":"a","content":"b"}}]})");
  EXPECT_EQ(both.content_pieces, 1u);
  EXPECT_EQ(both.reasoning_pieces, 1u);
  EXPECT_EQ(both.output_pieces, 1u);
  EXPECT_EQ(decode_ok(R"({"choices":[{"delta":{"reasoning_content":""}}]})").reasoning_pieces, 0u);
  EXPECT_EQ(decode_ok(R"({"choices":[{"text":"x"}]})").output_pieces, 1u);
  EXPECT_EQ(decode_ok(R"({"index":0,"content":"x","stop":false})").output_pieces, 1u);
  EXPECT_EQ(decode_ok(R"({"choices":[{"delta":{"tool_calls":[{"index":0}]}}]})").output_pieces, 1u);
}

TEST(EventDecoder, UsageDetails) {
  const EventInfo i = decode_ok(
      R"({"choices":[],"usage":{"completion_tokens":9,"prompt_tokens":5,"completion_tokens_details":{"reasoning_tokens":7},"prompt_tokens_details":{"cached_tokens":4}}})");
  EXPECT_EQ(i.reasoning_tokens, 7);
  EXPECT_EQ(i.cached_tokens, 4);
  const EventInfo n = decode_ok(
      R"({"choices":[],"usage":{"completion_tokens":9,"completion_tokens_details":null,"prompt_tokens_details":{}}})");
  EXPECT_EQ(n.reasoning_tokens, -1);
  EXPECT_EQ(n.cached_tokens, -1);
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

// How a reply ended: finish_reason (chat, completions) or stop_type and
// truncated (native), and the model the response names.
TEST(EventDecoder, FinishReasons) {
  const auto finish = [](std::string_view json) { return decode_ok(json).finish; };
  EXPECT_EQ(finish(R"({"choices":[{"finish_reason":"length","index":0,"delta":{}}]})"), FinishReason::length);
  EXPECT_EQ(finish(R"({"choices":[{"finish_reason":"stop","index":0,"delta":{}}]})"), FinishReason::stop);
  EXPECT_EQ(finish(R"({"choices":[{"text":"","finish_reason":"length"}]})"), FinishReason::length);
  EXPECT_EQ(finish(R"({"choices":[{"finish_reason":"tool_calls","delta":{}}]})"), FinishReason::other);
  EXPECT_EQ(finish(R"({"choices":[{"finish_reason":null,"delta":{"content":"x"}}]})"), FinishReason::unknown);
  EXPECT_EQ(finish(R"({"choices":[{"delta":{"content":"x"}}]})"), FinishReason::unknown);
  EXPECT_EQ(finish(R"({"content":"","stop":true,"stop_type":"eos"})"), FinishReason::stop);
  EXPECT_EQ(finish(R"({"content":"","stop":true,"stop_type":"word","stopping_word":"go"})"), FinishReason::stop);
  EXPECT_EQ(finish(R"({"content":"","stop":true,"stop_type":"limit"})"), FinishReason::length);
  EXPECT_EQ(finish(R"({"content":"","stop":true,"stop_type":"none"})"), FinishReason::unknown);
  EXPECT_EQ(finish(R"({"content":"","stop":true,"stop_type":7})"), FinishReason::unknown);
}

TEST(EventDecoder, NativeTruncatedAndModel) {
  const EventInfo cut = decode_ok(
      R"({"content":"","stop":true,"model":"/srv/m.gguf","tokens_predicted":507,"truncated":true,"stop_type":"limit"})");
  EXPECT_TRUE(cut.truncated);
  EXPECT_EQ(cut.finish, FinishReason::length);
  EXPECT_EQ(model_of(R"({"content":"","stop":true,"model":"/srv/m.gguf","truncated":true})"), "/srv/m.gguf");
  EXPECT_TRUE(cut.native_stop);
  EXPECT_EQ(cut.tokens_predicted, 507u);
  const EventInfo whole = decode_ok(R"({"content":"","stop":true,"truncated":false,"stop_type":"limit"})");
  EXPECT_FALSE(whole.truncated);
  EXPECT_TRUE(model_of(R"({"content":"","stop":true,"truncated":false,"stop_type":"limit"})").empty());
  // Only the top level speaks: generation_settings' echo is not the reply.
  EXPECT_TRUE(model_of(R"({"generation_settings":{"model":"x","truncated":true}})").empty());
  EXPECT_FALSE(decode_ok(R"({"generation_settings":{"model":"x","truncated":true}})").truncated);
}

TEST(EventDecoder, ChatModelIsUnescaped) {
  EXPECT_EQ(model_of(R"({"choices":[],"model":"org\/tiny \"q4\""})"), R"(org/tiny "q4")");
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

// --- the per-stream template ---------------------------------------------

void expect_same(const EventInfo& a, const EventInfo& b, std::string_view json) {
  EXPECT_EQ(a.done_marker, b.done_marker) << json;
  EXPECT_EQ(a.native_stop, b.native_stop) << json;
  EXPECT_EQ(a.finish_reason, b.finish_reason) << json;
  EXPECT_EQ(a.content_pieces, b.content_pieces) << json;
  EXPECT_EQ(a.reasoning_pieces, b.reasoning_pieces) << json;
  EXPECT_EQ(a.output_pieces, b.output_pieces) << json;
  EXPECT_EQ(a.has_usage, b.has_usage) << json;
  EXPECT_EQ(a.completion_tokens, b.completion_tokens) << json;
  EXPECT_EQ(a.prompt_tokens, b.prompt_tokens) << json;
  EXPECT_EQ(a.timings.present, b.timings.present) << json;
  EXPECT_EQ(a.is_error, b.is_error) << json;
  EXPECT_EQ(a.stamp_ns, b.stamp_ns) << json;
  EXPECT_EQ(a.finish, b.finish) << json;
  EXPECT_EQ(a.truncated, b.truncated) << json;
}

// Decodes `json` through `tpl` and plainly; both must agree. Returns whether
// the template decoded it.
bool via_template(EventDecoder& d, EventTemplate& tpl, const std::string& json) {
  const std::uint64_t hits = tpl.hits;
  EventInfo with;
  const DecodeStatus st = d.decode(json, 0, with, &tpl);  // no padding: the scratch copy path
  EventDecoder plain;
  EventInfo without;
  EXPECT_EQ(st, plain.decode(json, without)) << json;
  expect_same(with, without, json);
  return tpl.hits > hits;
}

std::string llama_chunk(std::string_view content, std::string_view finish = "null") {
  std::string s = R"({"choices":[{"finish_reason":)";
  s.append(finish).append(R"(,"index":0,"delta":{"content":")").append(content);
  s.append(R"("}}],"created":1732000000,"id":"chatcmpl-abc","model":"m","system_fingerprint":"b4100-abc","object":"chat.completion.chunk"})");
  return s;
}

TEST(EventTemplate, LaterEventsOfAStreamDecodeFromIt) {
  EventDecoder d;
  EventTemplate tpl;
  EXPECT_FALSE(via_template(d, tpl, llama_chunk(" Hello")));  // builds it
  EXPECT_TRUE(tpl.valid);
  EXPECT_TRUE(via_template(d, tpl, llama_chunk(" world")));
  EXPECT_TRUE(via_template(d, tpl, llama_chunk(R"(\n\n)")));
  EXPECT_TRUE(via_template(d, tpl, llama_chunk(R"(\"quoted\" \\ \/ \u00e9)")));
  EXPECT_TRUE(via_template(d, tpl, llama_chunk("caf\xc3\xa9 \xe2\x9c\x93")));
  EXPECT_TRUE(via_template(d, tpl, llama_chunk("")));  // no token, as in the full decode
  EXPECT_EQ(tpl.hits, 5u);
}

TEST(EventTemplate, BytesThatCouldChangeTheDocumentAreDecodedInFull) {
  EventDecoder d;
  EventTemplate tpl;
  via_template(d, tpl, llama_chunk("x"));
  for (std::string_view middle : {std::string_view(R"(a"b)"), std::string_view(R"(a\)"), std::string_view(R"(\q)"),
                                  std::string_view(R"(\u12)"), std::string_view(R"(\u12g4)"),
                                  std::string_view("a\x01"), std::string_view("\xff\xfe"),
                                  std::string_view("\xc3"), std::string_view(R"(","x":")")}) {
    std::string json = llama_chunk("x");
    const std::size_t at = json.find(R"("content":")") + 11;
    json.replace(at, 1, middle);
    EXPECT_FALSE(via_template(d, tpl, json)) << json;
    tpl.valid = true;  // keep probing the same template
  }
}

TEST(EventTemplate, AnyOtherDifferenceIsDecodedInFull) {
  EventDecoder d;
  EventTemplate tpl;
  via_template(d, tpl, llama_chunk("x"));
  EXPECT_FALSE(via_template(d, tpl, llama_chunk("y", R"("stop")")));  // finish_reason
  std::string later = llama_chunk("y");
  later.replace(later.find("1732000000"), 10, "1732000001");  // "created" moved on
  EXPECT_FALSE(via_template(d, tpl, later));
  EXPECT_TRUE(via_template(d, tpl, llama_chunk("z").replace(llama_chunk("z").find("1732000000"), 10, "1732000001")));
}

// The model view points into the parse that made the template: a match
// must not hand it out (the consumer keeps the first full decode's).
TEST(EventTemplate, AMatchCarriesNoModelView) {
  EventDecoder d;
  EventTemplate tpl;
  EventInfo full;
  ASSERT_EQ(d.decode(llama_chunk("x"), 0, full, &tpl), DecodeStatus::ok);
  EXPECT_EQ(full.model, "m");
  EventInfo matched;
  ASSERT_EQ(d.decode(llama_chunk("y"), 0, matched, &tpl), DecodeStatus::ok);
  EXPECT_EQ(tpl.hits, 1u);
  EXPECT_TRUE(matched.model.empty());
  EXPECT_EQ(matched.finish, FinishReason::unknown);
}

// A template built from a reasoning event decodes later reasoning events as
// reasoning; a content event is a different prefix and decodes in full.
TEST(EventTemplate, KeepsTheKindOfItsString) {
  EventDecoder d;
  EventTemplate tpl;
  std::string reasoning = llama_chunk("x");
  reasoning.replace(reasoning.find("\"content\""), 9, "\"reasoning_content\"");
  via_template(d, tpl, reasoning);
  ASSERT_TRUE(tpl.valid);
  std::string next = reasoning;
  next[next.find(":\"x\"") + 2] = 'y';
  EXPECT_TRUE(via_template(d, tpl, next));
  std::string empty = reasoning;
  empty.erase(empty.find(":\"x\"") + 2, 1);
  EXPECT_TRUE(via_template(d, tpl, empty));
  EXPECT_FALSE(via_template(d, tpl, llama_chunk("z")));
}

TEST(EventTemplate, OtherEventsKeepIt) {
  EventDecoder d;
  EventTemplate tpl;
  via_template(d, tpl, llama_chunk("x"));
  EXPECT_FALSE(via_template(d, tpl, R"({"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]})"));
  EXPECT_FALSE(via_template(d, tpl, R"({"choices":[],"usage":{"completion_tokens":3,"prompt_tokens":2}})"));
  EXPECT_TRUE(via_template(d, tpl, llama_chunk("y")));
}

TEST(EventTemplate, OnlyEventsWithOneContentStringMakeOne) {
  EventDecoder d;
  EventTemplate tpl;
  via_template(d, tpl, R"({"choices":[{"delta":{"content":"a","reasoning_content":"b"}}]})");
  EXPECT_FALSE(tpl.valid);
  via_template(d, tpl, R"({"choices":[{"delta":{"content":"a"}},{"delta":{"content":"b"}}]})");
  EXPECT_FALSE(tpl.valid);
  via_template(d, tpl, R"({"choices":[{"delta":{"content":"a","tool_calls":[{"index":0}]}}]})");
  EXPECT_FALSE(tpl.valid);
  via_template(d, tpl, R"({"choices":[{"text":"a","index":0}]})");  // completions
  EXPECT_TRUE(tpl.valid);
  EXPECT_TRUE(via_template(d, tpl, R"({"choices":[{"text":"bc","index":0}]})"));
}

}  // namespace
}  // namespace llmbench::protocol
