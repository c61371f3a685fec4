// The mock's request side: the HTTP request parser fed at every split, the
// completion body reader, and the HTTP-level limits a live server enforces
// (413, 400, 100-continue, keep-alive timeout and request cap).
#include <gtest/gtest.h>

#include <string>

#include "llmbench/mock/completion_request.hpp"
#include "llmbench/mock/request_parser.hpp"
#include "mock_test_client.hpp"

namespace llmbench::mock::test {
namespace {

constexpr std::string_view kPost =
    "POST /v1/chat/completions?x=1&action=erase#frag HTTP/1.1\r\nHost: h\r\nOrigin: http://o.test\r\n"
    "Content-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"b c\"}";
constexpr std::string_view kGet = "GET /health HTTP/1.1\r\nHost: h\r\n\r\n";

// Feeds `parts` the way a Session does: once a request is complete, the rest
// of the bytes are left for the next one.
std::string feed_parts(RequestParser& p, std::initializer_list<std::string_view> parts) {
  std::string pending;
  for (const std::string_view part : parts) {
    if (p.state() == RequestParser::State::complete) {
      pending.append(part);
      continue;
    }
    if (p.feed(part) == RequestParser::State::complete) pending.append(part.substr(p.consumed()));
  }
  return pending;
}

TEST(MockRequestParser, EverySplitGivesTheSameRequests) {
  const std::string all = std::string(kPost) + std::string(kGet);
  for (std::size_t k = 0; k <= all.size(); ++k) {
    SCOPED_TRACE(k);
    RequestParser p;
    const std::string_view v(all);
    const std::string rest = feed_parts(p, {v.substr(0, k), v.substr(k)});
    ASSERT_EQ(p.state(), RequestParser::State::complete);
    EXPECT_EQ(p.request().method, Method::post);
    EXPECT_EQ(p.request().path, "/v1/chat/completions");
    EXPECT_EQ(p.request().query, "x=1&action=erase");  // the fragment is no part of it
    EXPECT_EQ(p.request().origin, "http://o.test");
    EXPECT_EQ(p.request().body, R"({"a":"b c"})");
    EXPECT_TRUE(p.request().keep_alive);
    ASSERT_EQ(rest, kGet);
    p.reset();
    ASSERT_EQ(p.feed(rest), RequestParser::State::complete);
    EXPECT_EQ(p.consumed(), rest.size());
    EXPECT_EQ(p.request().method, Method::get);
    EXPECT_EQ(p.request().path, "/health");
    EXPECT_TRUE(p.request().query.empty());  // reset() forgot the last request's
    EXPECT_TRUE(p.request().origin.empty());
    EXPECT_TRUE(p.request().body.empty());
  }
}

TEST(MockRequestParser, ChunkedBodyAndHeaders) {
  const std::string_view req =
      "POST /completion HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n"
      "Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  for (std::size_t k = 0; k <= req.size(); ++k) {
    RequestParser p;
    (void)feed_parts(p, {req.substr(0, k), req.substr(k)});
    ASSERT_EQ(p.state(), RequestParser::State::complete) << k;
    EXPECT_EQ(p.request().body, "hello world");
    EXPECT_TRUE(p.request().expect_continue);
    EXPECT_FALSE(p.request().keep_alive);
  }
}

TEST(MockRequestParser, LimitsAndErrors) {
  {
    RequestParser p(100);
    EXPECT_EQ(p.feed("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n"), RequestParser::State::too_large);
  }
  {
    RequestParser p(100);
    (void)p.feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    EXPECT_EQ(p.feed("65\r\n" + std::string(101, 'x') + "\r\n"), RequestParser::State::too_large);
  }
  {
    RequestParser p;
    EXPECT_EQ(p.feed("\x16\x03\x01 not http\r\n\r\n"), RequestParser::State::error);
    EXPECT_FALSE(p.error().empty());
    EXPECT_EQ(p.feed(kGet), RequestParser::State::error);  // sticky until reset
    p.reset();
    EXPECT_EQ(p.feed(kGet), RequestParser::State::complete);
  }
  {
    RequestParser p;
    const std::string big = "GET / HTTP/1.1\r\nX-Big: " + std::string(kMaxHeadBytes + 1, 'a') + "\r\n\r\n";
    EXPECT_EQ(p.feed(big), RequestParser::State::error);
  }
  {
    RequestParser p;
    EXPECT_EQ(p.feed("GET / HTTP/1.0\r\n\r\n"), RequestParser::State::complete);
    EXPECT_FALSE(p.request().keep_alive);
  }
}

TEST(MockCompletionRequest, ReadsFieldsLikeLlamaServer) {
  const ParsedCompletion c = parse_completion(
      Api::chat, R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":12,"stream":true,)"
                 R"("stream_options":{"include_usage":true},"seed":7,"temperature":0.5})");
  ASSERT_FALSE(c.error);
  EXPECT_EQ(c.request.max_tokens, 12);
  EXPECT_TRUE(c.request.stream);
  EXPECT_TRUE(c.request.include_usage);
  EXPECT_EQ(c.request.seed, 7);
  EXPECT_DOUBLE_EQ(c.request.temperature, 0.5);
  EXPECT_GT(c.request.prompt_tokens, 1);

  // n_predict wins over max_tokens; max_completion_tokens is read too.
  EXPECT_EQ(parse_completion(Api::native, R"({"prompt":"x","n_predict":3,"max_tokens":9})").request.max_tokens, 3);
  EXPECT_EQ(parse_completion(Api::completions, R"({"prompt":"x","max_completion_tokens":4})").request.max_tokens, 4);
  EXPECT_EQ(parse_completion(Api::completions, R"({"prompt":"x"})").request.max_tokens, -1);

  const ParsedCompletion longer = parse_completion(Api::native, R"({"prompt":"one two three four five"})");
  const ParsedCompletion shorter = parse_completion(Api::native, R"({"prompt":"one"})");
  EXPECT_GT(longer.request.prompt_tokens, shorter.request.prompt_tokens);
  EXPECT_EQ(longer.request.prompt, "one two three four five");
}

TEST(MockCompletionRequest, RejectsWhatLlamaServerRejects) {
  const ParsedCompletion m = parse_completion(Api::chat, R"({"model":"x","max_tokens":16})");
  ASSERT_TRUE(m.error);
  EXPECT_EQ(m.error->status, 400);
  EXPECT_EQ(m.error->message, "'messages' is required");
  const ParsedCompletion p = parse_completion(Api::native, R"({"n_predict":1})");
  ASSERT_TRUE(p.error);
  EXPECT_EQ(p.error->status, 400);
}

// Every truncation of a valid body is invalid JSON: a 500 with nlohmann's
// wording, pointing at or before the end of what was sent.
TEST(MockCompletionRequest, EveryTruncationGivesAParseError) {
  const std::string body =
      R"({"messages":[{"role":"user","content":"h\"i\n"}],"max_tokens":16,"stream":true,"x":[true,false,null,-1.5e3]})";
  ASSERT_FALSE(parse_completion(Api::chat, body).error);
  for (std::size_t k = 0; k < body.size(); ++k) {
    SCOPED_TRACE(k);
    const std::string cut = body.substr(0, k);
    const ParsedCompletion c = parse_completion(Api::chat, cut);
    ASSERT_TRUE(c.error);
    EXPECT_EQ(c.error->status, 500);
    EXPECT_EQ(c.error->type, "server_error");
    EXPECT_TRUE(c.error->message.starts_with("[json.exception.parse_error.101] parse error at line 1, column "))
        << c.error->message;
  }
}

TEST(MockHttpLimits, OversizedBodyGets413) {
  Running srv(fast_config());
  Conn c(srv.port);
  c.send_all("POST /v1/chat/completions HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999\r\n\r\n");
  Reader rd(c);
  const Response r = rd.read();
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(is_json(r.body));
  std::string rest;
  EXPECT_EQ(c.drain(rest, kIoTimeout), ReadStatus::eof);
}

TEST(MockHttpLimits, MalformedRequestGets400AndClose) {
  Running srv(fast_config());
  Conn c(srv.port);
  c.send_all("BLAH\x01 / HTTP/1.1\r\n\r\n");
  Reader rd(c);
  const Response r = rd.read();
  EXPECT_EQ(r.status, 400);
  std::string rest;
  EXPECT_EQ(c.drain(rest, kIoTimeout), ReadStatus::eof);
}

// A body far larger than one read (16 KiB) is read whole, and its prompt is
// counted: here it exceeds the slot's context.
TEST(MockHttpLimits, LargeBodyIsReadWhole) {
  Running srv(fast_config());
  std::string prompt;
  for (int i = 0; i < 100'000; ++i) prompt += "word ";
  const Response r = round_trip(srv.port, post_request("/completion", R"({"prompt":")" + prompt + R"("})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"("n_prompt_tokens":100001,)"), std::string::npos) << r.body;
}

TEST(MockHttpLimits, ExpectContinueIsAnswered) {
  Running srv(fast_config());
  Conn c(srv.port);
  const std::string body = R"({"prompt":"x","n_predict":2})";
  c.send_all("POST /completion HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n");
  Reader rd(c);
  EXPECT_EQ(rd.read().status, 100);  // the interim response, before the body is sent
  c.send_all(body);
  const Response r = rd.read();
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("stop":true)"), std::string::npos);
}

TEST(MockHttpLimits, IdleKeepAliveConnectionIsClosed) {
  MockConfig cfg = fast_config();
  cfg.keep_alive_timeout_s = 0.2;
  Running srv(cfg);
  Conn c(srv.port);
  c.send_all(get_request("/health"));
  Reader rd(c);
  const Response r = rd.read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Keep-Alive"), "timeout=1, max=100");  // whole seconds, rounded up
  std::string rest;
  EXPECT_EQ(c.drain(rest, kIoTimeout), ReadStatus::eof);  // the server's idle timeout, not ours
}

TEST(MockHttpLimits, KeepAliveRequestCap) {
  MockConfig cfg = fast_config();
  cfg.keep_alive_max_requests = 2;
  Running srv(cfg);
  Conn c(srv.port);
  Reader rd(c);
  c.send_all(get_request("/health"));
  EXPECT_EQ(rd.read().header("Keep-Alive"), "timeout=5, max=2");
  c.send_all(get_request("/health"));
  const Response last = rd.read();
  EXPECT_EQ(last.status, 200);
  EXPECT_EQ(last.header("Connection"), "close");
  std::string rest;
  EXPECT_EQ(c.drain(rest, kIoTimeout), ReadStatus::eof);
}

TEST(MockHttpLimits, CorsPreflight) {
  Running srv(fast_config());
  const Response r = round_trip(srv.port, "OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: h\r\n"
                                          "Origin: http://a.test\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "http://a.test");
  EXPECT_TRUE(r.header("Access-Control-Allow-Methods").has_value());
}

}  // namespace
}  // namespace llmbench::mock::test
