// TTFT, TTFO and the reasoning/content split on streams that carry reasoning
// apart (llama-server --reasoning-format deepseek: `reasoning_content`; vLLM:
// `reasoning`), with role-only chunks, empty `content:""` events and
// multi-token events, fed one event per read and split at every byte offset.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "llmbench/load/response_consumer.hpp"
#include "llmbench/stats/request_figures.hpp"
#include "test_support.hpp"

namespace llmbench {
namespace {

constexpr std::string_view kTail = R"(,"created":1,"id":"chatcmpl-x","model":"m","object":"chat.completion.chunk"})";

std::string delta(std::string_view body) {
  return std::string(R"({"choices":[{"finish_reason":null,"index":0,"delta":)") + std::string(body) + "}]" +
         std::string(kTail);
}

// One HTTP chunk per event, as llama-server writes them.
std::string chunked_stream(const std::vector<std::string>& events) {
  std::string out =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const std::string& e : events) {
    const std::string data = "data: " + e + "\n\n";
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    out += size + data + "\r\n";
  }
  out += "0\r\n\r\n";
  return out;
}

// llama-server with --reasoning-format deepseek: a role-only chunk, three
// reasoning deltas, an empty content event, two content deltas, the final
// event with usage, [DONE].
std::vector<std::string> deepseek_events() {
  return {delta(R"({"role":"assistant","content":null})"),
          delta(R"({"reasoning_content":"Okay"})"),
          delta(R"({"reasoning_content":","})"),
          delta(R"({"reasoning_content":" so"})"),
          delta(R"({"content":""})"),
          delta(R"({"content":"Hi"})"),
          delta(R"({"content":"!"})"),
          R"({"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"usage":{"completion_tokens":5,"prompt_tokens":9,"total_tokens":14}})",
          "[DONE]"};
}

struct Fed {
  RequestRecord rec;
};

// Feeds `bytes` cut at `cuts`; read k is stamped k (1-based).
Fed feed(ResponseConsumer& c, std::string_view bytes, std::vector<std::size_t> cuts) {
  Fed f;
  c.start(f.rec, true);
  cuts.push_back(bytes.size());
  std::size_t pos = 0;
  std::int64_t t = 0;
  for (const std::size_t end : cuts) {
    if (end < pos) continue;
    test::ExactBuffer piece(bytes.substr(pos, end - pos));
    ReadTokens tokens;
    c.on_read(piece.view(), ++t, tokens);
    pos = end;
  }
  if (!c.done()) c.on_eof(t + 1);
  return f;
}

// Cut points that put each event in a read of its own.
std::vector<std::size_t> event_bounds(const std::string& bytes) {
  std::vector<std::size_t> cuts;
  for (std::size_t at = bytes.find("data: "); at != std::string::npos; at = bytes.find("data: ", at + 1)) {
    cuts.push_back(at);
  }
  return cuts;
}

TEST(ReasoningStream, TtftAtFirstReasoningTtfoAtFirstContent) {
  const std::string bytes = chunked_stream(deepseek_events());
  protocol::EventDecoder d;
  ResponseConsumer c(d, 1u << 20);
  const Fed f = feed(c, bytes, event_bounds(bytes));
  ASSERT_TRUE(f.rec.ok()) << f.rec.message();
  // Read 1 holds the headers; the role chunk is read 2, the first reasoning
  // delta read 3; the empty content event (read 6) is no token; "Hi" is read 7.
  EXPECT_EQ(f.rec.first_token_ns, 3);
  EXPECT_EQ(f.rec.first_output_ns, 7);
  EXPECT_EQ(f.rec.content_events, 5u);
  EXPECT_EQ(f.rec.reasoning_events, 3u);
  EXPECT_EQ(f.rec.output_events, 2u);
  EXPECT_EQ(f.rec.completion_tokens, 5u);
  EXPECT_EQ(f.rec.reasoning_tokens, 3u);
  EXPECT_EQ(stats::content_tokens(f.rec), 2u);
  RequestRecord r = f.rec;
  r.sent_ns = 1;
  EXPECT_EQ(stats::ttft_ns(r), 2);
  EXPECT_EQ(stats::ttfo_ns(r), 6);
}

TEST(ReasoningStream, WithoutReasoningTtfoIsTtft) {
  std::vector<std::string> ev = deepseek_events();
  ev.erase(ev.begin() + 1, ev.begin() + 4);
  const std::string bytes = chunked_stream(ev);
  protocol::EventDecoder d;
  ResponseConsumer c(d, 1u << 20);
  const Fed f = feed(c, bytes, event_bounds(bytes));
  ASSERT_TRUE(f.rec.ok()) << f.rec.message();
  EXPECT_EQ(f.rec.first_token_ns, f.rec.first_output_ns);
  EXPECT_EQ(f.rec.reasoning_events, 0u);
  EXPECT_EQ(f.rec.reasoning_tokens, 0u);
}

// vLLM: `reasoning` deltas, two tokens per event, usage's own reasoning count.
TEST(ReasoningStream, UsageReasoningCountWinsOverTheEventSplit) {
  const std::string bytes = chunked_stream(
      {delta(R"({"role":"assistant","content":""})"), delta(R"({"reasoning":"a b"})"), delta(R"({"reasoning":"c d"})"),
       delta(R"({"content":"e f"})"),
       R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":6,"completion_tokens_details":{"reasoning_tokens":4},"prompt_tokens_details":{"cached_tokens":2}}})",
       "[DONE]"});
  protocol::EventDecoder d;
  ResponseConsumer c(d, 1u << 20);
  const Fed f = feed(c, bytes, event_bounds(bytes));
  ASSERT_TRUE(f.rec.ok()) << f.rec.message();
  EXPECT_EQ(f.rec.reasoning_tokens, 4u);
  EXPECT_EQ(stats::content_tokens(f.rec), 2u);
  EXPECT_EQ(f.rec.cached_tokens, 2);
  EXPECT_LT(f.rec.first_token_ns, f.rec.first_output_ns);
}

// Every split into two reads, and byte by byte: the same counts, and TTFO
// never before TTFT.
TEST(ReasoningStream, EverySplitGivesTheSameSplit) {
  const std::string bytes = chunked_stream(deepseek_events());
  protocol::EventDecoder d;
  ResponseConsumer c(d, 1u << 20);
  const Fed whole = feed(c, bytes, {});
  ASSERT_EQ(whole.rec.reasoning_events, 3u);
  std::vector<std::size_t> bytewise;
  for (std::size_t i = 1; i < bytes.size(); ++i) bytewise.push_back(i);
  std::vector<std::vector<std::size_t>> splits{bytewise};
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) splits.push_back({cut});
  for (const auto& cuts : splits) {
    const Fed f = feed(c, bytes, cuts);
    const std::string where = cuts.size() == 1 ? "cut " + std::to_string(cuts[0]) : "bytewise";
    ASSERT_TRUE(f.rec.ok()) << where << ": " << f.rec.message();
    ASSERT_EQ(f.rec.reasoning_events, 3u) << where;
    ASSERT_EQ(f.rec.output_events, 2u) << where;
    ASSERT_EQ(f.rec.reasoning_tokens, 3u) << where;
    ASSERT_GE(f.rec.first_token_ns, 0) << where;
    ASSERT_GE(f.rec.first_output_ns, f.rec.first_token_ns) << where;
  }
}

}  // namespace
}  // namespace llmbench
