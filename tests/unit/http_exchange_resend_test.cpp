// The exchange's one resend: when a pooled connection turns out to have been
// closed by the server before it answered, the request goes again on a FRESH
// connection, never on another pooled one (which the server may have closed
// in the same instant: cpp-httplib closes after every streamed response).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio.hpp>
#include <string>
#include <thread>

#include "llmbench/http/exchange.hpp"

namespace llmbench::http {
namespace {

// Reads one request head (bounded by poll), so the close comes after it.
void read_request(int fd) {
  std::string got;
  char buf[4096];
  while (got.find("\r\n\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    got.append(buf, static_cast<std::size_t>(n));
  }
}

struct Reader final : ResponseReader {
  void begin() override { bytes.clear(); }
  bool on_read(std::string_view b, const char*, std::int64_t, std::int64_t) override {
    bytes.append(b);
    return bytes.find("\r\n\r\nok") != std::string::npos;
  }
  [[nodiscard]] bool may_resend() const override { return bytes.empty(); }
  std::string bytes;
};

TEST(HttpExchange, ResendGoesOnAFreshConnectionNotAnotherPooledOne) {
  const int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(lfd, 8), 0);
  socklen_t len = sizeof a;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  const std::uint16_t port = ntohs(a.sin_port);

  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve("127.0.0.1", std::to_string(port));
  const std::string host = "127.0.0.1";
  ConnectionPool pool;
  std::vector<char> buffer(1 << 16);
  ExchangeContext ctx{io, nullptr, endpoints, host, pool, true, buffer};

  // Two idle pooled connections, both of which the server will close on
  // receiving a request; a third, fresh one gets the answer.
  for (int i = 0; i < 2; ++i) {
    auto c = std::make_unique<Connection>(io, nullptr);
    std::error_code ec;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { ec = co_await c->connect(endpoints, host); }, asio::detached);
    io.run();
    io.restart();
    ASSERT_FALSE(ec) << ec.message();
    pool.give_back(std::move(c));
  }
  int closing[2] = {::accept(lfd, nullptr, nullptr), ::accept(lfd, nullptr, nullptr)};
  int fresh_connections = 0;
  std::thread server([&] {
    // LIFO pool: the second connection is taken first.
    read_request(closing[1]);
    ::close(closing[1]);
    pollfd p{lfd, POLLIN, 0};
    if (::poll(&p, 1, 5000) > 0) {  // the old code took closing[0] instead: its request, then a close
      const int fd = ::accept(lfd, nullptr, nullptr);
      ++fresh_connections;
      read_request(fd);
      const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
      (void)!::send(fd, ok.data(), ok.size(), MSG_NOSIGNAL);
      ::close(fd);
    }
    ::close(closing[0]);
  });

  Reader reader;
  std::unique_ptr<Connection> conn;
  ExchangeResult r;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    r = co_await exchange(ctx, conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", reader);
  }, asio::detached);
  io.run();
  server.join();
  ::close(lfd);
  EXPECT_EQ(r.step, ExchangeStep::complete);
  EXPECT_FALSE(r.reused);
  EXPECT_EQ(fresh_connections, 1);
}

}  // namespace
}  // namespace llmbench::http
