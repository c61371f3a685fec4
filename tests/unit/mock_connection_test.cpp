// How the mock treats connections and time: keep-alive as llama-server does
// it, slots and the FIFO queue, the decode schedule, max_tokens, and a stop()
// that ends in-flight and stalled connections promptly.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "mock_test_client.hpp"

namespace llmbench::mock::test {
namespace {

std::string chat_body(int max_tokens, bool stream) {
  return R"({"model":"m","messages":[{"role":"user","content":"Say hello."}],"max_tokens":)" +
         std::to_string(max_tokens) + (stream ? R"(,"stream":true})" : R"(,"stream":false})");
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Content events of a chat stream (not the role, final, usage or [DONE]).
int content_events(const Response& r) {
  int n = 0;
  for (const std::string& e : sse_data(r.body)) {
    if (e.find(R"("delta":{"content":)") != std::string::npos) ++n;
  }
  return n;
}

TEST(MockConnection, StreamClosesAfterResponse) {
  Running srv(fast_config());
  for (const char* path : {"/v1/chat/completions", "/completion"}) {
    SCOPED_TRACE(path);
    Conn c(srv.port);
    c.send_all(post_request(path, std::string(path) == "/completion"
                                      ? R"({"prompt":"Once upon a time","n_predict":4,"stream":true})"
                                      : chat_body(4, true)));
    Reader rd(c);
    const Response r = rd.read();
    ASSERT_TRUE(r.complete);
    EXPECT_EQ(r.header("Keep-Alive"), "timeout=5, max=100");  // advertised, yet ...
    EXPECT_TRUE(rd.leftover().empty());
    std::string rest;
    EXPECT_EQ(c.drain(rest, kIoTimeout), ReadStatus::eof);  // ... closed right after 0\r\n\r\n
    EXPECT_TRUE(rest.empty());
  }
}

TEST(MockConnection, NonStreamedKeepsConnectionOpen) {
  Running srv(fast_config());
  Conn c(srv.port);
  Reader rd(c);
  c.send_all(get_request("/health"));
  EXPECT_EQ(rd.read().status, 200);
  c.send_all(post_request("/v1/chat/completions", chat_body(3, false)));
  const Response a = rd.read();
  EXPECT_EQ(a.status, 200);
  EXPECT_TRUE(a.complete);
  // Errors say "Connection: close" but the connection is served on (fixture README).
  c.send_all(get_request("/nope"));
  const Response e = rd.read();
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.header("Connection"), "close");
  c.send_all(post_request("/v1/completions", R"({"prompt":"x","max_tokens":2})"));
  const Response b = rd.read();
  EXPECT_EQ(b.status, 200);
  EXPECT_NE(b.body.find(R"("completion_tokens":2,)"), std::string::npos);
  EXPECT_EQ(srv.server.stats().connections_accepted, 1u);
  EXPECT_EQ(srv.server.stats().requests_total, 4u);
}

TEST(MockConnection, PipelinedRequestsAreAnsweredInOrder) {
  Running srv(fast_config());
  Conn c(srv.port);
  c.send_all(get_request("/health") + post_request("/v1/completions", R"({"prompt":"x","max_tokens":2})") +
             get_request("/v1/models"));
  Reader rd(c);
  EXPECT_EQ(rd.read().body, R"({"status":"ok"})");
  EXPECT_NE(rd.read().body.find(R"("object":"text_completion")"), std::string::npos);
  EXPECT_NE(rd.read().body.find(R"("object":"list")"), std::string::npos);
}

TEST(MockConnection, ConnectionCloseRequestIsHonoured) {
  Running srv(fast_config());
  Conn c(srv.port);
  c.send_all(get_request("/health", "Connection: close\r\n"));
  Reader rd(c);
  const Response r = rd.read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Connection"), "close");
  std::string rest;
  EXPECT_EQ(c.drain(rest, kIoTimeout), ReadStatus::eof);
}

TEST(MockConnection, KeepAliveStreamsWhenCloseAfterStreamIsOff) {
  MockConfig cfg = fast_config();
  cfg.close_after_stream = false;
  Running srv(cfg);
  Conn c(srv.port);
  Reader rd(c);
  c.send_all(post_request("/v1/chat/completions", chat_body(2, true)));
  EXPECT_TRUE(rd.read().complete);
  c.send_all(get_request("/health"));
  EXPECT_EQ(rd.read().status, 200);
}

// Four streams on two slots: two generate, two wait their turn in order.
TEST(MockConnection, SlotsBoundConcurrencyAndQueueFifo) {
  MockConfig cfg = fast_config();
  cfg.slots = 2;
  cfg.decode_tps = 100;  // the first two hold their slots for ~300 ms
  Running srv(cfg);
  std::vector<std::unique_ptr<Conn>> conns;
  std::vector<std::unique_ptr<Reader>> readers;
  for (int i = 0; i < 4; ++i) {
    conns.push_back(std::make_unique<Conn>(srv.port));
    readers.push_back(std::make_unique<Reader>(*conns.back()));
  }
  conns[0]->send_all(post_request("/v1/chat/completions", chat_body(30, true)));
  conns[1]->send_all(post_request("/v1/chat/completions", chat_body(30, true)));
  conns[2]->send_all(post_request("/v1/chat/completions", chat_body(3, true)));
  conns[3]->send_all(post_request("/v1/chat/completions", chat_body(3, true)));
  std::vector<Response> rs;
  for (auto& rd : readers) rs.push_back(rd->read());
  for (const Response& r : rs) {
    ASSERT_TRUE(r.complete) << to_string(r.end);
    ASSERT_FALSE(r.chunks.empty());
  }
  const MockStats st = srv.server.stats();
  EXPECT_EQ(st.max_concurrent_in_slot, 2);
  EXPECT_GE(st.max_queued, 1);
  EXPECT_EQ(st.requests_streamed, 4u);
  EXPECT_EQ(st.tokens_sent, 66u);
  // The queued ones start only when a long one has finished.
  const auto first_long_end = std::min(rs[0].chunks.back().complete_at, rs[1].chunks.back().complete_at);
  EXPECT_GE(rs[2].chunks.front().complete_at, first_long_end);
  EXPECT_GE(rs[3].chunks.front().complete_at, first_long_end);
}

// 50 tokens at 500 tokens/s: 49 gaps of 2 ms between first and last.
TEST(MockConnection, DecodeRateSpacesTokens) {
  MockConfig cfg = fast_config();
  cfg.decode_tps = 500;
  Running srv(cfg);
  const Response r = round_trip(srv.port, post_request("/v1/chat/completions", chat_body(50, true)));
  ASSERT_TRUE(r.complete);
  ASSERT_EQ(content_events(r), 50);
  // Chunk 0 holds the first token, the last content chunk is third from last.
  ASSERT_GE(r.chunks.size(), 52u);
  const double gap_s = seconds_between(r.chunks.front().complete_at, r.chunks[r.chunks.size() - 3].complete_at);
  EXPECT_GE(gap_s, 0.08);  // a lower bound only: a loaded machine may be slower, never faster
}

TEST(MockConnection, PromptTimeDelaysFirstToken) {
  MockConfig cfg = fast_config();
  cfg.ttft_ms = 150;
  Running srv(cfg);
  Conn c(srv.port);
  const auto sent = Clock::now();
  c.send_all(post_request("/v1/chat/completions", chat_body(2, true)));
  Reader rd(c);
  // The head goes out when the slot picks the request, before the prompt is
  // processed; the first token comes after ttft_ms.
  ASSERT_EQ(rd.read_more(), ReadStatus::data);
  const auto head_at = Clock::now();
  EXPECT_NE(rd.leftover().find("\r\n\r\n"), std::string::npos);
  const Response r = rd.read();
  ASSERT_TRUE(r.complete);
  EXPECT_GE(seconds_between(sent, r.chunks.front().complete_at), 0.14);
  EXPECT_GE(seconds_between(head_at, r.chunks.front().complete_at), 0.1);
}

TEST(MockConnection, MaxTokensHonouredOnEveryEndpoint) {
  Running srv(fast_config());
  const std::string chat = R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":7,"stream":true,)"
                           R"("stream_options":{"include_usage":true}})";
  const Response c = round_trip(srv.port, post_request("/v1/chat/completions", chat));
  EXPECT_EQ(content_events(c), 7);
  EXPECT_NE(c.body.find(R"("usage":{"completion_tokens":7,)"), std::string::npos);

  const Response k = round_trip(srv.port, post_request("/v1/completions", R"({"prompt":"x","max_tokens":5,"stream":true})"));
  const auto kev = sse_data(k.body);
  ASSERT_EQ(kev.size(), 7u);  // 5 tokens, the final event, [DONE]
  EXPECT_NE(kev[5].find(R"("usage":{"completion_tokens":5,)"), std::string::npos) << kev[5];

  const Response n = round_trip(srv.port, post_request("/completion", R"({"prompt":"x","n_predict":6,"stream":true})"));
  const auto nev = sse_data(n.body);
  ASSERT_EQ(nev.size(), 7u);  // 6 tokens and the final event
  EXPECT_NE(nev[5].find(R"("tokens_predicted":6,)"), std::string::npos);
  EXPECT_NE(nev[6].find(R"("tokens_predicted":6,)"), std::string::npos);

  const Response w = round_trip(srv.port, post_request("/v1/chat/completions", chat_body(9, false)));
  EXPECT_NE(w.body.find(R"("completion_tokens":9,)"), std::string::npos);
  EXPECT_NE(w.body.find(R"("predicted_n":9,)"), std::string::npos);
}

TEST(MockConnection, DefaultMaxTokensAndContextLimit) {
  MockConfig cfg = fast_config();
  cfg.default_max_tokens = 5;
  cfg.n_ctx_slot = 40;
  Running srv(cfg);
  const Response d = round_trip(srv.port, post_request("/v1/chat/completions",
                                                       R"({"messages":[{"role":"user","content":"hi"}],"stream":true})"));
  EXPECT_EQ(content_events(d), 5);
  // Prompt + generation stop at the slot's context: /completion says truncated.
  const Response t = round_trip(srv.port, post_request("/completion", R"({"prompt":"a b c d e f g h i","n_predict":1000})"));
  EXPECT_NE(t.body.find(R"("tokens_predicted":30,)"), std::string::npos) << t.body;
  EXPECT_NE(t.body.find(R"("truncated":true)"), std::string::npos);
}

// The usage count is what the stream carried, for any length.
TEST(MockConnection, UsageEqualsContentEvents) {
  Running srv(fast_config());
  for (const int n : {1, 2, 13}) {
    const std::string body = R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":)" + std::to_string(n) +
                             R"(,"stream":true,"stream_options":{"include_usage":true}})";
    const Response r = round_trip(srv.port, post_request("/v1/chat/completions", body));
    EXPECT_EQ(content_events(r), n);
    EXPECT_NE(r.body.find(R"("usage":{"completion_tokens":)" + std::to_string(n) + ","), std::string::npos);
  }
}

TEST(MockConnection, ClientLeavingFreesItsSlot) {
  MockConfig cfg = fast_config();
  cfg.slots = 1;
  cfg.decode_tps = 20;  // the abandoned request would hold the slot for minutes
  Running srv(cfg);
  {
    Conn c(srv.port);
    c.send_all(post_request("/v1/chat/completions", chat_body(10000, true)));
    std::string first;
    ASSERT_EQ(c.read_some(first, kIoTimeout), ReadStatus::data);
  }  // closed mid-stream
  // Queued behind the abandoned stream, this would wait minutes; the read
  // bound (kIoTimeout) fails the test long before.
  const Response r = round_trip(srv.port, post_request("/v1/completions", R"({"prompt":"x","max_tokens":1})"));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete) << to_string(r.end);
  EXPECT_GE(srv.server.stats().client_disconnects, 1u);
}

// A client that leaves while queued gives up its place; no slot is lost
// whichever of "it left" and "a slot freed" the server sees first.
TEST(MockConnection, ClientLeavingTheQueueLosesNoSlot) {
  MockConfig cfg = fast_config();
  cfg.slots = 1;
  cfg.decode_tps = 20;
  Running srv(cfg);
  auto a = std::make_unique<Conn>(srv.port);
  a->send_all(post_request("/v1/chat/completions", chat_body(10000, true)));
  std::string got;
  ASSERT_EQ(a->read_some(got, kIoTimeout), ReadStatus::data);  // A holds the only slot
  auto b = std::make_unique<Conn>(srv.port);
  b->send_all(post_request("/v1/chat/completions", chat_body(5, true)));
  ASSERT_TRUE(until_stats(srv.server, [](const MockStats& st) { return st.max_queued >= 1; }));
  b.reset();  // leaves the queue
  a.reset();  // frees the slot
  const Response c = round_trip(srv.port, post_request("/v1/chat/completions", chat_body(3, true)));
  EXPECT_TRUE(c.complete) << to_string(c.end);
  EXPECT_EQ(content_events(c), 3);
  EXPECT_TRUE(until_stats(srv.server, [](const MockStats& st) { return st.client_disconnects >= 2; }));
}

// A pipelined request sent while a stream is running is not taken for a
// disconnect, and is answered after it (close_after_stream off).
TEST(MockConnection, RequestSentDuringStreamWaitsItsTurn) {
  MockConfig cfg = fast_config();
  cfg.close_after_stream = false;
  cfg.decode_tps = 200;
  Running srv(cfg);
  Conn c(srv.port);
  Reader rd(c);
  c.send_all(post_request("/v1/chat/completions", chat_body(10, true)));
  ASSERT_EQ(rd.read_more(), ReadStatus::data);  // the stream has started
  c.send_all(get_request("/health"));
  const Response stream = rd.read();
  EXPECT_TRUE(stream.complete);
  EXPECT_EQ(content_events(stream), 10);
  const Response health = rd.read();
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
  EXPECT_EQ(srv.server.stats().client_disconnects, 0u);
}

// Many clients at once on two threads: every stream complete, every token
// counted, never more streams generating than slots.
TEST(MockConnection, ManyConcurrentClients) {
  MockConfig cfg = fast_config();
  cfg.threads = 2;
  cfg.slots = 4;
  cfg.decode_tps = 1000;
  Running srv(cfg);
  constexpr int kClients = 40;
  std::vector<std::unique_ptr<Conn>> conns;
  for (int i = 0; i < kClients; ++i) {
    conns.push_back(std::make_unique<Conn>(srv.port));
    const bool stream = i % 2 == 0;
    conns.back()->send_all(post_request(i % 3 == 0 ? "/v1/chat/completions" : "/v1/completions",
                                        i % 3 == 0 ? chat_body(10, stream)
                                                   : std::string(R"({"prompt":"x","max_tokens":10,"stream":)") +
                                                         (stream ? "true}" : "false}")));
  }
  for (auto& c : conns) {
    Reader rd(*c);
    const Response r = rd.read();
    ASSERT_EQ(r.status, 200);
    ASSERT_TRUE(r.complete) << to_string(r.end);
  }
  const MockStats st = srv.server.stats();
  EXPECT_EQ(st.tokens_sent, static_cast<std::uint64_t>(kClients) * 10);
  EXPECT_EQ(st.max_concurrent_in_slot, 4);
  EXPECT_GE(st.max_queued, 1);
  EXPECT_EQ(st.completions_total, static_cast<std::uint64_t>(kClients));
}

// stop() with streams generating, a stalled stream, a request waiting for a
// slot and an idle keep-alive connection: it returns well within its 5 s
// grace and every client sees its connection end.
TEST(MockConnection, StopIsPromptWithWorkInFlight) {
  MockConfig cfg = fast_config();
  cfg.slots = 3;
  cfg.decode_tps = 20;
  cfg.fault = "stall_midstream";
  cfg.fault_every = 3;  // the third completion stalls after fault_after_tokens
  cfg.fault_after_tokens = 1;
  auto srv = std::make_unique<Running>(cfg);
  std::vector<std::unique_ptr<Conn>> conns;
  for (int i = 0; i < 4; ++i) {
    conns.push_back(std::make_unique<Conn>(srv->port));
    conns.back()->send_all(post_request("/v1/chat/completions", chat_body(200, true)));
  }
  // Every stream has started (headers) except the fourth, which is queued.
  for (int i = 0; i < 3; ++i) {
    std::string got;
    ASSERT_EQ(conns[static_cast<std::size_t>(i)]->read_some(got, kIoTimeout), ReadStatus::data);
  }
  Conn idle(srv->port);
  idle.send_all(get_request("/health"));
  Reader rd(idle);
  ASSERT_EQ(rd.read().status, 200);
  Conn silent(srv->port);  // connected, never sends

  const auto t0 = Clock::now();
  srv->server.stop();
  EXPECT_LT(seconds_between(t0, Clock::now()), 3.0);  // the grace period is 5 s
  for (auto& c : conns) {
    std::string rest;
    const ReadStatus s = c->drain(rest, milliseconds(2000));
    EXPECT_TRUE(s == ReadStatus::eof || s == ReadStatus::reset) << to_string(s);
  }
  for (const Conn* c : {&idle, &silent}) {
    std::string rest;
    const ReadStatus s = c->drain(rest, milliseconds(2000));
    EXPECT_TRUE(s == ReadStatus::eof || s == ReadStatus::reset) << to_string(s);
  }
  srv->server.stop();  // idempotent
  srv.reset();
}

TEST(MockConnection, StopRightAfterStartAndDestructorStops) {
  for (int i = 0; i < 3; ++i) {
    MockServer s(fast_config());
    const std::uint16_t port = s.start().value();
    EXPECT_NE(port, 0);
    if (i == 1) s.stop();
    if (i == 2) {
      Conn c(port);
      c.send_all(post_request("/v1/chat/completions", chat_body(1000, true)));
      std::string got;
      EXPECT_EQ(c.read_some(got, kIoTimeout), ReadStatus::data);
    }
  }
}

TEST(MockConnection, StartRejectsBadConfig) {
  MockConfig cfg;
  cfg.fault = "nonsense";
  MockServer s(cfg);
  const auto bad = s.start();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("nonsense"), std::string::npos) << bad.error();
  MockConfig ok = fast_config();
  MockServer t(ok);
  ASSERT_TRUE(t.start());
  const auto again = t.start();
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().find("already started"), std::string::npos) << again.error();
}

TEST(MockConnection, SeveralThreadsServeConcurrentStreams) {
  MockConfig cfg = fast_config();
  cfg.threads = 2;
  cfg.slots = 2;
  Running srv(cfg);
  std::vector<std::unique_ptr<Conn>> conns;
  for (int i = 0; i < 6; ++i) {
    conns.push_back(std::make_unique<Conn>(srv.port));
    conns.back()->send_all(post_request("/v1/chat/completions", chat_body(20, true)));
  }
  for (auto& c : conns) {
    Reader rd(*c);
    const Response r = rd.read();
    ASSERT_TRUE(r.complete);
    EXPECT_EQ(content_events(r), 20);
  }
  EXPECT_EQ(srv.server.stats().max_concurrent_in_slot, 2);
}

}  // namespace
}  // namespace llmbench::mock::test
