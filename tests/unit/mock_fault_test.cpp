// Fault injection: every mode of fault_modes() shows its fault on the wire,
// streamed and not, only on every fault_every-th completion request, and the
// server serves normally again right after it.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "llmbench/mock/generation.hpp"
#include "mock_test_client.hpp"

namespace llmbench::mock::test {
namespace {

constexpr int kTokens = 8;
constexpr int kFaultAfter = 3;
// How long a stalled response must stay silent. A bounded read, not a sleep:
// the read returns early (and the test fails) if any byte arrives.
constexpr milliseconds kSilence{300};

std::string chat_body(bool stream) {
  return R"({"messages":[{"role":"user","content":"Say hello."}],"max_tokens":)" + std::to_string(kTokens) +
         (stream ? R"(,"stream":true})" : R"(,"stream":false})");
}

int content_events(const Response& r) {
  int n = 0;
  for (const std::string& e : sse_data(r.body)) {
    if (e.find(R"("delta":{"content":)") != std::string::npos) ++n;
  }
  return n;
}

bool has_done(const Response& r) { return r.body.find("data: [DONE]") != std::string::npos; }

// A healthy streamed chat response, complete.
void expect_healthy_stream(const Response& r) {
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete) << to_string(r.end);
  EXPECT_EQ(content_events(r), kTokens);
  EXPECT_TRUE(has_done(r));
}

void expect_healthy_body(const Response& r) {
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete) << to_string(r.end);
  EXPECT_TRUE(is_json(r.body)) << r.body.substr(0, 200);
  EXPECT_NE(r.body.find(R"("completion_tokens":)" + std::to_string(kTokens) + ","), std::string::npos);
}

void expect_json_error(const Response& r, int status) {
  EXPECT_EQ(r.status, status);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(json_shape(r.body).substr(0, 8), "{error:{");
  EXPECT_NE(r.body.find(std::to_string(status)), std::string::npos);
}

void expect_pre_slot(std::string_view mode, const Response& r) {
  if (mode == "http_500") expect_json_error(r, 500);
  if (mode == "http_503") {
    expect_json_error(r, 503);
    EXPECT_NE(r.body.find("Loading model"), std::string::npos);
  }
  if (mode == "http_429") {
    expect_json_error(r, 429);
    EXPECT_TRUE(r.header("Retry-After").has_value());
  }
  if (mode == "no_response") {
    EXPECT_TRUE(r.raw.empty());
    EXPECT_EQ(r.end, ReadStatus::timeout);
  }
  if (mode == "garbage") {
    EXPECT_GE(r.raw.size(), 64u);
    EXPECT_FALSE(r.raw.starts_with("HTTP/"));
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.end, ReadStatus::eof);
  }
  if (mode == "html_200") {
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(r.header("Content-Type")->starts_with("text/html"));
    EXPECT_TRUE(r.body.starts_with("<!DOCTYPE html>"));
    EXPECT_FALSE(is_json(r.body));
  }
}

using Check = std::function<void(const Response&)>;

// What a streamed chat request looks like under each fault.
std::map<std::string, Check, std::less<>> stream_checks() {
  std::map<std::string, Check, std::less<>> m;
  for (const char* pre : {"http_500", "http_503", "http_429", "no_response", "garbage", "html_200"}) {
    m[pre] = [mode = std::string(pre)](const Response& r) { expect_pre_slot(mode, r); };
  }
  m["reset_midstream"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.end, ReadStatus::reset);
    EXPECT_EQ(content_events(r), kFaultAfter);  // Linux hands over what arrived before the RST
  };
  m["close_no_done"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.complete);  // no zero-size chunk
    EXPECT_EQ(r.end, ReadStatus::eof);
    EXPECT_EQ(content_events(r), kFaultAfter);
    EXPECT_FALSE(has_done(r));
  };
  m["bad_chunk_size"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.bad_chunk_size);
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(content_events(r), kFaultAfter);
  };
  m["bad_json_event"] = [](const Response& r) {
    EXPECT_TRUE(r.complete);
    int broken = 0;
    for (const std::string& e : sse_data(r.body)) broken += e != "[DONE]" && !is_json(e) ? 1 : 0;
    EXPECT_EQ(broken, 1);
    EXPECT_EQ(content_events(r), kTokens + 1);  // the broken one looks like a content event
  };
  m["huge_event"] = [](const Response& r) {
    EXPECT_TRUE(r.complete) << to_string(r.end);
    std::size_t biggest = 0;
    for (const Chunk& c : r.chunks) biggest = std::max(biggest, c.data.size());
    EXPECT_GE(biggest, std::size_t{4} << 20);
    for (const std::string& e : sse_data(r.body)) EXPECT_TRUE(e == "[DONE]" || is_json(e));
    EXPECT_TRUE(has_done(r));
  };
  m["stall_after_headers"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.chunks.empty());
    EXPECT_EQ(r.end, ReadStatus::timeout);
  };
  m["stall_midstream"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(content_events(r), kFaultAfter);
    EXPECT_EQ(r.end, ReadStatus::timeout);
  };
  m["dribble"] = [](const Response& r) {
    expect_healthy_stream(r);
    // One byte per write: the client sees many small reads, not a few chunks.
    EXPECT_GT(r.recv_calls, static_cast<int>(r.chunks.size()) * 4);
  };
  m["error_event"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete);  // the zero-size chunk ends it ...
    EXPECT_FALSE(has_done(r));  // ... but no [DONE]
    EXPECT_EQ(content_events(r), kFaultAfter);
    const auto events = sse_data(r.body);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(json_shape(events.back()), "{error:{code:n,message:s,type:s}}");
  };
  m["empty_reply"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(has_done(r));
    // One token event whose text is empty (the end-of-sequence), then "stop".
    EXPECT_EQ(content_events(r), 1);
    EXPECT_NE(r.body.find(R"("delta":{"content":""})"), std::string::npos);
    EXPECT_EQ(r.body.find(R"("finish_reason":"length")"), std::string::npos);
    EXPECT_NE(r.body.find(R"("finish_reason":"stop")"), std::string::npos);
  };
  return m;
}

// The same faults on a non-streamed request.
std::map<std::string, Check, std::less<>> body_checks() {
  std::map<std::string, Check, std::less<>> m;
  for (const char* pre : {"http_500", "http_503", "http_429", "no_response", "garbage", "html_200"}) {
    m[pre] = [mode = std::string(pre)](const Response& r) { expect_pre_slot(mode, r); };
  }
  m["reset_midstream"] = [](const Response& r) {
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.end, ReadStatus::reset);
  };
  m["close_no_done"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.complete);  // fewer bytes than Content-Length
    EXPECT_EQ(r.end, ReadStatus::eof);
  };
  m["bad_chunk_size"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.bad_chunk_size);
  };
  m["bad_json_event"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete);
    EXPECT_FALSE(is_json(r.body));
  };
  m["huge_event"] = [](const Response& r) {
    EXPECT_TRUE(r.complete) << to_string(r.end);
    EXPECT_GE(r.body.size(), std::size_t{4} << 20);
    EXPECT_TRUE(is_json(r.body));
  };
  m["stall_after_headers"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.body.empty());
    EXPECT_EQ(r.end, ReadStatus::timeout);
  };
  m["stall_midstream"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.end, ReadStatus::timeout);
  };
  m["dribble"] = [](const Response& r) {
    expect_healthy_body(r);
    EXPECT_GT(r.recv_calls, 20);
  };
  m["error_event"] = [](const Response& r) {
    expect_json_error(r, 500);
    EXPECT_NE(r.body.find("does not match the expected"), std::string::npos);
  };
  m["empty_reply"] = [](const Response& r) {
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(is_json(r.body));
    EXPECT_NE(r.body.find(R"("finish_reason":"stop","index":0,"message":{"role":"assistant","content":""})"),
              std::string::npos)
        << r.body;
    EXPECT_NE(r.body.find(R"("usage":{"completion_tokens":1,)"), std::string::npos) << r.body;
  };
  return m;
}

MockConfig fault_config(std::string_view mode, int every) {
  MockConfig cfg = fast_config();
  cfg.fault = std::string(mode);
  cfg.fault_every = every;
  cfg.fault_after_tokens = kFaultAfter;
  cfg.dribble_gap_us = 50;
  return cfg;
}

// Healthy, faulted, healthy: fault_every = 2 hits only the second request,
// and a fault leaves the server fit for the next one.
void run_mode(std::string_view mode, bool stream, const Check& check) {
  SCOPED_TRACE(std::string(mode) + (stream ? " streamed" : " whole"));
  Running srv(fault_config(mode, 2));
  const std::string req = post_request("/v1/chat/completions", chat_body(stream));
  const auto healthy = [&](const Response& r) { stream ? expect_healthy_stream(r) : expect_healthy_body(r); };
  healthy(round_trip(srv.port, req));
  // Only the silent modes read with the short timeout: the others must not
  // fail just because a loaded machine paused for a moment.
  const bool silent = mode == "stall_after_headers" || mode == "stall_midstream" || mode == "no_response";
  check(round_trip(srv.port, req, silent ? kSilence : kIoTimeout));
  healthy(round_trip(srv.port, req));
  const MockStats st = srv.server.stats();
  EXPECT_EQ(st.faults_injected, 1u);
  EXPECT_EQ(st.completions_total, 3u);
}

TEST(MockFault, EveryModeIsCovered) {
  const auto s = stream_checks();
  const auto b = body_checks();
  for (const std::string_view mode : fault_modes()) {
    EXPECT_TRUE(s.contains(mode)) << mode;
    EXPECT_TRUE(b.contains(mode)) << mode;
    EXPECT_EQ(parse_fault(mode).has_value() ? to_string(*parse_fault(mode)) : "", mode);
  }
  EXPECT_EQ(s.size(), fault_modes().size());
  EXPECT_FALSE(parse_fault("nonsense").has_value());
  EXPECT_EQ(parse_fault(""), FaultMode::none);
}

TEST(MockFault, StreamedRequestsShowEachFault) {
  for (const auto& [mode, check] : stream_checks()) run_mode(mode, true, check);
}

TEST(MockFault, NonStreamedRequestsShowEachFault) {
  for (const auto& [mode, check] : body_checks()) run_mode(mode, false, check);
}

TEST(MockFault, NativeAndCompletionsStreamsFaultToo) {
  Running srv(fault_config("error_event", 1));
  const Response n = round_trip(srv.port, post_request("/completion", R"({"prompt":"x","n_predict":8,"stream":true})"));
  EXPECT_TRUE(n.complete);
  const auto nev = sse_data(n.body);
  ASSERT_EQ(nev.size(), static_cast<std::size_t>(kFaultAfter + 1));
  EXPECT_NE(nev.back().find("Content-only format"), std::string::npos);
  const Response c = round_trip(srv.port, post_request("/v1/completions", R"({"prompt":"x","max_tokens":8,"stream":true})"));
  EXPECT_FALSE(has_done(c));
  EXPECT_NE(sse_data(c.body).back().find(R"({"error":{"code":500,)"), std::string::npos);
}

TEST(MockFault, FaultEveryCountsOnlyCompletionRequests) {
  Running srv(fault_config("http_500", 3));
  Conn c(srv.port);
  Reader rd(c);
  std::string statuses;
  for (int i = 0; i < 7; ++i) {
    c.send_all(get_request("/health"));  // not a completion: never faulted, not counted
    EXPECT_EQ(rd.read().status, 200);
    c.send_all(post_request("/v1/chat/completions", chat_body(false)));
    statuses += std::to_string(rd.read().status) + " ";
  }
  EXPECT_EQ(statuses, "200 200 500 200 200 500 200 ");
  EXPECT_EQ(srv.server.stats().faults_injected, 2u);
  EXPECT_EQ(srv.server.stats().completions_total, 7u);
}

TEST(MockFault, FaultAfterZeroTokensStrikesBeforeTheFirst) {
  MockConfig cfg = fault_config("close_no_done", 1);
  cfg.fault_after_tokens = 0;
  Running srv(cfg);
  const Response r = round_trip(srv.port, post_request("/v1/chat/completions", chat_body(true)));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.chunks.empty());
  EXPECT_EQ(r.end, ReadStatus::eof);
}

TEST(MockFault, StalledConnectionsDoNotBlockStop) {
  for (const char* mode : {"stall_after_headers", "stall_midstream", "no_response"}) {
    SCOPED_TRACE(mode);
    auto srv = std::make_unique<Running>(fault_config(mode, 1));
    Conn a(srv->port);
    Conn b(srv->port);
    a.send_all(post_request("/v1/chat/completions", chat_body(true)));
    b.send_all(post_request("/v1/chat/completions", chat_body(false)));
    Reader ra(a, kSilence);
    Reader rb(b, kSilence);
    EXPECT_EQ(ra.read().end, ReadStatus::timeout);
    EXPECT_EQ(rb.read().end, ReadStatus::timeout);
    const auto t0 = Clock::now();
    srv.reset();  // the destructor stops
    EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 3.0);  // the grace period is 5 s
    std::string rest;
    const ReadStatus s = a.drain(rest, milliseconds(2000));
    EXPECT_TRUE(s == ReadStatus::eof || s == ReadStatus::reset) << to_string(s);
  }
}

// A client that stops reading in the middle of an 8 MiB event leaves the
// server blocked in a write; stop() must not wait on it.
TEST(MockFault, BlockedWriteDoesNotBlockStop) {
  MockConfig cfg = fault_config("huge_event", 1);
  cfg.fault_after_tokens = 0;
  auto srv = std::make_unique<Running>(cfg);
  Conn c(srv->port);
  c.send_all(post_request("/v1/chat/completions", chat_body(true)));
  ASSERT_TRUE(until_stats(srv->server, [](const MockStats& st) { return st.requests_streamed >= 1; }));
  const auto t0 = Clock::now();
  srv.reset();
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 3.0);  // the grace period is 5 s
  std::string rest;
  const ReadStatus s = c.drain(rest, milliseconds(2000));
  EXPECT_TRUE(s == ReadStatus::eof || s == ReadStatus::reset) << to_string(s);
  EXPECT_LT(rest.size(), kHugeEventBytes);
}

}  // namespace
}  // namespace llmbench::mock::test
