// Injected misbehaviour for reliability tests. Each mode imitates something a
// real deployment does: an overloaded or restarting server (500/503/429), a
// proxy that cuts or corrupts a stream, a wedged worker, a captive portal.
// The exact bytes of each mode are listed in the README of the mock
// (include/llmbench/mock/config.hpp names the modes).
#include <array>

#include "llmbench/mock/generation.hpp"
#include "llmbench/mock/session.hpp"
#include "llmbench/mock/wire.hpp"

namespace llmbench::mock {

namespace {
constexpr std::size_t kGarbageBytes = 256;
constexpr std::string_view kHtmlBody =
    "<!DOCTYPE html>\n<html><head><title>llama.cpp - chat</title></head>"
    "<body><div id=\"app\">Loading...</div></body></html>\n";
constexpr std::string_view kBadChunkSize = "zz\r\n";
constexpr std::string_view kRetryAfter = "Retry-After: 2\r\n";

// Random bytes that no HTTP parser mistakes for a status line.
std::string garbage_bytes(std::uint64_t seed) {
  SplitMix64 rng(seed);
  std::string g(kGarbageBytes, '\0');
  for (char& c : g) c = static_cast<char>(rng.next() & 0xFF);
  g[0] = '\x7f';
  return g;
}
}  // namespace

asio::awaitable<After> Session::fault_before_slot(FaultMode fault, const Request& req, bool keep) {
  std::string body;
  switch (fault) {
    case FaultMode::http_500:
      wire::append_error_body(body, 500, "injected fault: internal server error", "server_error");
      co_return co_await send_json(500, body, req, keep);
    case FaultMode::http_503:
      wire::append_http_error_body(body, 503, "Loading model", "unavailable_error");
      co_return co_await send_json(503, body, req, keep);
    case FaultMode::http_429:
      wire::append_error_body(body, 429, "injected fault: too many requests", "rate_limit_error");
      co_return co_await send_json(429, body, req, keep, kRetryAfter);
    case FaultMode::no_response:
      co_await wait_peer_gone();
      co_return After::close;
    case FaultMode::garbage:
      if (co_await send(garbage_bytes(st_.next_task()))) co_return After::drop;
      co_return After::close;
    case FaultMode::html_200:
      out_.clear();
      wire::append_head(out_, 200, "text/html; charset=utf-8", kHtmlBody.size(), head_options(req, keep));
      out_ += kHtmlBody;
      if (co_await send(out_)) co_return After::drop;
      co_return keep ? After::keep : After::close;
    default:
      co_return After::close;
  }
}

// Strikes before token `fault_at` of a stream, once its time has come.
asio::awaitable<std::optional<After>> Session::fault_midstream(Generation& g) {
  out_.clear();
  switch (g.fault) {
    case FaultMode::reset_midstream:
      reset_connection();
      co_return After::drop;
    case FaultMode::close_no_done:
      co_return After::close;  // FIN, without the final events, [DONE] or 0-size chunk
    case FaultMode::bad_chunk_size:
      out_ += kBadChunkSize;  // not hex: the client's de-chunker must fail here
      g.enc.token_chunk(out_, g.text.next(), 1, 2);
      if (co_await send(out_)) co_return After::drop;
      co_return After::close;
    case FaultMode::bad_json_event:
      g.enc.broken_event_chunk(out_);
      break;
    case FaultMode::huge_event:
      g.enc.huge_event_chunk(out_, kHugeEventBytes);
      break;
    case FaultMode::stall_midstream:
      co_await wait_peer_gone();
      co_return After::close;
    case FaultMode::error_event: {
      g.enc.error_event_chunk(out_);
      out_ += wire::kLastChunk;
      g.lease.release();
      if (co_await send(out_)) co_return After::drop;
      co_return st_.cfg.close_after_stream ? After::close : After::keep;
    }
    default:
      co_return std::nullopt;
  }
  const std::error_code ec = co_await send(out_);
  if (out_.capacity() > (1u << 20)) std::string().swap(out_);  // give the huge event's memory back
  if (ec) co_return After::drop;
  co_return std::nullopt;
}

// The non-streamed form of the stream faults, applied to the finished body.
asio::awaitable<After> Session::fault_whole(Generation& g, const Outcome& o, const Request& req, bool keep,
                                            std::string& body) {
  out_.clear();
  const wire::HeadOptions head = head_options(req, keep);
  switch (g.fault) {
    case FaultMode::reset_midstream:
      reset_connection();
      co_return After::drop;
    case FaultMode::close_no_done:
    case FaultMode::stall_midstream:
    case FaultMode::stall_after_headers: {
      // The head promises the whole body; only the head, or half the body, comes.
      wire::append_head(out_, 200, wire::kJsonType, body.size(), head);
      if (g.fault != FaultMode::stall_after_headers) out_.append(body, 0, body.size() / 2);
      if (co_await send(out_)) co_return After::drop;
      if (g.fault != FaultMode::close_no_done) co_await wait_peer_gone();
      co_return After::close;
    }
    case FaultMode::bad_chunk_size:
      out_ = "HTTP/1.1 200 OK\r\nServer: llama.cpp\r\nContent-Type: application/json; charset=utf-8\r\n"
             "Transfer-Encoding: chunked\r\n\r\n";
      out_ += kBadChunkSize;
      out_ += body;
      if (co_await send(out_)) co_return After::drop;
      co_return After::close;
    case FaultMode::bad_json_event:
      body.resize(body.size() / 2);
      co_return co_await send_json(200, body, req, keep);
    case FaultMode::huge_event: {
      std::string content(kHugeEventBytes, 'x');
      std::string huge;
      g.enc.body(huge, content, o);
      co_return co_await send_json(200, huge, req, keep);
    }
    case FaultMode::error_event: {
      std::string err;
      wire::append_error_body(err, 500, g.enc.output_error_message(), "server_error");
      co_return co_await send_json(500, err, req, keep);
    }
    default:
      co_return co_await send_json(200, body, req, keep);
  }
}

}  // namespace llmbench::mock
