// The mock's prompt cache, as llama-server's: a slot keeps its last prompt and
// reply; the prefix a new prompt shares with them is reported in cache_n and
// usage.prompt_tokens_details.cached_tokens and is not evaluated again.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "llmbench/mock/completion_request.hpp"
#include "mock_test_client.hpp"

namespace llmbench::mock::test {
namespace {

struct Figures {
  std::int64_t cached = -1;
  std::int64_t cache_n = -1;
  std::int64_t prompt_n = -1;
  std::int64_t prompt_tokens = -1;
  std::int64_t completion_tokens = -1;
  double prompt_ms = -1;
  std::string content;
};

Figures figures_of(const Response& r) {
  Figures f;
  simdjson::dom::parser p;
  simdjson::dom::element root;
  if (p.parse(r.body).get(root) != simdjson::SUCCESS) return f;
  if (root["usage"]["prompt_tokens_details"]["cached_tokens"].get(f.cached) != simdjson::SUCCESS) f.cached = -1;
  if (root["usage"]["prompt_tokens"].get(f.prompt_tokens) != simdjson::SUCCESS) f.prompt_tokens = -1;
  if (root["usage"]["completion_tokens"].get(f.completion_tokens) != simdjson::SUCCESS) f.completion_tokens = -1;
  if (root["timings"]["cache_n"].get(f.cache_n) != simdjson::SUCCESS) f.cache_n = -1;
  if (root["timings"]["prompt_n"].get(f.prompt_n) != simdjson::SUCCESS) f.prompt_n = -1;
  if (root["timings"]["prompt_ms"].get(f.prompt_ms) != simdjson::SUCCESS) f.prompt_ms = -1;
  std::string_view content;
  if (root["choices"].at(0)["message"]["content"].get(content) == simdjson::SUCCESS) f.content.assign(content);
  return f;
}

std::string long_text(int words) {
  std::string s;
  for (int i = 0; i < words; ++i) s += "word" + std::to_string(i % 7) + " ";
  return s;
}

Figures chat(std::uint16_t port, const std::string& messages_json, std::string_view extra = {}) {
  const std::string body =
      R"({"messages":)" + messages_json + R"(,"max_tokens":6,"stream":false)" + std::string(extra) + "}";
  const Response r = round_trip(port, post_request("/v1/chat/completions", body));
  EXPECT_EQ(r.status, 200) << r.body;
  return figures_of(r);
}

std::string user_only(std::string_view text) {
  return R"([{"role":"user","content":")" + std::string(text) + R"("}])";
}

TEST(MockPromptCache, SameRequestThriceHitsAllButTheLastToken) {
  Running srv(fast_config());
  const std::string msgs = user_only("Tell me about the sea and the ships on it.");
  const Figures a = chat(srv.port, msgs);
  const Figures b = chat(srv.port, msgs);
  const Figures c = chat(srv.port, msgs);
  ASSERT_GT(a.prompt_tokens, 2);
  // llama-server: cached_tokens 0, then N-1, N-1 (the last prompt token is
  // evaluated again for the first generated token's logits).
  EXPECT_EQ(a.cached, 0);
  EXPECT_EQ(b.cached, a.prompt_tokens - 1);
  EXPECT_EQ(c.cached, a.prompt_tokens - 1);
  EXPECT_EQ(b.cache_n, b.cached);
  EXPECT_EQ(b.prompt_n, 1);
  EXPECT_EQ(a.prompt_n, a.prompt_tokens);
  EXPECT_EQ(b.prompt_tokens, a.prompt_tokens);  // usage counts the whole prompt
}

TEST(MockPromptCache, NextTurnHitsThePromptAndTheReplyTheServerSent) {
  Running srv(fast_config());
  const std::string first = R"({"role":"user","content":"What is a harbour?"})";
  const Figures t1 = chat(srv.port, "[" + first + "]");
  ASSERT_FALSE(t1.content.empty());
  std::string escaped;
  for (char ch : t1.content) {
    if (ch == '"' || ch == '\\') escaped += '\\';
    if (ch == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped += ch;
  }
  const std::string turn2 = "[" + first + R"(,{"role":"assistant","content":")" + escaped +
                            R"("},{"role":"user","content":"And a quay?"}])";
  const Figures t2 = chat(srv.port, turn2);
  // The slot held turn 1's prompt (its assistant primer included) and the
  // reply's tokens: all of them are shared with turn 2.
  EXPECT_EQ(t2.cached, t1.prompt_tokens + t1.completion_tokens);
  EXPECT_EQ(t2.prompt_n, t2.prompt_tokens - t2.cached);
}

TEST(MockPromptCache, CachedPrefixIsNotEvaluatedAgain) {
  MockConfig cfg = fast_config();
  cfg.prompt_tps = 1000;  // 300-odd tokens: ~0.3 s of prompt processing
  Running srv(cfg);
  const std::string msgs = user_only(long_text(300));
  const Figures a = chat(srv.port, msgs);
  const Figures b = chat(srv.port, msgs);
  ASSERT_GT(a.prompt_tokens, 300);
  EXPECT_GE(a.prompt_ms, 290.0);
  EXPECT_LT(b.prompt_ms, 100.0);  // one token at 1 ms, plus scheduling on a busy machine
}

TEST(MockPromptCache, SessionsTakingTurnsKeepTheirOwnSlots) {
  MockConfig cfg = fast_config();
  cfg.slots = 2;
  Running srv(cfg);
  const std::string a = user_only(long_text(40));
  const std::string b = user_only("Something else entirely: " + long_text(40));
  EXPECT_EQ(chat(srv.port, a).cached, 0);
  // Only the template's first tokens in common with a (under a tenth): the
  // least recently used slot, not a's.
  EXPECT_EQ(chat(srv.port, b).cached, 0);
  EXPECT_GT(chat(srv.port, a).cached, 40);
  EXPECT_GT(chat(srv.port, b).cached, 10);
}

TEST(MockPromptCache, OffByOptionOrByRequest) {
  MockConfig cfg = fast_config();
  cfg.prompt_cache = false;
  Running off(cfg);
  const std::string msgs = user_only("The same prompt twice.");
  EXPECT_EQ(chat(off.port, msgs).cached, 0);
  const Figures again = chat(off.port, msgs);
  EXPECT_EQ(again.cached, 0);
  EXPECT_EQ(again.prompt_n, again.prompt_tokens);

  Running on(fast_config());
  EXPECT_EQ(chat(on.port, msgs, R"(,"cache_prompt":false)").cached, 0);
  EXPECT_EQ(chat(on.port, msgs, R"(,"cache_prompt":false)").cached, 0);
  EXPECT_GT(chat(on.port, msgs).cached, 0);
}

TEST(MockPromptCache, StreamedFinalEventCarriesCacheFigures) {
  Running srv(fast_config());
  const std::string body = R"({"messages":[{"role":"user","content":"hello there"}],"max_tokens":3,"stream":true,)"
                           R"("stream_options":{"include_usage":true}})";
  (void)round_trip(srv.port, post_request("/v1/chat/completions", body));
  const Response r = round_trip(srv.port, post_request("/v1/chat/completions", body));
  const std::vector<std::string> ev = sse_data(r.body);
  bool seen = false;
  for (const std::string& e : ev) {
    if (e.find(R"("usage")") == std::string::npos) continue;
    seen = true;
    EXPECT_EQ(e.find(R"("cached_tokens":0)"), std::string::npos) << e;
    EXPECT_EQ(e.find(R"("cache_n":0,)"), std::string::npos) << e;
  }
  EXPECT_TRUE(seen);
}

TEST(MockPromptCache, TokenIdsCountLikeTheTokenizer) {
  const ParsedCompletion c =
      parse_completion(Api::chat, R"({"messages":[{"role":"system","content":"Be brief."},)"
                                  R"({"role":"user","content":[{"type":"text","text":"hi there"}]}]})");
  ASSERT_FALSE(c.error);
  EXPECT_EQ(static_cast<int>(c.request.prompt_ids.size()), c.request.prompt_tokens);
  // BOS + 2 × (role + template) + " Be" " brief" "." + " hi" " there" + primer.
  EXPECT_EQ(c.request.prompt_tokens, 1 + 2 * (1 + kChatTokensPerMessage) + 3 + 2 + kChatPrimerTokens);
  const ParsedCompletion n = parse_completion(Api::native, R"({"prompt":["ab",17,"cd"]})");
  ASSERT_FALSE(n.error);
  ASSERT_EQ(n.request.prompt_ids.size(), 4u);
  EXPECT_EQ(n.request.prompt_ids[2], 17);
}

// POST /slots/{id}?action=erase, as llama-server started with
// --slot-save-path answers it: the slot forgets its prompt, so the next
// request evaluates the whole prompt again.
TEST(MockSlotActions, EraseEmptiesTheSlotsPromptCache) {
  MockConfig cfg = fast_config();
  cfg.slots = 1;
  cfg.slot_actions = true;
  Running srv(cfg);
  const std::string msgs = user_only("Tell me about the sea and the ships on it.");
  const Figures a = chat(srv.port, msgs);
  ASSERT_GT(chat(srv.port, msgs).cached, 0);
  const Response erased = round_trip(srv.port, post_request("/slots/0?action=erase", ""));
  EXPECT_EQ(erased.status, 200) << erased.body;
  // The slot held the prompt and the reply generated after it.
  EXPECT_EQ(erased.body, R"({"id_slot":0,"n_erased":)" + std::to_string(a.prompt_tokens + a.completion_tokens) + "}");
  const Figures after = chat(srv.port, msgs);
  EXPECT_EQ(after.cached, 0);
  EXPECT_EQ(after.prompt_n, after.prompt_tokens);
  EXPECT_EQ(srv.server.stats().slot_erases, 1u);
}

TEST(MockSlotActions, RefusedAsLlamaServerRefusesThem) {
  MockConfig cfg = fast_config();
  {
    Running off(cfg);  // no --slot-save-path: every slot action is 501
    const Response r = round_trip(off.port, post_request("/slots/0?action=erase", ""));
    EXPECT_EQ(r.status, 501);
    EXPECT_NE(r.body.find("This server does not support slots action. Start it with `--slot-save-path`"),
              std::string::npos) << r.body;
  }
  cfg.slot_actions = true;
  Running on(cfg);
  for (const char* path : {"/slots/4?action=erase", "/slots/x?action=erase", "/slots/-1?action=erase",
                           "/slots/0x?action=erase"}) {
    const Response r = round_trip(on.port, post_request(path, ""));
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_NE(r.body.find("Invalid slot ID"), std::string::npos) << path << ": " << r.body;
  }
  for (const char* path : {"/slots/0?action=wipe", "/slots/0", "/slots/0?xaction=erase"}) {
    const Response r = round_trip(on.port, post_request(path, ""));
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_NE(r.body.find("Invalid action"), std::string::npos) << path << ": " << r.body;
  }
  EXPECT_EQ(on.server.stats().slot_erases, 0u);
}

}  // namespace
}  // namespace llmbench::mock::test
