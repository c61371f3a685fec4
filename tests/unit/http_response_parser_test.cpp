// The llhttp wrapper: heads, de-chunked bodies, message boundaries, errors.
#include <gtest/gtest.h>

#include "llmbench/http/response_parser.hpp"
#include "test_support.hpp"

namespace llmbench::http {
namespace {

struct Sink {
  ResponseHead head;
  std::string content_type;
  std::string body;
  int headers_calls = 0;
  bool reject = false;
  void on_headers(const ResponseHead& h) {
    head = h;
    content_type.assign(h.content_type);
    ++headers_calls;
  }
  bool on_body(std::string_view b) {
    body.append(b);
    return !reject;
  }
};

struct Parsed {
  Sink sink;
  ParseState state = ParseState::need_more;
  std::string error;
};

Parsed parse(std::string_view bytes, const std::vector<std::size_t>& cuts = {}, bool eof = false) {
  Parsed p;
  ResponseParser<Sink> parser(p.sink);
  std::size_t pos = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (std::size_t end : ends) {
    if (end < pos) continue;
    test::ExactBuffer piece(bytes.substr(pos, end - pos));
    p.state = parser.feed(piece.view());
    pos = end;
    if (p.state != ParseState::need_more) break;
  }
  if (eof && p.state == ParseState::need_more) p.state = parser.finish();
  p.error = std::string(parser.error());
  return p;
}

TEST(HttpResponseParser, StreamHeadAndDechunkedBody) {
  const std::string resp = test::fixture("chat_stream_usage.http");
  const Parsed p = parse(resp);
  ASSERT_EQ(p.state, ParseState::complete) << p.error;
  EXPECT_EQ(p.sink.head.status, 200);
  EXPECT_TRUE(p.sink.head.chunked);
  EXPECT_TRUE(p.sink.head.keep_alive);
  EXPECT_EQ(p.sink.content_type, "text/event-stream");
  EXPECT_EQ(p.sink.body, test::dechunk(test::after_headers(resp)));
}

TEST(HttpResponseParser, ConnectionCloseIsNotKeepAlive) {
  const Parsed p = parse(test::fixture("err_not_found.http"));
  ASSERT_EQ(p.state, ParseState::complete);
  EXPECT_EQ(p.sink.head.status, 404);
  EXPECT_FALSE(p.sink.head.keep_alive);
  EXPECT_EQ(p.sink.content_type, "application/json; charset=utf-8");
}

TEST(HttpResponseParser, StopsAtTheEndOfOneResponse) {
  const std::string one = test::fixture("health.http");
  const std::string two = one + one;
  Sink sink;
  ResponseParser<Sink> parser(sink);
  EXPECT_EQ(parser.feed(two), ParseState::complete);
  EXPECT_EQ(parser.consumed(), one.size());
  EXPECT_EQ(sink.headers_calls, 1);
}

TEST(HttpResponseParser, RetryAfterSeconds) {
  const Parsed p = parse(
      "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n", {20, 30, 33});
  ASSERT_EQ(p.state, ParseState::complete);
  EXPECT_EQ(p.sink.head.retry_after_s, 2u);
}

TEST(HttpResponseParser, HeaderSplitAnywhereIsCapturedWhole) {
  const std::string resp = "HTTP/1.1 200 OK\r\nX-Other: a\r\nCONTENT-type: Text/Event-Stream\r\nContent-Length: 0\r\n\r\n";
  for (std::size_t cut = 0; cut <= resp.size(); ++cut) {
    const Parsed p = parse(resp, {cut});
    ASSERT_EQ(p.state, ParseState::complete) << cut;
    ASSERT_EQ(p.sink.content_type, "text/event-stream") << cut;
  }
}

TEST(HttpResponseParser, MalformedChunkSizeIsAnError) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(p.state, ParseState::error);
  EXPECT_FALSE(p.error.empty());
}

TEST(HttpResponseParser, EofInsideChunkedBodyIsAnError) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", {}, true);
  EXPECT_EQ(p.state, ParseState::error);
}

TEST(HttpResponseParser, BodyUntilCloseCompletesOnEof) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it", {}, true);
  EXPECT_EQ(p.state, ParseState::complete);
  EXPECT_EQ(p.sink.body, "all of it");
}

TEST(HttpResponseParser, SinkCanRejectTheBody) {
  Sink sink;
  sink.reject = true;
  ResponseParser<Sink> parser(sink);
  EXPECT_EQ(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"), ParseState::error);
  parser.reset();
  sink.reject = false;
  EXPECT_EQ(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"), ParseState::complete);
}

TEST(HttpResponseParser, GarbageIsAnError) {
  EXPECT_EQ(parse("\x01\x02\x03 nonsense\r\n\r\n").state, ParseState::error);
}

}  // namespace
}  // namespace llmbench::http
