// Multi-turn sessions: where a turn's history goes in its request, what the
// history holds, and the reply capture it is made from (the events' raw
// output strings, escapes kept), fed whole and split at every offset.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <regex>
#include <string>
#include <vector>

#include "llmbench/cli/session_plan.hpp"
#include "llmbench/http/request.hpp"
#include "llmbench/load/response_consumer.hpp"
#include "llmbench/load/session.hpp"
#include "llmbench/protocol/api.hpp"
#include "llmbench/protocol/event_decoder.hpp"
#include "test_support.hpp"

namespace llmbench {
namespace {

PromptItem turn_item(protocol::ApiFlavor flavor, std::vector<protocol::ChatMessage> messages, std::string prompt = {}) {
  protocol::GenerationRequest g;
  g.flavor = flavor;
  g.model = "m";
  g.messages = std::move(messages);
  g.prompt = std::move(prompt);
  g.max_tokens = 16;
  PromptItem item;
  item.request = http::build_request("POST", http::Target{}, protocol::default_path(flavor), {}, protocol::build_body(g));
  return item;
}

RunPlan plan_of(protocol::ApiFlavor flavor, std::vector<PromptItem> items) {
  RunPlan plan;
  plan.flavor = flavor;
  for (PromptItem& it : items) {
    EXPECT_TRUE(locate_session_splice(it, flavor));
    plan.prompts.push_back(std::move(it));
  }
  return plan;
}

// The body of a built request, checked against its Content-Length.
std::string body_of(const std::string& request) {
  const std::size_t at = request.find("\r\n\r\n");
  const std::size_t len = request.find("Content-Length: ");
  EXPECT_NE(at, std::string::npos);
  EXPECT_NE(len, std::string::npos);
  const std::string body = request.substr(at + 4);
  EXPECT_EQ(std::stoul(request.substr(len + 16)), body.size());
  return body;
}

struct Message {
  std::string role, content;
  bool operator==(const Message&) const = default;
};

std::vector<Message> messages_of(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(body).get(doc), simdjson::SUCCESS) << body;
  std::vector<Message> out;
  for (simdjson::dom::element m : doc["messages"].get_array()) {
    out.push_back({std::string(m["role"].get_string().value()), std::string(m["content"].get_string().value())});
  }
  return out;
}

std::string prompt_of(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(body).get(doc), simdjson::SUCCESS) << body;
  return std::string(doc["prompt"].get_string().value());
}

TEST(SessionSplice, ChatTurnCarriesEarlierTurnsAndTheServersReplies) {
  RunPlan plan = plan_of(protocol::ApiFlavor::chat,
                         {turn_item(protocol::ApiFlavor::chat, {{"system", "be brief"}, {"user", "first \"q\""}}),
                          turn_item(protocol::ApiFlavor::chat, {{"user", "second"}}),
                          turn_item(protocol::ApiFlavor::chat, {{"user", "third\n"}})});
  SessionHistory h;
  std::string req;
  h.build(plan, 0, req);
  EXPECT_EQ(req, plan.prompts[0].request);  // no history: the turn alone, byte for byte
  h.reply() = R"(one \"quoted\" line\nand \u00e9)";  // as the events carried it, escapes kept
  h.commit(0, 10, 0);
  h.reply() = "two";
  h.commit(1, 10, 0);
  h.build(plan, 2, req);
  const std::vector<Message> want{{"system", "be brief"},
                                  {"user", "first \"q\""},
                                  {"assistant", "one \"quoted\" line\nand \xc3\xa9"},
                                  {"user", "second"},
                                  {"assistant", "two"},
                                  {"user", "third\n"}};
  EXPECT_EQ(messages_of(body_of(req)), want);
  EXPECT_NE(req.find("\"max_tokens\":16"), std::string::npos);
}

TEST(SessionSplice, CompletionsJoinTheConversationIntoOnePrompt) {
  for (const auto flavor : {protocol::ApiFlavor::completions, protocol::ApiFlavor::native}) {
    RunPlan plan = plan_of(flavor, {turn_item(flavor, {}, "Q1"), turn_item(flavor, {}, "Q2 \"x\"")});
    SessionHistory h;
    h.reply() = "A1";
    h.commit(0, 4, 0);
    std::string req;
    h.build(plan, 1, req);
    EXPECT_EQ(prompt_of(body_of(req)), "Q1\n\nA1\n\nQ2 \"x\"");
  }
}

TEST(SessionSplice, ControlCharactersInAReplyCannotBreakTheJson) {
  RunPlan plan = plan_of(protocol::ApiFlavor::chat, {turn_item(protocol::ApiFlavor::chat, {{"user", "a"}}),
                                                     turn_item(protocol::ApiFlavor::chat, {{"user", "b"}})});
  SessionHistory h;
  h.reply() = std::string("x\ty\x01z");
  h.commit(0, 1, 0);
  std::string req;
  h.build(plan, 1, req);
  EXPECT_EQ(messages_of(body_of(req))[1].content, "x y z");
}

TEST(SessionSplice, HistoryKeepsItsNewestTurnsWithinTheTokenBound) {
  RunPlan plan = plan_of(protocol::ApiFlavor::chat, {turn_item(protocol::ApiFlavor::chat, {{"user", "t1"}}),
                                                     turn_item(protocol::ApiFlavor::chat, {{"user", "t2"}}),
                                                     turn_item(protocol::ApiFlavor::chat, {{"user", "t3"}}),
                                                     turn_item(protocol::ApiFlavor::chat, {{"user", "t4"}})});
  SessionHistory h;
  for (std::uint32_t k = 0; k < 3; ++k) {
    h.reply() = "r" + std::to_string(k + 1);
    h.commit(k, 40, 100);  // 3 x 40 > 100: the oldest goes
  }
  EXPECT_EQ(h.turns_kept(), 2u);
  EXPECT_EQ(h.turns_dropped(), 1u);
  std::string req;
  h.build(plan, 3, req);
  const std::vector<Message> want{{"user", "t2"}, {"assistant", "r2"}, {"user", "t3"}, {"assistant", "r3"}, {"user", "t4"}};
  EXPECT_EQ(messages_of(body_of(req)), want);
  h.reset();
  h.build(plan, 3, req);
  EXPECT_EQ(req, plan.prompts[3].request);
}

TEST(SessionSplice, RefusesARequestWithoutAPlaceForHistory) {
  PromptItem item = turn_item(protocol::ApiFlavor::embeddings, {}, "text");
  EXPECT_FALSE(locate_session_splice(item, protocol::ApiFlavor::embeddings));
  PromptItem no_length;
  no_length.request = "POST / HTTP/1.1\r\n\r\n{\"messages\":[]}";
  EXPECT_FALSE(locate_session_splice(no_length, protocol::ApiFlavor::chat));
}

TEST(SessionTurns, JsonLinesMessagesAreCutAtEachUserMessage) {
  const auto turns = cli::user_turns({{"system", "s"}, {"user", "u1"}, {"assistant", "a1"}, {"user", "u2"},
                                      {"assistant", "a2"}, {"tool", "t"}, {"user", "u3"}, {"assistant", "a3"}});
  ASSERT_EQ(turns.size(), 3u);
  EXPECT_EQ(turns[0].size(), 2u);  // the system message stays with turn 1
  EXPECT_EQ(turns[0][0].role, "system");
  EXPECT_EQ(turns[1].size(), 1u);
  EXPECT_EQ(turns[1][0].content, "u2");
  EXPECT_EQ(turns[2].size(), 2u);  // the tool message before u3
  EXPECT_EQ(turns[2][1].content, "u3");
}

// The decoder's raw output string: the same from a full decode and from the
// template path, and never reasoning.
TEST(SessionCapture, DecoderGivesTheOutputStringRawOnBothPaths) {
  protocol::EventDecoder d;
  protocol::EventTemplate tpl;
  protocol::EventInfo info;
  const std::string a = R"({"choices":[{"index":0,"delta":{"content":"he said \"hi\"\n"}}],"created":1})";
  const std::string b = R"({"choices":[{"index":0,"delta":{"content":"caf\u00e9"}}],"created":1})";
  ASSERT_EQ(d.decode(a, 0, info, &tpl), protocol::DecodeStatus::ok);
  EXPECT_EQ(info.output_raw, R"(he said \"hi\"\n)");
  ASSERT_EQ(d.decode(b, 0, info, &tpl), protocol::DecodeStatus::ok);
  EXPECT_GT(tpl.hits, 0u);  // the second event took the template path
  EXPECT_EQ(info.output_raw, R"(caf\u00e9)");
  const std::string r = R"({"choices":[{"index":0,"delta":{"reasoning_content":"think"}}]})";
  ASSERT_EQ(d.decode(r, 0, info, &tpl), protocol::DecodeStatus::ok);
  EXPECT_TRUE(info.output_raw.empty());
  const std::string native = R"({"content":"nat","stop":false})";
  ASSERT_EQ(d.decode(native, info), protocol::DecodeStatus::ok);
  EXPECT_EQ(info.output_raw, "nat");
  const std::string text = R"({"choices":[{"text":"cmpl","index":0}]})";
  ASSERT_EQ(d.decode(text, info), protocol::DecodeStatus::ok);
  EXPECT_EQ(info.output_raw, "cmpl");
}

std::string captured(std::string_view bytes, const std::vector<std::size_t>& cuts) {
  protocol::EventDecoder decoder;
  ResponseConsumer consumer(decoder, 1u << 20);
  std::string reply = "left over from an earlier turn";
  consumer.capture_reply(&reply);
  RequestRecord rec;
  consumer.start(rec, true);
  std::size_t pos = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (const std::size_t end : ends) {
    test::ExactBuffer piece(bytes.substr(pos, end - pos));
    ReadTokens t;
    pos = end;
    if (consumer.on_read(piece.view(), 1, t) == ConsumeState::done) break;
  }
  EXPECT_TRUE(rec.ok()) << rec.message();
  return reply;
}

// A real llama-server stream: the capture is every content string, in order,
// however the bytes were split.
TEST(SessionCapture, ReplyOfARealStreamSplitAtEveryOffset) {
  const std::string bytes = test::fixture("chat_stream.http");
  std::string want;
  const std::regex content(R"re("delta":\{"content":"((?:[^"\\]|\\.)*)")re");
  for (auto it = std::sregex_iterator(bytes.begin(), bytes.end(), content); it != std::sregex_iterator(); ++it) {
    want += (*it)[1].str();
  }
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(captured(bytes, {}), want);
  for (std::size_t cut = 1; cut < bytes.size(); ++cut) ASSERT_EQ(captured(bytes, {cut}), want) << "split at " << cut;
}

}  // namespace
}  // namespace llmbench
