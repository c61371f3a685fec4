#include "llmbench/http/fetch.hpp"

#include <asio/experimental/as_tuple.hpp>

#include "llmbench/http/connection.hpp"
#include "llmbench/http/response_parser.hpp"
#include "llmbench/util/clock.hpp"

namespace llmbench::http {

namespace {

struct CollectSink {
  FetchResult* out;
  std::size_t max_body;
  void on_headers(const ResponseHead& h) {
    out->status = h.status;
    out->content_type.assign(h.content_type);
  }
  bool on_body(std::string_view b) {
    if (out->body.size() + b.size() > max_body) return false;
    out->body.append(b);
    return true;
  }
};

std::string describe(const std::error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again)
    return "host not found";
  if (ec == asio::error::eof) return "connection closed by the server";
  if (ec == asio::error::connection_reset) return "connection reset by the server";
  return ec.message();
}

asio::awaitable<void> do_fetch(asio::io_context& io, const Target& target, std::string request,
                               const FetchOptions& opts, FetchResult& out, bool& timed_out) {
  constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
  asio::ip::tcp::resolver resolver(io);
  auto [rec, endpoints] =
      co_await resolver.async_resolve(target.host, std::to_string(target.port), use_tuple);
  if (rec) {
    out.error = timed_out ? "timed out" : describe(rec);
    co_return;
  }
  Connection conn(io, opts.tls);
  conn.read_until_empty();
  if (auto ec = co_await conn.connect(endpoints, target.host)) {
    out.error = timed_out ? "timed out" : describe(ec);
    co_return;
  }
  if (auto ec = co_await conn.write(request)) {
    out.error = describe(ec);
    co_return;
  }
  CollectSink sink{&out, opts.max_body_bytes};
  ResponseParser<CollectSink> parser(sink);
  std::vector<char> buf(64 * 1024 + 64);
  for (;;) {
    ReadResult r = co_await conn.read(std::span<char>(buf.data(), buf.size() - 64));
    ParseState st;
    if (r.ec == asio::error::eof) {
      st = parser.finish();
    } else if (r.ec) {
      out.error = timed_out ? "timed out" : describe(r.ec);
      co_return;
    } else {
      if (opts.on_read) opts.on_read(r.bytes, now_ns());
      st = parser.feed(r.bytes);
    }
    if (st == ParseState::complete) {
      out.ok = true;
      co_return;
    }
    if (st == ParseState::error) {
      out.error = "malformed HTTP response: " + std::string(parser.error());
      co_return;
    }
  }
}

}  // namespace

FetchResult fetch(const Target& target, std::string_view method, std::string_view path, std::string_view body,
                  const FetchOptions& opts) {
  FetchResult out;
  asio::io_context io;
  bool timed_out = false;
  const std::string request = build_request(method, target, path, opts.headers, body, "application/json");
  asio::co_spawn(io, do_fetch(io, target, request, opts, out, timed_out), asio::detached);
  // The deadline stops the loop; pending operations are abandoned with it.
  io.run_for(opts.timeout);
  if (!io.stopped()) {
    timed_out = true;
    out.ok = false;
    out.error = "timed out after " + std::to_string(opts.timeout.count()) + " ms";
    io.stop();
  }
  return out;
}

}  // namespace llmbench::http
