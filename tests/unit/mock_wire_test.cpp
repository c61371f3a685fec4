// The mock's bytes against llama-server's captured ones: each test sends the
// exact request body that produced a fixture and compares the structure of
// the answer (status, header names and fixed header values, HTTP chunking,
// SSE events per chunk, JSON keys in order) rather than ids, times or text.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "mock_test_client.hpp"
#include "test_support.hpp"

namespace llmbench::mock::test {
namespace {

using llmbench::test::fixture;

// Headers whose values are the same on every response of their kind.
constexpr std::string_view kFixedHeaders[] = {"Server", "Content-Type", "Transfer-Encoding", "Keep-Alive",
                                              "X-Accel-Buffering", "Connection", "Access-Control-Allow-Origin"};

void expect_same_head(const Response& mock, const Response& want) {
  EXPECT_EQ(mock.status, want.status);
  EXPECT_EQ(mock.header_names(), want.header_names());
  for (const std::string_view h : kFixedHeaders) EXPECT_EQ(mock.header(h), want.header(h)) << h;
}

// Per HTTP chunk, the structure of each SSE event in it.
std::vector<std::vector<std::string>> chunk_shapes(const Response& r) {
  std::vector<std::vector<std::string>> out;
  for (const Chunk& c : r.chunks) {
    std::vector<std::string> events;
    for (const std::string& d : sse_data(c.data)) events.push_back(d == "[DONE]" ? d : json_shape(d));
    out.push_back(std::move(events));
  }
  return out;
}

struct Exchange {
  Response mock;
  Response want;
};

// Sends requests/NAME.json to `path` of a fresh mock and reads NAME.http.
Exchange replay(const std::string& name, std::string_view path, MockConfig cfg = fast_config()) {
  Running srv(std::move(cfg));
  Exchange x;
  x.mock = round_trip(srv.port, post_request(path, fixture("requests/" + name + ".json")));
  x.want = parse_captured(fixture(name + ".http"));
  return x;
}

void expect_same_stream(const Exchange& x) {
  expect_same_head(x.mock, x.want);
  ASSERT_TRUE(x.mock.complete) << "stream ended by " << to_string(x.mock.end);
  ASSERT_TRUE(x.want.complete);
  // Every token of these captures is its own chunk, so the chunk lists line up
  // one to one (both runs generate max_tokens = 16 tokens).
  EXPECT_EQ(chunk_shapes(x.mock), chunk_shapes(x.want));
  EXPECT_TRUE(x.mock.raw.ends_with("\r\n0\r\n\r\n"));
  // Lowercase hex chunk sizes, as cpp-httplib writes them.
  const std::string_view body = llmbench::test::after_headers(x.mock.raw);
  std::size_t p = 0;
  while (p < body.size()) {
    const std::size_t eol = body.find("\r\n", p);
    ASSERT_NE(eol, std::string_view::npos);
    const std::string_view size_line = body.substr(p, eol - p);
    EXPECT_EQ(size_line.find_first_not_of("0123456789abcdef"), std::string_view::npos) << size_line;
    const std::size_t n = std::stoul(std::string(size_line), nullptr, 16);
    p = eol + 2 + n + 2;
    if (n == 0) break;
  }
  EXPECT_EQ(p, body.size());
}

TEST(MockWire, ChatStreamMatchesFixture) {
  const Exchange x = replay("chat_stream", "/v1/chat/completions");
  expect_same_stream(x);
  ASSERT_GE(x.mock.chunks.size(), 3u);
  // The role event and the first token share the first HTTP chunk.
  const auto first = sse_data(x.mock.chunks.front().data);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_NE(first[0].find(R"("delta":{"role":"assistant","content":null})"), std::string::npos) << first[0];
  EXPECT_NE(first[1].find(R"("delta":{"content":)"), std::string::npos) << first[1];
  EXPECT_EQ(x.mock.chunks.back().data, "data: [DONE]\n\n");
  // Without include_usage the final delta carries the timings, and no usage.
  const std::string& final_event = x.mock.chunks[x.mock.chunks.size() - 2].data;
  EXPECT_NE(final_event.find(R"("finish_reason":"length")"), std::string::npos);
  EXPECT_NE(final_event.find(R"("timings":)"), std::string::npos);
  EXPECT_EQ(final_event.find(R"("usage":)"), std::string::npos);
}

// MockConfig::stamp: each token event ends with "stamp_ns", CLOCK_MONOTONIC
// when it was built (before it was written, so before the client has it);
// the role and final events carry none.
TEST(MockWire, StampedTokenEventsCarryTheirSendTime) {
  MockConfig cfg = fast_config();
  cfg.stamp = true;
  const Clock::time_point sent = Clock::now();
  const Exchange x = replay("chat_stream", "/v1/chat/completions", cfg);
  ASSERT_TRUE(x.mock.complete);
  const auto ns = [](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  };
  std::int64_t previous = ns(sent);
  int stamped = 0;
  for (const Chunk& c : x.mock.chunks) {
    for (const std::string& e : sse_data(c.data)) {
      const std::size_t at = e.find(R"("stamp_ns":)");
      const bool token = e.find(R"("delta":{"content":)") != std::string::npos;
      EXPECT_EQ(at != std::string::npos, token) << e;
      if (at == std::string::npos) continue;
      const std::int64_t stamp = std::stoll(e.substr(at + 11));
      EXPECT_GE(stamp, previous) << "stamps go back, or precede the request";
      EXPECT_LE(stamp, ns(c.complete_at)) << "stamped after the client had the event";
      previous = stamp;
      ++stamped;
    }
  }
  EXPECT_EQ(stamped, 16);
}

TEST(MockWire, ChatStreamWithUsageMatchesFixture) {
  const Exchange x = replay("chat_stream_usage", "/v1/chat/completions");
  expect_same_stream(x);
  ASSERT_GE(x.mock.chunks.size(), 3u);
  const auto last = sse_data(x.mock.chunks[x.mock.chunks.size() - 2].data);
  ASSERT_EQ(last.size(), 2u);  // final delta, then the usage event, in one chunk
  EXPECT_NE(last[1].find(R"("choices":[])"), std::string::npos);
  EXPECT_NE(last[1].find(R"("usage":{"completion_tokens":16,)"), std::string::npos) << last[1];
  EXPECT_EQ(x.mock.chunks.back().data, "data: [DONE]\n\n");
}

TEST(MockWire, CompletionsStreamMatchesFixture) {
  for (const char* name : {"cmpl_stream", "cmpl_stream_usage"}) {
    SCOPED_TRACE(name);
    const Exchange x = replay(name, "/v1/completions");
    expect_same_stream(x);
    ASSERT_GE(x.mock.chunks.size(), 2u);
    const std::string& last = x.mock.chunks[x.mock.chunks.size() - 2].data;
    EXPECT_NE(last.find(R"("usage":{"completion_tokens":16,)"), std::string::npos) << last;
    EXPECT_EQ(x.mock.chunks.back().data, "data: [DONE]\n\n");
  }
}

TEST(MockWire, NativeStreamMatchesFixture) {
  const Exchange x = replay("completion_stream", "/completion");
  expect_same_stream(x);
  ASSERT_FALSE(x.mock.chunks.empty());
  const std::string& last = x.mock.chunks.back().data;
  EXPECT_NE(last.find(R"("content":"","tokens":[],)"), std::string::npos);
  EXPECT_NE(last.find(R"("stop":true)"), std::string::npos);
  EXPECT_EQ(x.mock.body.find("[DONE]"), std::string::npos);
  for (std::size_t i = 0; i + 1 < x.mock.chunks.size(); ++i) {
    EXPECT_NE(x.mock.chunks[i].data.find(R"("stop":false)"), std::string::npos) << i;
  }
}

TEST(MockWire, NonStreamedBodiesMatchFixtures) {
  const std::pair<const char*, const char*> cases[] = {
      {"chat_nonstream", "/v1/chat/completions"},
      {"cmpl_nonstream", "/v1/completions"},
      {"completion_nonstream", "/completion"},
  };
  for (const auto& [name, path] : cases) {
    SCOPED_TRACE(name);
    const Exchange x = replay(name, path);
    expect_same_head(x.mock, x.want);
    ASSERT_TRUE(x.mock.complete);
    EXPECT_EQ(x.mock.header("Content-Length"), std::to_string(x.mock.body.size()));
    EXPECT_EQ(json_shape(x.mock.body), json_shape(x.want.body));
    if (std::string_view(name) != "completion_nonstream") {
      EXPECT_NE(x.mock.body.find(R"("usage":{"completion_tokens":16,)"), std::string::npos) << x.mock.body;
    }
    EXPECT_NE(x.mock.body.find(R"("timings":{"cache_n":)"), std::string::npos);
  }
}

TEST(MockWire, HealthReadyAndLoading) {
  {
    Running srv(fast_config());
    const Response r = round_trip(srv.port, get_request("/health"));
    const Response want = parse_captured(fixture("health.http"));
    expect_same_head(r, want);
    EXPECT_EQ(r.body, want.body);
  }
  MockConfig cfg = fast_config();
  cfg.load_seconds = 60;  // far longer than the test: loading throughout
  Running srv(cfg);
  const Response r = round_trip(srv.port, get_request("/health"));
  const Response want = parse_captured(fixture("health_loading.http"));
  expect_same_head(r, want);
  EXPECT_EQ(r.body, want.body);
  // Completions are refused the same way while loading.
  const Response c = round_trip(srv.port, post_request("/v1/chat/completions", fixture("requests/chat_stream.json")));
  EXPECT_EQ(c.status, 503);
  EXPECT_EQ(c.body, want.body);
}

TEST(MockWire, HealthEchoesOrigin) {
  Running srv(fast_config());
  const Response r = round_trip(srv.port, get_request("/health", "Origin: http://example.test\r\n"));
  const Response want = parse_captured(fixture("health_with_origin.http"));
  EXPECT_EQ(r.header_names(), want.header_names());
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "http://example.test");
}

// The captures' "vocab_type":true is an upstream regression of the build they
// were taken with (b10585 switched to common_json, whose bool constructor
// catches the unscoped enum llama_vocab_type); llama-server before it, and
// every client that reads the field, have the integer: SPM is 1. The mock
// sends 1, and otherwise the captured shape.
std::string models_shape_as_intended(std::string body) {
  const std::string_view regressed = R"("vocab_type":true)";
  const auto at = body.find(regressed);
  EXPECT_NE(at, std::string::npos) << "the fixture changed: re-check vocab_type";
  if (at != std::string::npos) body.replace(at, regressed.size(), R"("vocab_type":1)");
  return json_shape(body);
}

TEST(MockWire, ModelsListTheModelId) {
  for (const char* path : {"/v1/models", "/models"}) {
    SCOPED_TRACE(path);
    MockConfig cfg = fast_config();
    cfg.model_path = "/srv/models/x.gguf";
    Running srv(cfg);
    const Response r = round_trip(srv.port, get_request(path));
    const Response want = parse_captured(fixture(std::string(path) == "/models" ? "models.http" : "models_v1.http"));
    expect_same_head(r, want);
    EXPECT_EQ(json_shape(r.body), models_shape_as_intended(want.body));
    EXPECT_NE(r.body.find(R"("data":[{"id":"/srv/models/x.gguf",)"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(R"("meta":{"vocab_type":1,"n_vocab":32000,)"), std::string::npos) << r.body;
  }
  MockConfig cfg = fast_config();
  cfg.alias = "small-random-llama";
  Running srv(cfg);
  const Response r = round_trip(srv.port, get_request("/v1/models"));
  const Response want = parse_captured(fixture("models_v1_alias.http"));
  EXPECT_EQ(json_shape(r.body), models_shape_as_intended(want.body));
  EXPECT_NE(r.body.find(R"("data":[{"id":"small-random-llama",)"), std::string::npos) << r.body;
}

TEST(MockWire, PropsMatchFixture) {
  MockConfig cfg = fast_config();
  cfg.slots = 3;
  Running srv(cfg);
  const Response r = round_trip(srv.port, get_request("/props"));
  const Response want = parse_captured(fixture("props.http"));
  expect_same_head(r, want);
  EXPECT_EQ(json_shape(r.body), json_shape(want.body));
  EXPECT_NE(r.body.find(R"("total_slots":3,)"), std::string::npos);
}

TEST(MockWire, PropsWithAnAliasMatchFixture) {
  MockConfig cfg = fast_config();
  cfg.alias = "small-random-llama";
  cfg.model_path = "/srv/llms/models/small-random-llama-512x8.gguf";
  Running srv(cfg);
  const Response r = round_trip(srv.port, get_request("/props"));
  const Response want = parse_captured(fixture("props_alias.http"));
  expect_same_head(r, want);
  EXPECT_EQ(json_shape(r.body), json_shape(want.body));
  EXPECT_NE(r.body.find(R"("model_alias":"small-random-llama")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("model_path":"/srv/llms/models/small-random-llama-512x8.gguf")"), std::string::npos);
}

// The error event that ends a stream mid-way (fault error_event), against
// the captured ones: the same head, the same last event, no [DONE].
TEST(MockWire, MidStreamErrorMatchesFixtures) {
  MockConfig cfg = fast_config();
  cfg.fault = "error_event";
  cfg.fault_after_tokens = 5;
  const std::pair<const char*, const char*> cases[] = {
      {"err_midstream_chat_stream", "/v1/chat/completions"},
      {"err_midstream_completion_stream", "/completion"},
  };
  for (const auto& [name, path] : cases) {
    SCOPED_TRACE(name);
    const Exchange x = replay(name, path, cfg);
    expect_same_head(x.mock, x.want);
    const auto mock_events = sse_data(x.mock.body);
    const auto want_events = sse_data(x.want.body);
    ASSERT_FALSE(mock_events.empty());
    ASSERT_FALSE(want_events.empty());
    EXPECT_EQ(mock_events.back(), want_events.back());
    EXPECT_EQ(x.mock.body.find("[DONE]"), std::string::npos);
  }
}

TEST(MockWire, TokenizeMatchesFixture) {
  Running srv(fast_config());
  for (const char* name : {"tokenize", "tokenize_pieces"}) {
    SCOPED_TRACE(name);
    const Response r = round_trip(srv.port, post_request("/tokenize", fixture(std::string("requests/") + name + ".json")));
    const Response want = parse_captured(fixture(std::string(name) + ".http"));
    expect_same_head(r, want);
    EXPECT_EQ(json_shape(r.body), json_shape(want.body));
    // The toy tokenizer splits these words the way the llama vocabulary does.
    EXPECT_EQ(std::count(r.body.begin(), r.body.end(), ','), std::count(want.body.begin(), want.body.end(), ','));
  }
  const Response pieces = round_trip(srv.port, post_request("/tokenize", fixture("requests/tokenize_pieces.json")));
  EXPECT_NE(pieces.body.find(R"("piece":" Hello"},{"id":)"), std::string::npos) << pieces.body;
}

// The chat path's count, three ways: /apply-template renders the messages
// (ChatML), /tokenize with add_special counts that text with its BOS and the
// special tokens as one each (parse_special, on by default as in
// llama-server), and the completion's usage.prompt_tokens is the same number.
TEST(MockWire, ApplyTemplateThenTokenizeCountsWhatTheChatPathCounts) {
  Running srv(fast_config());
  const std::string content = "the people of the world, and their place in it";
  const std::string messages = R"({"messages":[{"role":"user","content":")" + content + R"("}]})";
  const Response t = round_trip(srv.port, post_request("/apply-template", messages));
  ASSERT_EQ(t.status, 200) << t.body;
  const std::string want_prompt = "<|im_start|>user\\n" + content + "<|im_end|>\\n<|im_start|>assistant\\n";
  EXPECT_NE(t.body.find(want_prompt), std::string::npos) << t.body;
  const std::size_t at = t.body.find(R"("prompt":)") + 9;
  const std::string prompt_json = t.body.substr(at, t.body.rfind('}') - at);
  const Response tok =
      round_trip(srv.port, post_request("/tokenize", R"({"content":)" + prompt_json + R"(,"add_special":true})"));
  ASSERT_EQ(tok.status, 200) << tok.body;
  const auto tokens = static_cast<long>(std::count(tok.body.begin(), tok.body.end(), ',')) + 1;
  const Response chat = round_trip(
      srv.port, post_request("/v1/chat/completions",
                             R"({"max_tokens":1,"messages":[{"role":"user","content":")" + content + R"("}]})"));
  ASSERT_EQ(chat.status, 200) << chat.body;
  EXPECT_NE(chat.body.find(R"("prompt_tokens":)" + std::to_string(tokens) + ","), std::string::npos)
      << tokens << " tokens by /tokenize; " << chat.body;
  // Without parse_special the markers are text: more tokens.
  const Response plain = round_trip(
      srv.port, post_request("/tokenize", R"({"content":)" + prompt_json + R"(,"add_special":true,"parse_special":false})"));
  EXPECT_GT(static_cast<long>(std::count(plain.body.begin(), plain.body.end(), ',')) + 1, tokens);
  // A body without messages is a 400, as llama-server answers it.
  EXPECT_EQ(round_trip(srv.port, post_request("/apply-template", "{}")).status, 400);
}

TEST(MockWire, ErrorsMatchFixtures) {
  Running srv(fast_config());
  {
    const Response r = round_trip(srv.port, get_request("/v1/does-not-exist"));
    const Response want = parse_captured(fixture("err_not_found.http"));
    expect_same_head(r, want);
    EXPECT_EQ(r.body, want.body);
  }
  const std::pair<const char*, const char*> cases[] = {
      {"err_missing_messages", "/v1/chat/completions"},
      {"err_invalid_json_chat", "/v1/chat/completions"},
      {"err_invalid_json_completion", "/completion"},
  };
  for (const auto& [name, path] : cases) {
    SCOPED_TRACE(name);
    const Response r = round_trip(srv.port, post_request(path, fixture(std::string("requests/") + name + ".json")));
    const Response want = parse_captured(fixture(std::string(name) + ".http"));
    expect_same_head(r, want);
    EXPECT_EQ(r.body, want.body);
  }
}

TEST(MockWire, PromptTooLongIsPlainJsonEvenWhenStreamed) {
  MockConfig cfg = fast_config();
  cfg.n_ctx_slot = 512;
  Running srv(cfg);
  const Response r = round_trip(srv.port, post_request("/v1/chat/completions",
                                                     fixture("requests/err_prompt_too_long_chat_stream.json")));
  const Response want = parse_captured(fixture("err_prompt_too_long_chat_stream.http"));
  expect_same_head(r, want);
  EXPECT_EQ(json_shape(r.body), json_shape(want.body));
  EXPECT_NE(r.body.find(R"("type":"exceed_context_size_error")"), std::string::npos);
}

// Every prompt-too-long capture: the same status, head and shape, and the
// message in llama-server's words with the mock's own counts.
TEST(MockWire, PromptTooLongOnEveryEndpoint) {
  MockConfig cfg = fast_config();
  cfg.n_ctx_slot = 512;
  const std::pair<const char*, const char*> cases[] = {
      {"err_prompt_too_long_chat_nonstream", "/v1/chat/completions"},
      {"err_prompt_too_long_chat_stream", "/v1/chat/completions"},
      {"err_prompt_too_long_completion", "/completion"},
  };
  for (const auto& [name, path] : cases) {
    SCOPED_TRACE(name);
    const Exchange x = replay(name, path, cfg);
    expect_same_head(x.mock, x.want);
    EXPECT_EQ(json_shape(x.mock.body), json_shape(x.want.body));
    const std::regex message(
        R"re(^\{"error":\{"code":400,"message":"request \((\d+) tokens\) exceeds the available context size \(512 tokens\), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":(\d+),"n_ctx":512\}\}$)re");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(x.mock.body, m, message)) << x.mock.body;
    EXPECT_EQ(m[1], m[2]);
    EXPECT_TRUE(std::regex_match(x.want.body, message)) << x.want.body;
  }
}

// A generation that fills the slot's context ends there, as the captures
// do: chat with finish_reason "length" and fewer tokens than asked for;
// native also with "truncated": true and "stop_type": "limit".
TEST(MockWire, GenerationStopsAtTheContext) {
  MockConfig cfg = fast_config();
  cfg.n_ctx_slot = 512;
  cfg.decode_tps = 1e5;
  {
    const Exchange x = replay("max_tokens_over_ctx", "/v1/chat/completions", cfg);
    expect_same_head(x.mock, x.want);
    EXPECT_EQ(json_shape(x.mock.body), json_shape(x.want.body));
    const std::regex usage(R"re("finish_reason":"length".*"usage":\{"completion_tokens":(\d+),"prompt_tokens":(\d+),)re");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(x.mock.body, m, usage)) << x.mock.body.substr(0, 200);
    EXPECT_EQ(std::stoi(m[1]) + std::stoi(m[2]), 512);
  }
  const Exchange x = replay("completion_max_tokens_over_ctx", "/completion", cfg);
  expect_same_head(x.mock, x.want);
  EXPECT_EQ(json_shape(x.mock.body), json_shape(x.want.body));
  EXPECT_NE(x.mock.body.find(R"("truncated":true,"stop_type":"limit")"), std::string::npos);
  const std::regex counts(R"re("tokens_predicted":(\d+),"tokens_evaluated":(\d+),)re");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(x.mock.body, m, counts));
  EXPECT_EQ(std::stoi(m[1]) + std::stoi(m[2]), 512);
  // Within the context, native says "truncated": false.
  const Exchange fits = replay("completion_nonstream", "/completion", cfg);
  EXPECT_NE(fits.mock.body.find(R"("truncated":false,"stop_type":"limit")"), std::string::npos);
}

// eos_after_tokens: the model's own stop, as llama-server reports it (chat
// "stop", native "stop_type":"eos"), its end-of-sequence token counted but
// without text; a request with ignore_eos runs to max_tokens.
TEST(MockWire, TheModelsOwnStopUnlessIgnoreEos) {
  MockConfig cfg = fast_config();
  cfg.eos_after_tokens = 4;
  Running srv(cfg);
  const Response chat = round_trip(
      srv.port, post_request("/v1/chat/completions",
                             R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":16,"stream":false})"));
  EXPECT_NE(chat.body.find(R"("finish_reason":"stop")"), std::string::npos) << chat.body;
  EXPECT_NE(chat.body.find(R"("usage":{"completion_tokens":4,)"), std::string::npos) << chat.body;
  const Response native = round_trip(
      srv.port, post_request("/completion", R"({"prompt":"hi","n_predict":16,"stream":true})"));
  const auto events = sse_data(native.body);
  ASSERT_EQ(events.size(), 5u);  // 4 tokens and the final event
  EXPECT_NE(events[3].find(R"("content":"")"), std::string::npos) << events[3];  // the end-of-sequence
  EXPECT_NE(events[4].find(R"("truncated":false,"stop_type":"eos")"), std::string::npos) << events[4];
  const Response ignored = round_trip(
      srv.port, post_request("/v1/chat/completions",
                             R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":16,"ignore_eos":true,"stream":false})"));
  EXPECT_NE(ignored.body.find(R"("finish_reason":"length")"), std::string::npos) << ignored.body;
  EXPECT_NE(ignored.body.find(R"("usage":{"completion_tokens":16,)"), std::string::npos) << ignored.body;
}

TEST(MockWire, SlotsMatchFixture) {
  MockConfig cfg = fast_config();
  cfg.slots = 4;
  Running srv(cfg);
  const Response idle = round_trip(srv.port, get_request("/slots"));
  EXPECT_EQ(json_shape(idle.body), json_shape(parse_captured(fixture("slots_idle.http")).body));
  (void)round_trip(srv.port, post_request("/completion", fixture("requests/completion_nonstream.json")));
  const Response after = round_trip(srv.port, get_request("/slots"));
  const Response want = parse_captured(fixture("slots_after.http"));
  // The first slot was used: it has the full set of keys of a used slot.
  simdjson::dom::parser p1;
  simdjson::dom::parser p2;
  simdjson::dom::element a;
  simdjson::dom::element w;
  ASSERT_EQ(p1.parse(after.body).get(a), simdjson::SUCCESS);
  ASSERT_EQ(p2.parse(want.body).get(w), simdjson::SUCCESS);
  std::string used_mock;
  std::string used_want;
  append_shape(used_mock, a.at(0));
  for (auto s : w.get_array()) {
    if (s["id_task"].error() == simdjson::SUCCESS) {
      append_shape(used_want, s);
      break;
    }
  }
  EXPECT_EQ(used_mock, used_want);
}

// While a request generates: its slot shows as processing, with the keys of
// the captured busy slot, and /metrics counts it.
TEST(MockWire, BusySlotAndMetricsWhileGenerating) {
  MockConfig cfg = fast_config();
  cfg.decode_tps = 20;
  cfg.metrics = true;
  Running srv(cfg);
  Conn gen(srv.port);
  gen.send_all(post_request("/v1/chat/completions",
                            R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":1000,"stream":true})"));
  std::string started;
  ASSERT_EQ(gen.read_some(started, kIoTimeout), ReadStatus::data);
  const Response slots = round_trip(srv.port, get_request("/slots"));
  const Response want = parse_captured(fixture("slots_busy.http"));
  simdjson::dom::parser p1;
  simdjson::dom::parser p2;
  simdjson::dom::element a;
  simdjson::dom::element w;
  ASSERT_EQ(p1.parse(slots.body).get(a), simdjson::SUCCESS);
  ASSERT_EQ(p2.parse(want.body).get(w), simdjson::SUCCESS);
  std::string busy_mock;
  std::string busy_want;
  append_shape(busy_mock, a.at(0));
  for (auto s : w.get_array()) {
    bool processing = false;
    if (s["is_processing"].get(processing) == simdjson::SUCCESS && processing) {
      append_shape(busy_want, s);
      break;
    }
  }
  EXPECT_EQ(busy_mock, busy_want);
  EXPECT_NE(slots.body.find(R"("is_processing":true)"), std::string::npos);
  ASSERT_TRUE(cfg.metrics);
  const Response metrics = round_trip(srv.port, get_request("/metrics"));
  EXPECT_NE(metrics.body.find("llamacpp:requests_processing 1\n"), std::string::npos) << metrics.body;
}

// Without --metrics, llama-server answers /metrics with 501 and this body,
// byte for byte, and /props says so.
TEST(MockWire, MetricsDisabledMatchesFixture) {
  Running srv(fast_config());
  const Response r = round_trip(srv.port, get_request("/metrics"));
  const Response want = parse_captured(fixture("metrics_disabled.http"));
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(r.status, want.status);
  EXPECT_EQ(r.header("Content-Type"), want.header("Content-Type"));
  EXPECT_EQ(r.body, want.body);
  const Response props = round_trip(srv.port, get_request("/props"));
  EXPECT_NE(props.body.find(R"("endpoint_metrics":false,)"), std::string::npos);
}

TEST(MockWire, PropsSayMetricsOnWhenOn) {
  MockConfig cfg = fast_config();
  cfg.metrics = true;
  Running srv(cfg);
  const Response props = round_trip(srv.port, get_request("/props"));
  EXPECT_NE(props.body.find(R"("endpoint_metrics":true,)"), std::string::npos);
}

// Every HELP and TYPE line is the real server's, in its order.
TEST(MockWire, MetricsHelpAndTypeLinesAreTheRealServers) {
  MockConfig cfg = fast_config();
  cfg.metrics = true;
  Running srv(cfg);
  const Response r = round_trip(srv.port, get_request("/metrics"));
  const auto comments = [](std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
      const std::size_t eol = text.find('\n');
      const std::string_view line = text.substr(0, eol);
      if (!line.empty() && line.front() == '#') out.emplace_back(line);
      if (eol == std::string_view::npos) break;
      text.remove_prefix(eol + 1);
    }
    return out;
  };
  for (const char* name : {"metrics_fresh.http", "metrics_busy.http", "metrics.http"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(comments(r.body), comments(parse_captured(fixture(name)).body));
  }
}

TEST(MockWire, MetricsMatchFixture) {
  MockConfig metrics_on = fast_config();
  metrics_on.metrics = true;
  Running srv(metrics_on);
  const Response r = round_trip(srv.port, get_request("/metrics"));
  const Response want = parse_captured(fixture("metrics_fresh.http"));
  expect_same_head(r, want);
  // The same metric names in the same order.
  const auto names = [](std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
      const std::size_t eol = text.find('\n');
      const std::string_view line = text.substr(0, eol);
      if (!line.empty() && line.front() != '#') out.emplace_back(line.substr(0, line.find(' ')));
      if (eol == std::string_view::npos) break;
      text.remove_prefix(eol + 1);
    }
    return out;
  };
  EXPECT_EQ(names(r.body), names(want.body));
  // The counters count what was served.
  (void)round_trip(srv.port, post_request("/completion", R"({"prompt":"a b","n_predict":5})"));
  (void)round_trip(srv.port, post_request("/completion", R"({"prompt":"a b","n_predict":6,"stream":true})"));
  const Response after = round_trip(srv.port, get_request("/metrics"));
  EXPECT_NE(after.body.find("llamacpp:tokens_predicted_total 11\n"), std::string::npos) << after.body;
  // BOS + 2 words, then only the last of them again (the prompt cache).
  EXPECT_NE(after.body.find("llamacpp:prompt_tokens_total 4\n"), std::string::npos) << after.body;
  EXPECT_NE(after.body.find("llamacpp:prompt_tokens_cached_total 2\n"), std::string::npos) << after.body;
  EXPECT_NE(after.body.find("llamacpp:n_tokens_max 9\n"), std::string::npos);
  EXPECT_NE(after.body.find("llamacpp:requests_processing 0\n"), std::string::npos);
}

}  // namespace
}  // namespace llmbench::mock::test
