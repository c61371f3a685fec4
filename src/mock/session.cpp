#include "llmbench/mock/session.hpp"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <array>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <optional>

#include "llmbench/mock/router.hpp"
#include "llmbench/util/clock.hpp"
#include "llmbench/util/json_escape.hpp"

namespace llmbench::mock {

using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
// Once a request's first byte arrived, the rest must follow within this.
constexpr std::int64_t kRequestTimeoutNs = 30'000'000'000;
// Draining a client's unread bytes before close, so close() sends FIN, not RST.
constexpr std::int64_t kDrainTimeoutNs = 1'000'000'000;
constexpr std::size_t kReadBytes = 16 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kCorsPreflight =
    "Access-Control-Allow-Credentials: true\r\nAccess-Control-Allow-Methods: GET, POST\r\n"
    "Access-Control-Allow-Headers: *\r\n";

// Read bytes only live until they are fed to the parser (no suspension in
// between), so one buffer per thread serves every connection.
std::span<char> read_buffer() {
  thread_local std::array<char, kReadBytes> buf;
  return buf;
}

bool would_block(const std::error_code& ec) noexcept {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}
}  // namespace

Session::Session(ServerState& state, tcp::socket socket) : st_(state), sock_(std::move(socket)) {}

asio::awaitable<void> Session::run() {
  const auto self = shared_from_this();  // the connection lives as long as its coroutine
  std::error_code ignored;
  sock_.set_option(tcp::no_delay(true), ignored);  // every token leaves at once
  sock_.non_blocking(true, ignored);
  for (;;) {
    const ReadStatus rs = co_await read_request();
    if (rs == ReadStatus::closed) break;
    const Request& req = parser_.request();
    if (rs != ReadStatus::ok) {
      // The rest of the byte stream cannot be trusted: answer and close.
      // (A named error, not a ?: of temporaries inside the co_await: GCC 12
      // destroys such temporaries twice, a double free.)
      RequestError e{413, "request body is larger than 8 MiB", "invalid_request_error"};
      if (rs != ReadStatus::too_large) e = {400, "bad request: " + std::string(parser_.error()), "invalid_request_error"};
      co_await send_error(e, req, false);
      break;
    }
    ++served_;
    st_.counters.requests_total.fetch_add(1, std::memory_order_relaxed);
    const bool keep = req.keep_alive && served_ < st_.cfg.keep_alive_max_requests && !stopping_;
    dribble_ = false;
    const After after = co_await respond(req, keep);
    if (after == After::drop) co_return;
    if (after == After::close || !keep || stopping_) break;
  }
  co_await close_gracefully();
}

void Session::shutdown() {
  stopping_ = true;
  cancel_.emit(asio::cancellation_type::terminal);
  std::error_code ignored;
  sock_.close(ignored);
}

// Keep-alive as cpp-httplib does it: wait keep_alive_timeout for a request's
// first byte, then give the rest a generous bound.
asio::awaitable<Session::ReadStatus> Session::read_request() {
  parser_.reset();
  if (!pending_.empty()) {
    parser_.feed(pending_);
    pending_.erase(0, parser_.consumed());
  }
  bool continued = false;
  const auto keep_alive_ns = seconds_to_ns(st_.cfg.keep_alive_timeout_s);
  while (parser_.state() == RequestParser::State::need_more) {
    if (parser_.headers_done() && parser_.request().expect_continue && !continued) {
      continued = true;  // curl waits for this before sending a large body
      if (co_await send(kContinue)) co_return ReadStatus::closed;
    }
    if (co_await wait_readable(parser_.started() ? kRequestTimeoutNs : keep_alive_ns)) co_return ReadStatus::closed;
    const std::span<char> buf = read_buffer();
    std::error_code ec;
    const std::size_t n = sock_.read_some(asio::buffer(buf.data(), buf.size()), ec);
    if (would_block(ec)) continue;
    if (ec || n == 0) co_return ReadStatus::closed;
    const std::string_view bytes(buf.data(), n);
    if (parser_.feed(bytes) == RequestParser::State::complete) pending_.append(bytes.substr(parser_.consumed()));
  }
  switch (parser_.state()) {
    case RequestParser::State::complete: co_return ReadStatus::ok;
    case RequestParser::State::too_large: co_return ReadStatus::too_large;
    default: co_return ReadStatus::bad;
  }
}

asio::awaitable<std::error_code> Session::wait_readable(std::int64_t limit_ns) {
  asio::steady_timer deadline(sock_.get_executor(), std::chrono::nanoseconds(limit_ns));
  auto r = co_await (sock_.async_wait(tcp::socket::wait_read, use_tuple) || deadline.async_wait(use_tuple));
  if (r.index() == 1) co_return asio::error::timed_out;
  co_return std::get<0>(std::get<0>(r));
}

namespace {
// llama-server --api-prefix: every endpoint lives under the prefix (as behind
// a reverse proxy); a path outside it is not found. nullopt: not served.
std::optional<std::string_view> unprefixed(std::string_view path, std::string_view prefix) {
  if (prefix.empty()) return path;
  if (!path.starts_with(prefix)) return std::nullopt;
  path.remove_prefix(prefix.size());
  if (!path.empty() && path.front() != '/') return std::nullopt;
  return path;
}
}  // namespace

asio::awaitable<After> Session::respond(const Request& req, bool keep) {
  if (req.method == Method::options) {
    out_.clear();
    wire::append_head(out_, 200, "text/html", 0, head_options(req, keep, kCorsPreflight));
    co_return co_await send(out_) ? After::drop : After::keep;
  }
  if (st_.loading()) {
    std::string body;
    wire::append_http_error_body(body, 503, "Loading model", "unavailable_error");
    co_return co_await send_json(503, body, req, keep);
  }
  const std::string_view p = unprefixed(req.path, st_.cfg.api_prefix).value_or("/not-under-the-api-prefix");
  if (req.method == Method::get) co_return co_await respond_get(p, req, keep);
  if (req.method == Method::post) {
    if (p == "/v1/chat/completions" || p == "/chat/completions") {
      co_return co_await serve_completion(Api::chat, req, keep);
    }
    if (p == "/v1/completions" || p == "/completions") co_return co_await serve_completion(Api::completions, req, keep);
    if (p == "/completion") co_return co_await serve_completion(Api::native, req, keep);
    if (p == "/v1/embeddings" || p == "/embeddings") co_return co_await serve_retrieval(RetrievalKind::embeddings, req, keep);
    if (p == "/v1/rerank" || p == "/rerank" || p == "/v1/reranking" || p == "/reranking") {
      co_return co_await serve_retrieval(RetrievalKind::rerank, req, keep);
    }
    if (p.starts_with("/slots/")) co_return co_await serve_slot_action(p.substr(7), req, keep);
    if (p == "/tokenize") {
      st_.counters.tokenize.fetch_add(1, std::memory_order_relaxed);
      const TokenizeRequest t = parse_tokenize(req.body);
      if (t.error) co_return co_await send_error(*t.error, req, keep);
      std::string body;
      append_tokenize_body(body, t.content, t.with_pieces, t.add_special, t.parse_special);
      co_return co_await send_json(200, body, req, keep);
    }
    if (p == "/apply-template") {
      const ApplyTemplateRequest a = parse_apply_template(req.body);
      if (a.error) co_return co_await send_error(*a.error, req, keep);
      std::string body = R"({"prompt":)";
      util::append_json_string(body, a.prompt);
      body += '}';
      co_return co_await send_json(200, body, req, keep);
    }
  }
  co_return co_await send_not_found(req, keep);
}

namespace {
// The value of `name` in a query string ("action=erase&x=1"), "" if absent.
std::string_view query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') return pair.substr(name.size() + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}
}  // namespace

// POST /slots/{id}?action=erase, as llama-server answers it: 501 unless it was
// started with --slot-save-path, 400 for a bad id or an unknown action, else
// {"id_slot":N,"n_erased":TOKENS}. save/restore (files) are not imitated.
asio::awaitable<After> Session::serve_slot_action(std::string_view id_text, const Request& req, bool keep) {
  if (!st_.cfg.slot_actions) {
    static constexpr std::string_view kSlotsDisabled =
        R"({"error":{"code":501,"message":"This server does not support slots action. Start it with `--slot-save-path`",)"
        R"("type":"not_supported_error"}})";
    co_return co_await send_json(501, kSlotsDisabled, req, keep);
  }
  int id = -1;
  const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  std::string body;
  if (ec != std::errc{} || end != id_text.data() + id_text.size() || id < 0 || id >= st_.cfg.slots) {
    wire::append_http_error_body(body, 400, "Invalid slot ID", "invalid_request_error");
    co_return co_await send_json(400, body, req, keep);
  }
  if (query_param(req.query, "action") != "erase") {
    wire::append_http_error_body(body, 400, "Invalid action", "invalid_request_error");
    co_return co_await send_json(400, body, req, keep);
  }
  const int erased = st_.pool.erase(id);
  st_.counters.slot_erases.fetch_add(1, std::memory_order_relaxed);
  body = R"({"id_slot":)" + std::to_string(id) + R"(,"n_erased":)" + std::to_string(erased) + "}";
  co_return co_await send_json(200, body, req, keep);
}

asio::awaitable<After> Session::send_not_found(const Request& req, bool keep) {
  st_.counters.not_found.fetch_add(1, std::memory_order_relaxed);
  std::string body;
  wire::append_http_error_body(body, 404, "File Not Found", "not_found_error");
  co_return co_await send_json(404, body, req, keep);
}

asio::awaitable<After> Session::respond_get(std::string_view p, const Request& req, bool keep) {
  if (p == "/health" || p == "/v1/health") {
    st_.counters.health.fetch_add(1, std::memory_order_relaxed);
    co_return co_await send_json(200, kHealthBody, req, keep);
  }
  if (p == "/v1/models" || p == "/models") {
    st_.counters.models.fetch_add(1, std::memory_order_relaxed);
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now().time_since_epoch()).count();
    // Named, not a ?: temporary inside the co_await: GCC 12 destroys such a
    // temporary twice (a double free).
    const std::string body = st_.models.empty() ? models_body(st_.cfg, now_s) : router_models_body(st_.models, now_s);
    co_return co_await send_json(200, body, req, keep);
  }
  if (p == "/props") {
    st_.counters.props.fetch_add(1, std::memory_order_relaxed);
    co_return co_await send_json(200, st_.props, req, keep);
  }
  if (p == "/slots") {
    std::string body;
    append_slots_body(body, st_.pool.views(), st_.cfg.n_ctx_slot);
    co_return co_await send_json(200, body, req, keep);
  }
  if (p == "/metrics" && !st_.cfg.metrics) {
    // llama-server's own bytes: its not_supported_error puts "code" first,
    // unlike the errors append_http_error_body() writes.
    static constexpr std::string_view kMetricsDisabled =
        R"({"error":{"code":501,"message":"This server does not support metrics endpoint. Start it with `--metrics`",)"
        R"("type":"not_supported_error"}})";
    co_return co_await send_json(501, kMetricsDisabled, req, keep);
  }
  if (p == "/metrics") {
    std::string body;
    append_metrics_body(body, st_.take_metrics());
    out_.clear();
    std::string extra = "Process-Start-Time-Unix: " + std::to_string(st_.process_start_s) + "\r\n";
    wire::append_head(out_, 200, wire::kMetricsType, body.size(), head_options(req, keep, extra));
    out_ += body;
    co_return co_await send(out_) ? After::drop : (keep ? After::keep : After::close);
  }
  co_return co_await send_not_found(req, keep);
}

wire::HeadOptions Session::head_options(const Request& req, bool keep, std::string_view extra) const {
  return wire::HeadOptions{req.origin, st_.keep_alive, !keep, extra};
}

// llama-server marks every error `Connection: close` yet keeps serving the
// connection; the mock does the same (`keep` decides what really happens).
asio::awaitable<After> Session::send_json(int status, std::string_view body, const Request& req, bool keep,
                                          std::string_view extra_headers) {
  out_.clear();
  wire::HeadOptions o = head_options(req, keep, extra_headers);
  o.connection_close = o.connection_close || status >= 400;
  wire::append_head(out_, status, wire::kJsonType, body.size(), o);
  out_ += body;
  if (co_await send(out_)) co_return After::drop;
  co_return keep ? After::keep : After::close;
}

asio::awaitable<After> Session::send_error(const RequestError& e, const Request& req, bool keep) {
  std::string body;
  wire::append_error_body(body, e.status, e.message, e.type);
  co_return co_await send_json(e.status, body, req, keep);
}

// Tries the write at once (the socket is non-blocking): a token chunk almost
// always fits the send buffer, so the common case costs one syscall and no
// trip through the event loop. Only the rest of a short write waits.
asio::awaitable<std::error_code> Session::send(std::string_view bytes) {
  if (dribble_) co_return co_await send_dribbled(bytes);
  std::error_code ec;
  std::size_t n = sock_.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
  if (would_block(ec)) {
    ec.clear();
    n = 0;
  }
  if (ec || n == bytes.size()) co_return ec;
  auto [wec, m] = co_await asio::async_write(sock_, asio::buffer(bytes.data() + n, bytes.size() - n), use_tuple);
  co_return wec;
}

asio::awaitable<std::error_code> Session::send_dribbled(std::string_view bytes) {
  asio::steady_timer gap(sock_.get_executor());
  for (const char& c : bytes) {
    auto [ec, n] = co_await asio::async_write(sock_, asio::buffer(&c, 1), use_tuple);
    if (ec) co_return ec;
    gap.expires_after(std::chrono::microseconds(st_.cfg.dribble_gap_us));
    auto [tec] = co_await gap.async_wait(use_tuple);
    if (tec) co_return tec;
  }
  co_return std::error_code{};
}

// Resolves when the client closed or reset the connection. Bytes of a next
// request are not a disconnect: then it stops watching (and waits to be
// cancelled), leaving those bytes for the next read.
asio::awaitable<void> Session::watch_peer() {
  auto [ec] = co_await sock_.async_wait(tcp::socket::wait_read, use_tuple);
  if (ec || peer_closed()) co_return;
  asio::steady_timer never(sock_.get_executor(), asio::steady_timer::time_point::max());
  co_await never.async_wait(use_tuple);
}

// Reads and discards until the client closes (stall faults, no_response).
asio::awaitable<void> Session::wait_peer_gone() {
  for (;;) {
    auto [ec] = co_await sock_.async_wait(tcp::socket::wait_read, use_tuple);
    if (ec) co_return;
    const std::span<char> buf = read_buffer();
    std::error_code rec;
    const std::size_t n = sock_.read_some(asio::buffer(buf.data(), buf.size()), rec);
    if ((rec && !would_block(rec)) || (!rec && n == 0)) co_return;
  }
}

bool Session::peer_closed() noexcept {
  char probe = 0;
  const ssize_t n = ::recv(sock_.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

asio::awaitable<void> Session::close_gracefully() {
  if (!sock_.is_open()) co_return;
  std::error_code ignored;
  sock_.shutdown(tcp::socket::shutdown_send, ignored);
  int unread = 0;
  if (::ioctl(sock_.native_handle(), FIONREAD, &unread) == 0 && unread > 0 && !stopping_) {
    // close() with unread bytes sends RST, and a RST can make the client drop
    // the end of our response (a 413's body): let the client close first.
    const std::int64_t until = now_ns() + kDrainTimeoutNs;
    while (now_ns() < until && !co_await wait_readable(until - now_ns())) {
      const std::span<char> buf = read_buffer();
      std::error_code ec;
      const std::size_t n = sock_.read_some(asio::buffer(buf.data(), buf.size()), ec);
      if ((ec && !would_block(ec)) || (!ec && n == 0)) break;
    }
  }
  sock_.close(ignored);
}

// SO_LINGER with a zero timeout turns close() into a RST.
void Session::reset_connection() noexcept {
  std::error_code ignored;
  sock_.set_option(asio::socket_base::linger(true, 0), ignored);
  sock_.close(ignored);
}

}  // namespace llmbench::mock
