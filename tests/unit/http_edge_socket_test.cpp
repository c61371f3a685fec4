// EdgeSocket's wait (edge_socket.hpp): no epoll_ctl per wait, so it must
// neither lose an edge nor report one that was consumed. Each test drives a
// real loopback socket and the io_context by hand (poll(): run what is ready,
// never block), so a wait that never completes fails the test instead of
// hanging it.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <asio.hpp>

#include <array>
#include <string_view>

#include "llmbench/http/edge_socket.hpp"

namespace llmbench::http {
namespace {

struct Pair {
  Pair() {
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    client.non_blocking(true);
  }
  // Starts a wait; `done` and `ec` record its completion.
  void wait() {
    done = false;
    client.async_wait_readable([this](std::error_code e) {
      done = true;
      ec = e;
    });
  }
  // Blocks until the kernel has bytes for the client, then lets the reactor
  // see them: what happens when a token arrives while nothing waits.
  void arrive(std::string_view s) {
    asio::write(server, asio::buffer(s.data(), s.size()));
    pollfd p{client.native_handle(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 5000), 1) << "the bytes never reached the client";
    io.poll();
    io.restart();
  }
  // Reads until the kernel's queue is empty (the wait's contract); returns
  // what it read.
  std::string drain() {
    std::string got;
    for (;;) {
      std::array<char, 4> b{};
      const ssize_t n = ::recv(client.native_handle(), b.data(), b.size(), MSG_DONTWAIT);
      if (n <= 0) return got;
      got.append(b.data(), static_cast<std::size_t>(n));
    }
  }
  void poll() {
    io.poll();
    io.restart();
  }

  asio::io_context io;
  // Keeps poll() running the reactor while no operation is pending.
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  asio::ip::tcp::acceptor acceptor{io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  asio::ip::tcp::socket server{io};
  EdgeSocket client{io};
  bool done = false;
  std::error_code ec;
};

TEST(EdgeSocket, AWaitAfterTheQueueIsDrainedCompletesOnlyWhenBytesArrive) {
  Pair p;
  p.wait();  // a fresh registration may report ready once
  p.poll();
  EXPECT_EQ(p.drain(), "");
  p.wait();
  p.poll();
  p.poll();
  EXPECT_FALSE(p.done) << "the wait completed with nothing to read: it would spin";
  asio::write(p.server, asio::buffer("abc", 3));
  for (int i = 0; i < 1000 && !p.done; ++i) p.io.run_one_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(p.done) << "the bytes arrived but the wait never completed";
  EXPECT_FALSE(p.ec) << p.ec.message();
  EXPECT_EQ(p.drain(), "abc");
}

TEST(EdgeSocket, BytesThatArriveWhileNothingWaitsCompleteTheNextWaitAtOnce) {
  Pair p;
  p.wait();
  p.poll();
  p.drain();
  p.arrive("first");  // nothing waits: the reactor sees the edge and must remember it
  p.wait();
  p.poll();
  ASSERT_TRUE(p.done) << "an edge that came while nothing waited was lost";
  EXPECT_EQ(p.drain(), "first");
  // And it is consumed: the next wait is pending again until new bytes.
  p.wait();
  p.poll();
  EXPECT_FALSE(p.done);
  p.arrive("second");
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.drain(), "second");
}

TEST(EdgeSocket, BytesLeftBehindByAFullReadAreReadWithoutAWait) {
  Pair p;
  p.wait();
  p.poll();
  p.drain();
  p.wait();
  p.arrive("0123456789");
  ASSERT_TRUE(p.done);
  // A 4-byte read fills its buffer, so the caller reads again rather than
  // waiting; the queue empties in three reads.
  EXPECT_EQ(p.drain(), "0123456789");
  p.wait();
  p.poll();
  EXPECT_FALSE(p.done) << "the wait completed with nothing to read";
}

TEST(EdgeSocket, ClosingThePeerCompletesAPendingWait) {
  Pair p;
  p.wait();
  p.poll();
  p.drain();
  p.wait();
  p.server.close();
  for (int i = 0; i < 1000 && !p.done; ++i) p.io.run_one_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(p.done) << "the peer's FIN never completed the wait";
  EXPECT_EQ(::recv(p.client.native_handle(), nullptr, 0, MSG_DONTWAIT), 0);
}

TEST(EdgeSocket, ClosingTheSocketAbortsAPendingWait) {
  Pair p;
  p.wait();
  p.poll();
  p.drain();
  p.wait();
  p.poll();
  ASSERT_FALSE(p.done);
  p.client.close();
  p.poll();
  ASSERT_TRUE(p.done);
  EXPECT_EQ(p.ec, asio::error::operation_aborted);
}

}  // namespace
}  // namespace llmbench::http
