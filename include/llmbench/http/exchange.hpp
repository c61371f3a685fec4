#pragma once
// One request/response exchange with connection reuse: take a kept-alive
// connection from the pool or open one, write the request, read until the
// response is complete — and resend once, on a fresh connection, when a
// reused connection turns out to be closed before any byte of a response
// came back (the server dropped it while it sat idle, as llama-server's
// cpp-httplib does after its keep-alive timeout). The request was then never
// processed, so sending it again is what curl and every browser do.
//
// What the bytes mean is the reader's business (HTTP parsing, SSE, JSON):
// this layer owns connections and the retry policy only.
#include <asio.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "llmbench/http/connection.hpp"

namespace llmbench::http {

// The reader of one exchange's response.
class ResponseReader {
 public:
  virtual ~ResponseReader() = default;
  // A new attempt starts: forget any earlier attempt's bytes.
  virtual void begin() = 0;
  // One read's bytes (see ReadResult) with their timestamp; true when the
  // response is complete. t_ns is the read's time of record: the kernel's
  // receive time when the read had one, else user_ns, the clock read after
  // the read returned. user_ns - t_ns is the client's own lag for this read.
  virtual bool on_read(std::string_view bytes, const char* readable_limit, std::int64_t t_ns,
                       std::int64_t user_ns) = 0;
  // May the request be sent again? Only when nothing of a response arrived
  // and the exchange was not aborted (a timeout, a cancel).
  [[nodiscard]] virtual bool may_resend() const = 0;
};

// Where an exchange that did not complete stopped.
enum class ExchangeStep : std::uint8_t { complete, connect, write, read, eof };

struct ExchangeResult {
  ExchangeStep step = ExchangeStep::complete;
  std::error_code ec;           // why, unless complete
  std::int64_t t_ns = -1;       // when it stopped (the failing read's time)
  std::int64_t connect_ns = 0;  // time spent opening connections (every attempt)
  std::int64_t sent_ns = -1;    // the final attempt's first byte written
  bool reused = false;          // the final attempt ran on a pooled connection
  bool opened = false;          // this exchange opened at least one connection
  // Kernel mode: connections this exchange opened whose socket refused
  // receive stamps (their reads are user-stamped).
  std::uint32_t unstamped_connections = 0;
  // Reads that returned bytes, by the source of their timestamp.
  std::uint32_t kernel_stamped_reads = 0;
  std::uint32_t user_stamped_reads = 0;
};

struct ExchangeContext {
  asio::io_context& io;
  asio::ssl::context* tls = nullptr;
  const asio::ip::tcp::resolver::results_type& endpoints;
  const std::string& host;  // SNI and certificate name
  ConnectionPool& pool;
  bool keepalive = true;
  std::span<char> read_buffer;  // shared by the worker's plain-TCP streams, padded for simdjson
  ReadTimestamps timestamps = ReadTimestamps::user;
  RealtimeOffset* clock = nullptr;  // the worker's; needed for kernel timestamps
};

// Runs one exchange on `conn` (empty, or left by a previous exchange).
// Afterwards `conn` holds the connection that carried the final attempt
// (null if it could not be opened); giving it back to the pool is the
// caller's choice.
asio::awaitable<ExchangeResult> exchange(ExchangeContext& ctx, std::unique_ptr<Connection>& conn,
                                         std::string_view request, ResponseReader& reader);

}  // namespace llmbench::http
