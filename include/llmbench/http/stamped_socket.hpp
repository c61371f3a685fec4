#pragma once
// The layer under OpenSSL on a TLS connection: the TCP socket, read with
// recvmsg so that each socket read keeps its kernel receive stamp.
//
// Why a layer and not a custom BIO: asio::ssl::stream feeds OpenSSL through a
// memory BIO pair of its own and does the socket reads itself, on its "next
// layer" — any type with async_read_some/async_write_some. Putting this type
// there leaves the handshake, the record layer and shutdown to asio and
// OpenSSL unchanged, and makes every socket read a recvmsg whose stamp is
// kept in last_realtime_ns().
//
// Why that stamp is the decrypted bytes' stamp: asio's TLS read asks
// OpenSSL for plaintext first and reads the socket only when OpenSSL wants
// input (no whole record left in the BIO), one socket read at a time. So the
// plaintext a TLS read returns comes from records that the socket reads so
// far completed, and the last of those reads is the one that completed the
// newest of them; its stamp is the time the kernel had the record's last
// bytes. Records that an earlier socket read completed but that are
// returned later (several records in one segment) carry that later read's
// stamp only if a read happened in between, which asio does not do while a
// whole record waits. As with plain reads (rx_timestamp.hpp), a socket read
// that returns several segments carries the newest segment's time.
//
// Zero-length reads: asio's TLS operation, when it finishes inside its
// initiating call, issues a zero-length read on this layer so that its
// handler runs "as if posted". Such a read must complete at once, without
// waiting for the socket to become readable (which could be never).
#include <asio.hpp>

#include <cstdint>
#include <system_error>

#include "llmbench/http/edge_socket.hpp"
#include "llmbench/http/rx_timestamp.hpp"

namespace llmbench::http {

class StampedSocket {
 public:
  using executor_type = asio::ip::tcp::socket::executor_type;
  using lowest_layer_type = asio::ip::tcp::socket::lowest_layer_type;

  explicit StampedSocket(EdgeSocket& socket) noexcept : socket_(socket) {}

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  lowest_layer_type& lowest_layer() noexcept { return socket_.lowest_layer(); }
  const lowest_layer_type& lowest_layer() const noexcept { return socket_.lowest_layer(); }

  // The kernel receive stamp (CLOCK_REALTIME ns) of the last socket read that
  // returned bytes, or -1 when it had none.
  [[nodiscard]] std::int64_t last_realtime_ns() const noexcept { return last_realtime_ns_; }

  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return socket_.async_write_some(buffers, std::forward<Token>(token));
  }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    const asio::mutable_buffer first = *asio::buffer_sequence_begin(buffers);
    return asio::async_compose<Token, void(std::error_code, std::size_t)>(ReadOp{this, first}, token, socket_);
  }

 private:
  // Tries the socket once: false when it had nothing (EAGAIN).
  bool try_read(asio::mutable_buffer buf, std::error_code& ec, std::size_t& n) noexcept {
    const StampedRead r = recv_stamped(socket_.native_handle(), static_cast<char*>(buf.data()), buf.size());
    if (r.bytes < 0 && (r.error == EAGAIN || r.error == EWOULDBLOCK)) return false;
    n = r.bytes > 0 ? static_cast<std::size_t>(r.bytes) : 0;
    if (r.bytes > 0) last_realtime_ns_ = r.realtime_ns;
    ec = r.bytes < 0 ? std::error_code(r.error, asio::error::get_system_category())
                     : r.bytes == 0 ? std::error_code(asio::error::eof) : std::error_code{};
    return true;
  }

  // Read first; wait for readiness only when the socket was empty (EAGAIN),
  // which keeps edge_socket.hpp's contract. A result found in the initiating
  // call is delivered through a post.
  struct ReadOp {
    enum class Step : std::uint8_t { start, waiting, posted };
    StampedSocket* self_layer;
    asio::mutable_buffer buf;
    Step step = Step::start;
    std::error_code ec{};
    std::size_t n = 0;

    template <class Self>
    void operator()(Self& self, std::error_code wait_ec = {}) {
      StampedSocket& s = *self_layer;
      switch (step) {
        case Step::start:
          if (buf.size() == 0 || s.try_read(buf, ec, n)) {
            step = Step::posted;
            asio::post(s.socket_.get_executor(), std::move(self));
            return;
          }
          step = Step::waiting;
          s.socket_.async_wait_readable(std::move(self));
          return;
        case Step::waiting:
          if (wait_ec) return self.complete(wait_ec, 0);
          if (!s.try_read(buf, ec, n)) {
            s.socket_.async_wait_readable(std::move(self));
            return;
          }
          return self.complete(ec, n);
        case Step::posted:
          return self.complete(ec, n);
      }
    }
  };

  EdgeSocket& socket_;
  std::int64_t last_realtime_ns_ = -1;
};

}  // namespace llmbench::http
