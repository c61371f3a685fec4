#pragma once
// One client connection (plain TCP, or TLS over it) and a per-worker pool.
//
// Plain TCP reads do not own a buffer: the socket is non-blocking and a read
// first tries `read_some` into the worker's shared buffer, and only when the
// kernel has nothing waits for readiness and tries again. The wait costs no
// system call of its own (edge_socket.hpp: no epoll_ctl re-arm per wait).
// That is the minimal epoll reader's pattern: no wasted EAGAIN read after
// every token, one buffer for thousands of streams, and large reads when the
// server batches. TLS reads go through OpenSSL into a buffer of the connection's own.
//
// Timestamps (DESIGN.md, "Timing and counting rules"): in kernel mode every
// read is a recvmsg that also returns the time the kernel received the read's
// last bytes (http/rx_timestamp.hpp), mapped onto the steady clock
// (util/realtime_offset.hpp). A TLS read carries the stamp of the socket read
// that completed its records (http/stamped_socket.hpp).
#include <asio.hpp>
#include <asio/ssl.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "llmbench/http/edge_socket.hpp"
#include "llmbench/http/read_timestamps.hpp"
#include "llmbench/http/stamped_socket.hpp"
#include "llmbench/util/realtime_offset.hpp"

namespace llmbench::http {

struct ReadResult {
  std::error_code ec;          // asio::error::eof on an orderly close
  std::string_view bytes;      // valid until the next read on this worker
  const char* readable_limit;  // end of readable memory around `bytes`
  // When the kernel received this read's last bytes, on now_ns()'s steady
  // clock (util/clock.hpp); -1 when there is none: user mode, a socket that
  // refused SO_TIMESTAMPING, a read without a stamp, a failed read. It is
  // mapped, not clamped: a mapping error (realtime_offset.hpp) can put it a
  // few tens of ns after the user-space time of the same read.
  std::int64_t kernel_ns = -1;
};

class Connection {
 public:
  // `clock` (the worker's, outliving the connection) maps kernel stamps; it
  // is needed in kernel mode only.
  Connection(asio::io_context& io, asio::ssl::context* tls, ReadTimestamps stamps = ReadTimestamps::user,
             RealtimeOffset* clock = nullptr);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Tries each endpoint in turn; then the TLS handshake (SNI + host check).
  asio::awaitable<std::error_code> connect(const asio::ip::tcp::resolver::results_type& endpoints,
                                           const std::string& host);
  asio::awaitable<std::error_code> write(std::string_view bytes);
  // `shared` must be followed by util::kJsonPaddingBytes readable bytes.
  asio::awaitable<ReadResult> read(std::span<char> shared);

  // Cheap liveness check before reusing a pooled connection: a peer that
  // closed (llama-server does after every stream) shows EOF to MSG_PEEK.
  [[nodiscard]] bool still_open() noexcept;
  // Stops any pending operation and closes; safe to call twice.
  void close() noexcept;
  // The quiet probe (load/watchdog.hpp): when a plain read waits for an edge
  // and the kernel already holds something for it (bytes, the end of file,
  // an error), wakes the read, which then reads it. One MSG_PEEK; true when
  // it woke a read. A reset that arrived in one burst with the last bytes is
  // what it is for: unlike a FIN (TCP_INQ counts it), nothing at all tells
  // the read that follows them that a reset waits.
  bool wake_if_pending() noexcept;
  // For reads that no watchdog probes (the control plane's fetches): read
  // until EAGAIN before every wait, one more system call per read, so that
  // a reset behind the last bytes is seen at once.
  void read_until_empty() noexcept { trust_inq_ = false; }
  [[nodiscard]] bool is_open() const noexcept { return socket_.is_open(); }
  [[nodiscard]] int native_handle() noexcept { return socket_.native_handle(); }
  // After connect: whether this connection's reads carry kernel stamps
  // (false in user mode, and when the socket refused the option).
  [[nodiscard]] bool kernel_stamps() const noexcept { return kernel_stamps_; }

 private:
  asio::awaitable<ReadResult> read_tls();
  [[nodiscard]] std::int64_t to_steady(std::int64_t realtime_ns) const noexcept {
    return realtime_ns >= 0 ? clock_->to_steady_ns(realtime_ns) : -1;
  }

  EdgeSocket socket_;
  asio::ssl::context* tls_ctx_;
  StampedSocket tls_layer_{socket_};
  std::optional<asio::ssl::stream<StampedSocket&>> tls_;
  std::vector<char> tls_buf_;
  RealtimeOffset* clock_;
  bool want_kernel_stamps_;
  bool kernel_stamps_ = false;
  // Whether the kernel has nothing for us: after the request was written, or
  // a read whose TCP_INQ said it left nothing (not merely a short read: a
  // FIN may wait behind it). Then the next read waits for readiness first
  // instead of trying (and failing with EAGAIN).
  bool wait_first_ = true;
  bool trust_inq_ = true;   // TCP_INQ 0 means empty (else: read until EAGAIN)
  bool waiting_ = false;    // a plain read waits for an edge
  bool woken_ = false;      // wake_if_pending() cancelled that wait
  int woken_error_ = 0;     // the socket error its MSG_PEEK took (and so cleared)
};

// Idle kept-alive connections of one worker; LIFO so the warmest is reused.
class ConnectionPool {
 public:
  std::unique_ptr<Connection> take();  // a live idle connection, or null
  void give_back(std::unique_ptr<Connection> c);
  void close_all() noexcept;
  [[nodiscard]] std::size_t idle() const noexcept { return idle_.size(); }

 private:
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace llmbench::http
