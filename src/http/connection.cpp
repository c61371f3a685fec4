#include "llmbench/http/connection.hpp"

#include <cerrno>
#include <utility>

#include <sys/socket.h>
#include <unistd.h>

#include <asio/experimental/as_tuple.hpp>

namespace llmbench::http {

namespace {
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::size_t kTlsBufferBytes = 16 * 1024;
constexpr std::size_t kPadding = 64;
}  // namespace

Connection::Connection(asio::io_context& io, asio::ssl::context* tls, ReadTimestamps stamps, RealtimeOffset* clock)
    : socket_(io), tls_ctx_(tls), clock_(clock), want_kernel_stamps_(stamps == ReadTimestamps::kernel && clock != nullptr) {}

asio::awaitable<std::error_code> Connection::connect(const asio::ip::tcp::resolver::results_type& endpoints,
                                                     const std::string& host) {
  auto [ec, ep] = co_await asio::async_connect(socket_, endpoints, use_tuple);
  if (ec) co_return ec;
  // Waiting for the connect left EPOLLOUT in the socket's registration. That
  // costs nothing now: the reads' waits never re-arm (edge_socket.hpp), and
  // an edge-triggered EPOLLOUT fires only after a send found the buffer
  // full. (Under asio's async_wait, whose re-arm reports a writable socket
  // at once, it woke the loop once more per read, so the socket was
  // registered afresh: three more system calls per connection.)
  std::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ec);
  if (ec) co_return ec;
  // Before the request is written, so that every byte of the response is
  // stamped. A refusal is not an error: the reads fall back to user time,
  // and the request path counts the connection.
  kernel_stamps_ = want_kernel_stamps_ && enable_rx_timestamps(socket_.native_handle());
  // Every read then says whether it emptied the queue (read() says why).
  enable_rx_inq(socket_.native_handle());
  if (tls_ctx_ != nullptr) {
    tls_.emplace(tls_layer_, *tls_ctx_);
    // SNI, and the name the certificate must match.
    // SSL_set_tlsext_host_name() without its C cast.
    if (SSL_ctrl(tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(host.c_str())) != 1) {
      co_return std::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    }
    tls_->set_verify_callback(asio::ssl::host_name_verification(host));
    auto [hec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (hec) co_return hec;
    tls_buf_.resize(kTlsBufferBytes + kPadding);
  }
  co_return std::error_code{};
}

asio::awaitable<std::error_code> Connection::write(std::string_view bytes) {
  if (tls_) {
    auto [ec, n] = co_await asio::async_write(*tls_, asio::buffer(bytes.data(), bytes.size()), use_tuple);
    co_return ec;
  }
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), use_tuple);
  wait_first_ = true;  // the response cannot be there yet
  co_return ec;
}

// The decrypted bytes carry the stamp of the socket read that completed
// their records (stamped_socket.hpp says why that is the right one).
asio::awaitable<ReadResult> Connection::read_tls() {
  auto [ec, n] = co_await tls_->async_read_some(asio::buffer(tls_buf_.data(), kTlsBufferBytes), use_tuple);
  // An SSL "stream truncated" close is reported as an abrupt end, like a reset.
  const std::int64_t kernel_ns = kernel_stamps_ && !ec ? to_steady(tls_layer_.last_realtime_ns()) : -1;
  co_return ReadResult{ec, std::string_view(tls_buf_.data(), n), tls_buf_.data() + tls_buf_.size(), kernel_ns};
}

asio::awaitable<ReadResult> Connection::read(std::span<char> shared) {
  if (tls_) co_return co_await read_tls();
  for (;;) {
    if (wait_first_) {
      // edge_socket.hpp's contract: every wait that completes is followed
      // by reads until the kernel's queue is empty, which this loop does.
      waiting_ = true;
      auto [wec] = co_await socket_.async_wait_readable(use_tuple);
      waiting_ = false;
      // Taken whatever the wait's outcome. The probe may run after the wait
      // completed but before this resumed (a wait that found its edge at once
      // is posted, and the watchdog's handler can come first): its cancel
      // then finds nothing, and the wait succeeds. A flag left set would
      // make wake_if_pending refuse every later wait on this kept-alive
      // connection, and would pass the next aborted wait (a close) off as a
      // wake-up.
      const bool woken = std::exchange(woken_, false);
      const int woken_error = std::exchange(woken_error_, 0);
      if (woken_error != 0) {
        // The probe's MSG_PEEK reported the error, which clears it: the read
        // below would see an orderly end instead.
        co_return ReadResult{std::error_code(woken_error, asio::error::get_system_category()), {}, nullptr};
      }
      if (wec && !(woken && wec == asio::error::operation_aborted)) co_return ReadResult{wec, {}, nullptr};
    }
    // recvmsg with a control buffer on the stack: the same one system call
    // as a plain read, plus the receive stamp and what the read left behind.
    const StampedRead r = recv_stamped(socket_.native_handle(), shared.data(), shared.size());
    std::error_code ec;
    const std::size_t n = r.bytes > 0 ? static_cast<std::size_t>(r.bytes) : 0;
    if (r.bytes < 0) ec = std::error_code(r.error, asio::error::get_system_category());
    if (r.bytes == 0) ec = asio::error::eof;
    const std::int64_t kernel_ns = kernel_stamps_ ? to_steady(r.realtime_ns) : -1;
    if (ec != asio::error::would_block && ec != asio::error::try_again) {
      // The queue is empty only when the kernel says so (TCP_INQ 0). A read
      // shorter than its buffer is not proof: a FIN that came in the same
      // burst as the last bytes stays queued behind them and raises no edge
      // of its own, so waiting would wait for ever. Without TCP_INQ the next
      // read finds out (EAGAIN or EOF) before any wait.
      wait_first_ = trust_inq_ && r.inq == 0;
      co_return ReadResult{ec, std::string_view(shared.data(), n), shared.data() + shared.size() + kPadding, kernel_ns};
    }
    wait_first_ = true;
  }
}

bool Connection::still_open() noexcept {
  if (!socket_.is_open()) return false;
  char probe;
  const ssize_t n = ::recv(socket_.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return false;   // orderly close
  // Unsolicited bytes put a plain connection out of step; over TLS they are
  // usually a post-handshake record (a TLS 1.3 session ticket) for OpenSSL.
  if (n > 0) return tls_.has_value();
  return errno == EAGAIN || errno == EWOULDBLOCK;
}

bool Connection::wake_if_pending() noexcept {
  if (!waiting_ || woken_ || tls_ || !socket_.is_open()) return false;
  char probe;
  const ssize_t n = ::recv(socket_.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return false;
  woken_ = true;
  woken_error_ = n < 0 ? errno : 0;
  std::error_code ignored;
  socket_.cancel(ignored);
  return true;
}

void Connection::close() noexcept {
  woken_ = false;
  woken_error_ = 0;
  std::error_code ignored;
  socket_.cancel(ignored);
  socket_.close(ignored);
}

std::unique_ptr<Connection> ConnectionPool::take() {
  while (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    if (c->still_open()) return c;
  }
  return nullptr;
}

void ConnectionPool::give_back(std::unique_ptr<Connection> c) { idle_.push_back(std::move(c)); }

void ConnectionPool::close_all() noexcept {
  for (auto& c : idle_) c->close();
  idle_.clear();
}

}  // namespace llmbench::http
