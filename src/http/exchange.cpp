#include "llmbench/http/exchange.hpp"

#include <algorithm>

#include "llmbench/util/clock.hpp"

#include <spdlog/spdlog.h>

namespace llmbench::http {

namespace {

// Opens a connection unless `conn` holds one or the pool gives a live one
// (not when `fresh`: a resend must not land on another connection the
// server closed in the same instant).
asio::awaitable<std::error_code> ensure_connection(ExchangeContext& ctx, std::unique_ptr<Connection>& conn,
                                                   ExchangeResult& out, bool fresh) {
  out.reused = false;
  if (!conn && ctx.keepalive && !fresh) {
    conn = ctx.pool.take();
    out.reused = conn != nullptr;
  }
  if (conn) co_return std::error_code{};
  conn = std::make_unique<Connection>(ctx.io, ctx.tls, ctx.timestamps, ctx.clock);
  out.opened = true;
  const std::int64_t c0 = now_ns();
  const std::error_code ec = co_await conn->connect(ctx.endpoints, ctx.host);
  out.connect_ns += now_ns() - c0;
  if (!ec && ctx.timestamps == ReadTimestamps::kernel && !conn->kernel_stamps()) ++out.unstamped_connections;
  co_return ec;
}

// Reads until the reader has the whole response or the connection fails.
asio::awaitable<void> read_response(ExchangeContext& ctx, Connection& conn, ResponseReader& reader,
                                    ExchangeResult& out) {
  for (;;) {
    const ReadResult r = co_await conn.read(ctx.read_buffer);
    // The read's one timestamp: everything decoded from these bytes shares
    // it. The kernel's receive time when there is one; the clock read now
    // otherwise, and beside it in any case. The kernel time cannot be later
    // than this clock read, so one that is (by the realtime mapping's few
    // tens of ns, or a clock step) is bounded by it.
    const std::int64_t user_ns = now_ns();
    out.t_ns = r.kernel_ns >= 0 ? std::min(r.kernel_ns, user_ns) : user_ns;
    if (!r.bytes.empty()) ++(r.kernel_ns >= 0 ? out.kernel_stamped_reads : out.user_stamped_reads);
    if (r.ec) {
      out.step = r.ec == asio::error::eof ? ExchangeStep::eof : ExchangeStep::read;
      out.ec = r.ec;
      co_return;
    }
    if (reader.on_read(r.bytes, r.readable_limit, out.t_ns, user_ns)) {
      out.step = ExchangeStep::complete;
      co_return;
    }
  }
}

// A failure that a resend on a fresh connection may cure: the pooled
// connection was closed (EOF) or reset before any response byte came back.
// Over TLS a peer that closed without a close_notify (llama-server's
// cpp-httplib, a proxy that drops idle connections) reads as "stream
// truncated", not EOF: the same stale connection.
bool stale_connection(const ExchangeResult& r, const ResponseReader& reader) {
  if (!r.reused || !reader.may_resend()) return false;
  return r.step == ExchangeStep::write || (r.step == ExchangeStep::eof) ||
         (r.step == ExchangeStep::read &&
          (r.ec == asio::error::connection_reset || r.ec == asio::ssl::error::stream_truncated));
}

}  // namespace

asio::awaitable<ExchangeResult> exchange(ExchangeContext& ctx, std::unique_ptr<Connection>& conn,
                                         std::string_view request, ResponseReader& reader) {
  ExchangeResult out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    reader.begin();
    if (const std::error_code ec = co_await ensure_connection(ctx, conn, out, attempt > 0)) {
      out.step = ExchangeStep::connect;
      out.ec = ec;
      out.t_ns = now_ns();
      co_return out;
    }
    out.sent_ns = now_ns();
    if (const std::error_code ec = co_await conn->write(request)) {
      out.step = ExchangeStep::write;
      out.ec = ec;
      out.t_ns = now_ns();
    } else {
      co_await read_response(ctx, *conn, reader, out);
    }
    if (out.step == ExchangeStep::complete) co_return out;
    if (attempt > 0 || !stale_connection(out, reader)) co_return out;
    spdlog::debug("a kept-alive connection was closed by the server before answering; sending the request again");
    conn.reset();  // resend once, on another connection
  }
  co_return out;
}

}  // namespace llmbench::http
