// The whole per-read path (HTTP + SSE + JSON + timing rules) against every
// captured llama-server response, fed whole and split at every byte offset.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "llmbench/load/response_consumer.hpp"
#include "llmbench/stats/request_figures.hpp"
#include "llmbench/util/clock.hpp"
#include "test_support.hpp"

namespace llmbench {
namespace {

using test::fixture;

struct Outcome {
  RequestRecord rec;
  bool reusable = false;
  std::uint32_t content_seen = 0;  // sum over reads of ReadTokens::content_events
  int reads = 0;
};

// Feeds `bytes` as the given pieces, each read stamped with its index.
Outcome run_pieces(ResponseConsumer& consumer, std::string_view bytes, const std::vector<std::size_t>& cuts,
                   bool stream, bool eof_at_end) {
  Outcome out;
  consumer.start(out.rec, stream);
  std::size_t pos = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (std::size_t end : ends) {
    if (end < pos) continue;
    test::ExactBuffer piece(bytes.substr(pos, end - pos));
    ReadTokens t;
    ++out.reads;
    const auto st = consumer.on_read(piece.view(), out.reads, t);
    out.content_seen += t.content_events;
    pos = end;
    if (st == ConsumeState::done) break;
  }
  if (!consumer.done() && eof_at_end) consumer.on_eof(out.reads + 1);
  out.reusable = consumer.reusable();
  return out;
}

Outcome run_pieces(std::string_view bytes, const std::vector<std::size_t>& cuts, bool stream, bool eof_at_end) {
  protocol::EventDecoder decoder;
  ResponseConsumer consumer(decoder, 1u << 20);
  return run_pieces(consumer, bytes, cuts, stream, eof_at_end);
}

Outcome run_whole(std::string_view bytes, bool stream = true, bool eof = true) {
  return run_pieces(bytes, {}, stream, eof);
}

TEST(ResponseConsumer, ChatStreamWithUsage) {
  const Outcome o = run_whole(fixture("chat_stream_usage.http"));
  EXPECT_EQ(o.rec.error, ErrorKind::none) << o.rec.message();
  EXPECT_EQ(o.rec.http_status, 200);
  EXPECT_EQ(o.rec.completion_tokens, 16u);
  EXPECT_EQ(o.rec.token_source, TokenSource::usage);
  EXPECT_EQ(o.rec.prompt_tokens, 31u);
  EXPECT_EQ(o.rec.content_events, 16u);  // the role event is not a token
  EXPECT_TRUE(o.rec.timings.present);
  EXPECT_DOUBLE_EQ(o.rec.timings.predicted_n, 16);
  EXPECT_NEAR(o.rec.timings.predicted_per_second, 1653.986, 1e-3);
  EXPECT_TRUE(o.reusable);  // the response itself allows keep-alive
}

TEST(ResponseConsumer, ChatStreamWithoutUsageCountsFromTimings) {
  const Outcome o = run_whole(fixture("chat_stream.http"));
  EXPECT_EQ(o.rec.error, ErrorKind::none) << o.rec.message();
  EXPECT_EQ(o.rec.token_source, TokenSource::timings);
  EXPECT_EQ(o.rec.completion_tokens, 16u);
  EXPECT_EQ(o.rec.content_events, 16u);
}

TEST(ResponseConsumer, ChatStreamStopWithheldTokensAreNotEvents) {
  const Outcome o = run_whole(fixture("chat_stream_stop.http"));
  EXPECT_EQ(o.rec.error, ErrorKind::none) << o.rec.message();
  EXPECT_LT(o.rec.content_events, o.rec.completion_tokens);
}

TEST(ResponseConsumer, NativeStreamEmptyContentIsNotAToken) {
  const Outcome stop = run_whole(fixture("completion_stream_stop.http"));
  EXPECT_EQ(stop.rec.error, ErrorKind::none) << stop.rec.message();
  const Outcome plain = run_whole(fixture("completion_stream.http"));
  EXPECT_EQ(plain.rec.error, ErrorKind::none) << plain.rec.message();
  EXPECT_EQ(plain.rec.content_events, 16u);
  EXPECT_EQ(plain.rec.completion_tokens, 16u);
  EXPECT_EQ(plain.rec.prompt_tokens, 5u);
  EXPECT_EQ(plain.rec.token_source, TokenSource::timings);
}

TEST(ResponseConsumer, CompletionsStream) {
  const Outcome o = run_whole(fixture("cmpl_stream.http"));
  EXPECT_EQ(o.rec.error, ErrorKind::none) << o.rec.message();
  EXPECT_EQ(o.rec.token_source, TokenSource::usage);
  EXPECT_EQ(o.rec.completion_tokens, 16u);
  EXPECT_EQ(o.rec.content_events, 16u);
}

TEST(ResponseConsumer, NonStreamBodies) {
  for (const char* name : {"chat_nonstream.http", "cmpl_nonstream.http", "completion_nonstream.http"}) {
    const Outcome o = run_whole(fixture(name), false, false);
    EXPECT_EQ(o.rec.error, ErrorKind::none) << name << ": " << o.rec.message();
    EXPECT_EQ(o.rec.completion_tokens, 16u) << name;
    EXPECT_EQ(o.rec.content_events, 1u) << name;
    EXPECT_NE(o.rec.token_source, TokenSource::events) << name;
    EXPECT_EQ(o.rec.first_token_ns, -1) << name << ": one body has no time to first token";
    EXPECT_TRUE(o.reusable) << name;
  }
}

TEST(ResponseConsumer, MidStreamErrorEvent) {
  for (const char* name : {"err_midstream_chat_stream.http", "err_midstream_completion_stream.http"}) {
    const Outcome o = run_whole(fixture(name));
    EXPECT_EQ(o.rec.error, ErrorKind::error_event) << name;
    EXPECT_NE(o.rec.message().find("does not match"), std::string_view::npos) << o.rec.message();
    EXPECT_EQ(o.rec.content_events, 121u) << name;
    EXPECT_FALSE(o.reusable);
  }
}

TEST(ResponseConsumer, HttpErrorsKeepTheServerMessage) {
  struct Case {
    const char* name;
    ErrorKind kind;
    const char* text;
  };
  for (const Case& c : {Case{"err_prompt_too_long_chat_stream.http", ErrorKind::http_4xx, "exceeds the available context"},
                        Case{"err_invalid_json_chat.http", ErrorKind::http_5xx, "parse error"},
                        Case{"err_missing_messages.http", ErrorKind::http_4xx, "'messages' is required"},
                        Case{"health_loading.http", ErrorKind::http_5xx, "Loading model"}}) {
    const Outcome o = run_whole(fixture(c.name));
    EXPECT_EQ(o.rec.error, c.kind) << c.name;
    EXPECT_NE(o.rec.message().find(c.text), std::string_view::npos) << c.name << ": " << o.rec.message();
    EXPECT_FALSE(o.reusable) << c.name;  // Connection: close
  }
}

TEST(ResponseConsumer, StreamCutBeforeDoneIsIncomplete) {
  const std::string full = fixture("chat_stream_usage.http");
  const std::size_t done = full.find("data: [DONE]");
  ASSERT_NE(done, std::string::npos);
  // Cut at the chunk-size line before [DONE]: the stream simply stops.
  const std::size_t cut = full.rfind("\r\n", done - 3) + 2;
  const Outcome o = run_whole(std::string_view(full).substr(0, cut));
  EXPECT_EQ(o.rec.error, ErrorKind::incomplete);
  EXPECT_EQ(o.rec.content_events, 16u);
}

TEST(ResponseConsumer, CleanTerminatorWithoutDoneIsIncomplete) {
  std::string full = fixture("chat_stream_usage.http");
  const std::size_t done = full.find("e\r\ndata: [DONE]\n\n\r\n");
  ASSERT_NE(done, std::string::npos);
  full.erase(done, std::string_view("e\r\ndata: [DONE]\n\n\r\n").size());
  const Outcome o = run_whole(full);
  EXPECT_EQ(o.rec.error, ErrorKind::incomplete);
}

TEST(ResponseConsumer, HtmlInsteadOfEventsIsProtocolError) {
  const std::string resp =
      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>";
  const Outcome o = run_whole(resp);
  EXPECT_EQ(o.rec.error, ErrorKind::protocol);
  EXPECT_NE(o.rec.message().find("text/html"), std::string_view::npos);
}

TEST(ResponseConsumer, GarbageIsProtocolError) {
  const Outcome o = run_whole("\x16\x03\x01 definitely not http\r\n\r\n");
  EXPECT_EQ(o.rec.error, ErrorKind::protocol);
}

TEST(ResponseConsumer, InvalidEventJsonIsProtocolError) {
  const std::string resp =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
      "10\r\ndata: {\"choices\"\n\n\r\n"
      "e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n";
  const Outcome o = run_whole(resp);
  EXPECT_EQ(o.rec.error, ErrorKind::protocol);
}

TEST(ResponseConsumer, EofBeforeAnythingMeansStaleConnection) {
  protocol::EventDecoder decoder;
  ResponseConsumer consumer(decoder, 1024);
  RequestRecord rec;
  consumer.start(rec, true);
  EXPECT_TRUE(consumer.nothing_received());
  consumer.on_eof(5);
  EXPECT_EQ(rec.error, ErrorKind::incomplete);
  EXPECT_TRUE(consumer.nothing_received());
}

TEST(ResponseConsumer, TimestampsComeFromReads) {
  // Headers in read 1, role event in read 2, first token in read 3.
  const std::string full = fixture("chat_stream_usage.http");
  const std::size_t body = full.find("\r\n\r\n") + 4;
  const std::size_t second_event = full.find("data: ", full.find("data: ") + 1);
  const Outcome o = run_pieces(full, {body, second_event}, true, true);
  EXPECT_EQ(o.rec.error, ErrorKind::none) << o.rec.message();
  EXPECT_EQ(o.rec.headers_ns, 1);
  EXPECT_EQ(o.rec.first_token_ns, 3);
  EXPECT_EQ(o.rec.end_ns, 3);
  EXPECT_EQ(o.content_seen, 16u);
}

// How each captured reply ended, and the model it names, as the record
// keeps them; whether that is short of max_tokens is stats::truncated's call.
TEST(ResponseConsumer, FinishReasonModelAndTruncation) {
  struct Case {
    const char* file;
    bool stream;
    FinishReason finish;
    bool context_truncated;
    int max_tokens;  // the request's (see requests/NAME.json)
    bool truncated;
    const char* model;
  };
  const char* tiny = "/srv/llms/models/tiny-random-llama.gguf";
  for (const Case& c : {
           Case{"chat_stream.http", true, FinishReason::length, false, 16, false, tiny},
           Case{"chat_stream_usage_alias.http", true, FinishReason::length, false, 16, false, "small-random-llama"},
           Case{"chat_stream_stop.http", true, FinishReason::stop, false, 16, false, tiny},
           Case{"cmpl_stream.http", true, FinishReason::length, false, 16, false, tiny},
           Case{"completion_stream.http", true, FinishReason::length, false, 16, false, tiny},
           Case{"completion_stream_stop.http", true, FinishReason::stop, false, 16, false, tiny},
           Case{"chat_nonstream.http", false, FinishReason::length, false, 16, false, tiny},
           Case{"completion_nonstream.http", false, FinishReason::length, false, 16, false, tiny},
           // 31 prompt + 481 generated fill the slot's 512: "length" short of 100000.
           Case{"max_tokens_over_ctx.http", false, FinishReason::length, false, 100000, true, tiny},
           // native says so itself: "truncated": true, "stop_type": "limit".
           Case{"completion_max_tokens_over_ctx.http", false, FinishReason::length, true, 100000, true, tiny},
       }) {
    const Outcome o = run_whole(fixture(c.file), c.stream, c.stream);
    EXPECT_EQ(o.rec.error, ErrorKind::none) << c.file << ": " << o.rec.message();
    EXPECT_EQ(o.rec.finish, c.finish) << c.file;
    EXPECT_EQ(o.rec.context_truncated, c.context_truncated) << c.file;
    EXPECT_EQ(stats::truncated(o.rec, c.max_tokens), c.truncated) << c.file;
    EXPECT_EQ(o.rec.model(), c.model) << c.file;
  }
  // The model's own stop before max_tokens is no truncation, but is counted apart.
  const Outcome stop = run_whole(fixture("chat_stream_stop.http"));
  EXPECT_LT(stop.rec.completion_tokens, 16u);
  EXPECT_TRUE(stats::stopped_before_max_tokens(stop.rec, 16));
  EXPECT_FALSE(stats::stopped_before_max_tokens(stop.rec, 0));
}

// A model that stops at once: the stream is well formed, but nothing was
// generated. That is a failure of its own kind, with the finish reason, split
// anywhere; a reply with one real token is not.
TEST(ResponseConsumer, EmptyReplyIsAFailureOfKindEmpty) {
  const std::string tail = R"(,"created":1,"id":"c","model":"served.gguf","object":"chat.completion.chunk"})";
  const std::string role = R"({"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}])" + tail;
  const std::string blank = R"({"choices":[{"finish_reason":null,"index":0,"delta":{"content":""}}])" + tail;
  const std::string last = R"({"choices":[{"finish_reason":"stop","index":0,"delta":{}}])" + tail.substr(0, tail.size() - 1) +
                           R"(,"usage":{"completion_tokens":1,"prompt_tokens":9}})";
  const std::string bytes = test::chunked_sse({role, blank, last, "[DONE]"});
  const Outcome whole = run_whole(bytes);
  EXPECT_EQ(whole.rec.error, ErrorKind::empty);
  EXPECT_EQ(whole.rec.message(), "empty reply: no generated content (finish_reason stop, 1 completion token)");
  EXPECT_EQ(whole.rec.finish, FinishReason::stop);
  EXPECT_EQ(whole.rec.model(), "served.gguf");
  EXPECT_TRUE(whole.reusable);  // the exchange itself was fine
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    const Outcome split = run_pieces(bytes, {cut}, true, true);
    ASSERT_EQ(split.rec.error, ErrorKind::empty) << cut;
    ASSERT_EQ(split.rec.message(), whole.rec.message()) << cut;
  }
  const std::string word = R"({"choices":[{"finish_reason":null,"index":0,"delta":{"content":"Hi"}}])" + tail;
  EXPECT_EQ(run_whole(test::chunked_sse({role, word, last, "[DONE]"})).rec.error, ErrorKind::none);
  // Non-streamed: content "" is empty too.
  const std::string body = R"({"choices":[{"finish_reason":"stop","index":0,"message":{"role":"assistant","content":""}}],"model":"m","usage":{"completion_tokens":1,"prompt_tokens":9}})";
  const std::string json = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body;
  const Outcome nonstream = run_whole(json, false, false);
  EXPECT_EQ(nonstream.rec.error, ErrorKind::empty) << nonstream.rec.message();
}

// Every fixture, split at every offset into two reads (and into single bytes),
// gives the same record as when fed whole.
TEST(ResponseConsumer, EverySplitGivesTheSameRecord) {
  for (const std::string& name : test::fixture_names()) {
    const std::string bytes = fixture(name);
    const bool stream = name.find("stream") != std::string::npos;
    const Outcome whole = run_whole(bytes, stream);
    protocol::EventDecoder decoder;
    ResponseConsumer consumer(decoder, 1u << 20);
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
      const Outcome split = run_pieces(consumer, bytes, {cut}, stream, true);
      ASSERT_EQ(split.rec.error, whole.rec.error) << name << " cut " << cut << ": " << split.rec.message();
      ASSERT_EQ(split.rec.completion_tokens, whole.rec.completion_tokens) << name << " cut " << cut;
      ASSERT_EQ(split.rec.content_events, whole.rec.content_events) << name << " cut " << cut;
      ASSERT_EQ(split.rec.events, whole.rec.events) << name << " cut " << cut;
      ASSERT_EQ(split.rec.http_status, whole.rec.http_status) << name << " cut " << cut;
      ASSERT_EQ(split.content_seen, whole.content_seen) << name << " cut " << cut;
      ASSERT_EQ(split.rec.message(), whole.rec.message()) << name << " cut " << cut;
      ASSERT_EQ(split.rec.finish, whole.rec.finish) << name << " cut " << cut;
      ASSERT_EQ(split.rec.context_truncated, whole.rec.context_truncated) << name << " cut " << cut;
      ASSERT_EQ(split.rec.model(), whole.rec.model()) << name << " cut " << cut;
    }
    std::vector<std::size_t> bytewise(bytes.size());
    for (std::size_t i = 0; i < bytes.size(); ++i) bytewise[i] = i;
    const Outcome dribble = run_pieces(consumer, bytes, bytewise, stream, true);
    EXPECT_EQ(dribble.rec.error, whole.rec.error) << name;
    EXPECT_EQ(dribble.rec.completion_tokens, whole.rec.completion_tokens) << name;
    EXPECT_EQ(dribble.rec.content_events, whole.rec.content_events) << name;
    EXPECT_EQ(dribble.rec.finish, whole.rec.finish) << name;
    EXPECT_EQ(dribble.rec.context_truncated, whole.rec.context_truncated) << name;
    EXPECT_EQ(dribble.rec.model(), whole.rec.model()) << name;
  }
}

// --stamp-lag: each stamped event adds (read time - stamp) in the stamp's
// clock (CLOCK_MONOTONIC, our clock plus its epoch); the first content event
// also to the first-token histogram; events without a stamp add nothing.
TEST(ResponseConsumer, StampLagRecordsEveryStampedEventAndTheFirstToken) {
  const std::int64_t epoch_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_epoch().time_since_epoch()).count();
  const std::int64_t t1 = 1'000'000;  // read times on our clock
  const std::int64_t t2 = 3'000'000;
  auto event = [](std::string_view json) {
    std::string chunk = "data: ";
    chunk.append(json).append("\n\n");
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    return std::string(size) + chunk + "\r\n";
  };
  const std::string role = event(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]})");
  const std::string tok1 = event(R"({"choices":[{"index":0,"delta":{"content":"a"}}],"stamp_ns":)" +
                                 std::to_string(epoch_ns + t1 - 250'000) + "}");
  const std::string tok2 = event(R"({"choices":[{"index":0,"delta":{"content":"b"}}],"stamp_ns":)" +
                                 std::to_string(epoch_ns + t2 - 40'000) + "}");
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string end = event("[DONE]") + "0\r\n\r\n";

  protocol::EventDecoder decoder;
  ResponseConsumer consumer(decoder, 1u << 20);
  std::vector<StreamSample> samples;
  consumer.stage_samples(&samples, /*delivery_lag=*/true);
  RequestRecord rec;
  consumer.start(rec, true);
  ReadTokens t;
  const std::string read1 = head + role + tok1;
  test::ExactBuffer b1(read1);
  ASSERT_EQ(consumer.on_read(b1.view(), t1, t), ConsumeState::need_more);
  const std::string read2 = tok2 + end;
  test::ExactBuffer b2(read2);
  ASSERT_EQ(consumer.on_read(b2.view(), t2, t), ConsumeState::done);
  ASSERT_EQ(rec.error, ErrorKind::none) << rec.message();

  std::vector<std::int64_t> all, first;
  for (const StreamSample& s : samples) {
    if (s.kind != SampleKind::delivery_lag) continue;
    all.push_back(s.value_ns);
    if (s.first_token) first.push_back(s.value_ns);
  }
  EXPECT_EQ(all, (std::vector<std::int64_t>{250'000, 40'000}));  // the role event and [DONE] carry no stamp
  EXPECT_EQ(first, (std::vector<std::int64_t>{250'000}));
}

// A read's samples carry its time of record (the kernel's, when it had one)
// and beside it the user-space time; the lags and gaps use the first.
TEST(ResponseConsumer, SamplesCarryTheUserTimeBesideTheReadTime) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string tok = "24\r\ndata: {\"content\":\"a\",\"stop\":false}\n\n\r\n";  // one native event
  protocol::EventDecoder decoder;
  ResponseConsumer consumer(decoder, 1u << 20);
  std::vector<StreamSample> samples;
  consumer.stage_samples(&samples, false);
  RequestRecord rec;
  consumer.start(rec, true);
  ReadTokens t;
  test::ExactBuffer b1(head + tok);
  consumer.on_read(b1.view(), b1.view().data() + b1.view().size(), 1'000, t, 1'700);
  test::ExactBuffer b2(tok);
  consumer.on_read(b2.view(), b2.view().data() + b2.view().size(), 5'000, t);  // no user time: t_ns is it
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].t_ns, 1'000);
  EXPECT_EQ(samples[0].user_ns, 1'700);
  EXPECT_EQ(samples[1].t_ns, 5'000);
  EXPECT_EQ(samples[1].user_ns, 5'000);
  EXPECT_EQ(samples[1].value_ns, 4'000);  // the gap between the reads' times of record
  EXPECT_EQ(rec.first_token_ns, 1'000);
}

// continuous_usage_stats (vLLM, SGLang): a cumulative `usage` in every
// content event, so each read's tokens are known, not spread evenly.
std::string sse_chunk(std::string_view json) {
  std::string chunk = "data: ";
  chunk.append(json).append("\n\n");
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  return std::string(size) + chunk + "\r\n";
}

std::string usage_event(std::string_view text, int so_far) {
  return sse_chunk(R"({"choices":[{"index":0,"delta":{"content":")" + std::string(text) +
                   R"("}}],"usage":{"completion_tokens":)" + std::to_string(so_far) +
                   R"(,"prompt_tokens":5,"total_tokens":)" + std::to_string(so_far + 5) + "}}");
}

struct UsageRun {
  RequestRecord rec;
  std::vector<double> read_tokens;
};

UsageRun run_usage_events(const std::vector<std::string>& reads) {
  protocol::EventDecoder decoder;
  ResponseConsumer consumer(decoder, 1u << 20);
  std::vector<StreamSample> samples;
  consumer.stage_samples(&samples, false);
  UsageRun out;
  consumer.start(out.rec, true);
  std::int64_t t = 1'000;
  for (const std::string& r : reads) {
    test::ExactBuffer b(r);
    ReadTokens rt;
    consumer.on_read(b.view(), t, rt);
    t += 1'000;
  }
  for (const StreamSample& s : samples) {
    if (s.kind == SampleKind::token_read) out.read_tokens.push_back(s.tokens);
  }
  return out;
}

TEST(ResponseConsumer, EventUsageGivesEachReadItsOwnTokens) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string role =
      sse_chunk(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""}}],"usage":{"completion_tokens":0,"prompt_tokens":5,"total_tokens":5}})");
  const std::string last = sse_chunk(R"({"choices":[],"usage":{"completion_tokens":7,"prompt_tokens":5,"total_tokens":12}})") +
                           sse_chunk("[DONE]") + "0\r\n\r\n";
  // 3 + 3 + 1 tokens in three events; the second and third share one read.
  const UsageRun u = run_usage_events({head + role + usage_event("a b c", 3), usage_event("d e f", 6) + usage_event("g", 7),
                                       last});
  ASSERT_EQ(u.rec.error, ErrorKind::none) << u.rec.message();
  EXPECT_EQ(u.rec.completion_tokens, 7u);
  EXPECT_EQ(u.rec.content_events, 3u);
  EXPECT_EQ(u.rec.usage_events, 3u);
  EXPECT_EQ(u.rec.usage_event_tokens, 7u);
  EXPECT_TRUE(u.rec.tokens_known_per_event());
  EXPECT_EQ(u.read_tokens, (std::vector<double>{3, 4}));  // flush_samples keeps them as they are

  // One event without usage: the per-event counts are not all known, so the
  // request's count is spread evenly (flush_samples), as without the option.
  const UsageRun mixed = run_usage_events(
      {head + role + usage_event("a b c", 3),
       sse_chunk(R"({"choices":[{"index":0,"delta":{"content":"d"}}]})") + usage_event("g", 7), last});
  ASSERT_EQ(mixed.rec.error, ErrorKind::none) << mixed.rec.message();
  EXPECT_EQ(mixed.rec.usage_events, 2u);
  EXPECT_FALSE(mixed.rec.tokens_known_per_event());
}

}  // namespace
}  // namespace llmbench
