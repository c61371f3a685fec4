// A real loopback connection whose reads carry the kernel's receive time:
// at or before the user-space time and close to it, the newest segment's
// time for a coalesced read, none in user mode or on a close.
#include <gtest/gtest.h>

#include <poll.h>

#include <asio.hpp>

#include <array>
#include <span>
#include <string>
#include <vector>

#include "llmbench/http/connection.hpp"
#include "llmbench/http/rx_timestamp.hpp"
#include "llmbench/util/clock.hpp"
#include "llmbench/util/realtime_offset.hpp"

namespace llmbench::http {
namespace {

// A client Connection and the server end of it, on loopback.
struct Loopback {
  explicit Loopback(ReadTimestamps mode) : conn(io, nullptr, mode, &clock) {
    EXPECT_TRUE(stamping.armed()) << "the kernel's receive stamping never came on";
    std::error_code ec;
    const auto endpoints =
        asio::ip::tcp::resolver(io).resolve("127.0.0.1", std::to_string(acceptor.local_endpoint().port()), ec);
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { ec = co_await conn.connect(endpoints, "127.0.0.1"); },
                   asio::detached);
    io.run();  // the kernel completes the handshake without accept()
    io.restart();
    connect_ec = ec;
    acceptor.accept(server);
  }
  // One read on the client; `user_ns` is the clock read after it, as the
  // request path takes it.
  ReadResult read(std::int64_t& user_ns) {
    ReadResult r;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          r = co_await conn.read(std::span<char>(buf.data(), buf.size() - 64));
          user_ns = now_ns();
        },
        asio::detached);
    io.run();
    io.restart();
    return r;
  }
  void send(std::string_view s) { asio::write(server, asio::buffer(s.data(), s.size())); }

  RxStampingHold stamping;  // as the request path holds it
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor{io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  asio::ip::tcp::socket server{io};
  RealtimeOffset clock;
  Connection conn;
  std::error_code connect_ec;
  std::array<char, 4096 + 64> buf{};
};

TEST(ConnectionTimestamps, KernelStampIsAtOrBeforeTheUserTimeAndCloseToIt) {
  Loopback lb(ReadTimestamps::kernel);
  ASSERT_FALSE(lb.connect_ec) << lb.connect_ec.message();
  ASSERT_TRUE(lb.conn.kernel_stamps()) << "this kernel refused SO_TIMESTAMPING";
  const std::int64_t sent_ns = now_ns();
  lb.send("hello");
  std::int64_t user_ns = -1;
  const ReadResult r = lb.read(user_ns);
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.bytes, "hello");
  ASSERT_GE(r.kernel_ns, 0);
  const std::int64_t slack = lb.clock.last_sample().uncertainty_ns + 1000;
  EXPECT_GE(r.kernel_ns, sent_ns - slack) << "stamped before the bytes were sent";
  EXPECT_LE(r.kernel_ns, user_ns + slack) << "stamped after the read returned";
  EXPECT_LT(user_ns - r.kernel_ns, 1'000'000'000) << "a second between arrival and read: not a sane stamp";
}

// Two segments read at once carry the later one's time: the first is
// stamped inside its send(), before `second_ns` is read; the second after.
TEST(ConnectionTimestamps, ACoalescedReadCarriesItsNewestSegmentsTime) {
  Loopback lb(ReadTimestamps::kernel);
  ASSERT_FALSE(lb.connect_ec) << lb.connect_ec.message();
  ASSERT_TRUE(lb.conn.kernel_stamps());
  lb.send("first;");
  const std::int64_t second_ns = now_ns();
  lb.send("second");
  std::int64_t user_ns = -1;
  const ReadResult r = lb.read(user_ns);
  ASSERT_FALSE(r.ec) << r.ec.message();
  ASSERT_EQ(r.bytes, "first;second");
  const std::int64_t slack = lb.clock.last_sample().uncertainty_ns + 1000;
  EXPECT_GE(r.kernel_ns, second_ns - slack) << "the stamp is the first segment's";
  EXPECT_LE(r.kernel_ns, user_ns + slack);
}

TEST(ConnectionTimestamps, UserModeReadsHaveNoKernelTime) {
  Loopback lb(ReadTimestamps::user);
  ASSERT_FALSE(lb.connect_ec) << lb.connect_ec.message();
  EXPECT_FALSE(lb.conn.kernel_stamps());
  lb.send("hello");
  std::int64_t user_ns = -1;
  const ReadResult r = lb.read(user_ns);
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.bytes, "hello");
  EXPECT_EQ(r.kernel_ns, -1);
}

TEST(ConnectionTimestamps, AnOrderlyCloseIsEofWithoutAStamp) {
  Loopback lb(ReadTimestamps::kernel);
  ASSERT_FALSE(lb.connect_ec) << lb.connect_ec.message();
  lb.server.close();
  std::int64_t user_ns = -1;
  const ReadResult r = lb.read(user_ns);
  EXPECT_EQ(r.ec, asio::error::eof);
  EXPECT_TRUE(r.bytes.empty());
  EXPECT_EQ(r.kernel_ns, -1);
}

// Up to two reads in a row (the second only after a first without error),
// started once a first byte was read (so that the socket's registration-time
// readiness and that byte's own edge are used up) and run until they wait:
// no bytes, every pending edge seen.
struct WaitingReads {
  std::vector<ReadResult> reads;
  bool done = false;
};
// Two reads in a row on lb's connection (the second only if the first did
// not fail), spawned but not yet run.
void spawn_two_reads(Loopback& lb, WaitingReads& w) {
  asio::co_spawn(
      lb.io,
      [&lb, &w]() -> asio::awaitable<void> {
        for (int i = 0; i < 2; ++i) {
          w.reads.push_back(co_await lb.conn.read(std::span<char>(lb.buf.data(), lb.buf.size() - 64)));
          if (w.reads.back().ec) break;
        }
        w.done = true;
      },
      asio::detached);
}

void wait_on_two_reads(Loopback& lb, WaitingReads& w) {
  lb.send("a");
  std::int64_t user_ns = -1;
  ASSERT_EQ(lb.read(user_ns).bytes, "a");
  spawn_two_reads(lb, w);
  for (int i = 0; i < 3; ++i) {
    lb.io.poll();
    lb.io.restart();
  }
  ASSERT_TRUE(w.reads.empty()) << "a read completed with nothing sent";
}

// The peer's last bytes and its FIN arrive in one burst while the client
// waits: one edge for both. The read that returns the bytes is shorter than
// its buffer, yet the queue still holds the FIN, and no further edge will
// announce it; a reader that took the short read for an empty queue waited
// for ever (streams that a server cut without [DONE] were counted as
// timeouts, after --idle-timeout, instead of "incomplete" at once). The next
// read must return the end-of-file without waiting.
TEST(ConnectionTimestamps, AFinThatCameWithTheLastBytesIsReadWithoutAnotherEdge) {
  for (const ReadTimestamps mode : {ReadTimestamps::kernel, ReadTimestamps::user}) {
    Loopback lb(mode);
    ASSERT_FALSE(lb.connect_ec) << lb.connect_ec.message();
    WaitingReads w;
    ASSERT_NO_FATAL_FAILURE(wait_on_two_reads(lb, w));
    std::vector<ReadResult>& reads = w.reads;
    const bool& done = w.done;
    lb.send("partial");
    lb.server.shutdown(asio::ip::tcp::socket::shutdown_send);
    pollfd p{lb.conn.native_handle(), POLLRDHUP, 0};
    ASSERT_EQ(::poll(&p, 1, 5000), 1) << "the FIN never reached the client";
    // Bounded: a read that waits for an edge that never comes fails here.
    lb.io.run_for(std::chrono::seconds(5));
    ASSERT_TRUE(done) << "the end-of-file queued behind the last bytes was never read ("
                      << reads.size() << " reads)";
    ASSERT_EQ(reads.size(), 2u);
    EXPECT_EQ(reads[0].bytes, "partial");
    EXPECT_FALSE(reads[0].ec) << reads[0].ec.message();
    EXPECT_EQ(reads[1].ec, asio::error::eof);
  }
}

// A reset in one burst with the last bytes: the read returns the bytes, and
// nothing (no edge, no TCP_INQ count) says a reset waits behind them. The
// quiet probe (wake_if_pending, run by the request's watchdog) finds it and
// wakes the read, which then fails as a reset (not as an orderly close: the
// probe's MSG_PEEK took the socket's error and hands it on).
TEST(ConnectionTimestamps, TheQuietProbeWakesAReadThatAResetWouldNeverWake) {
  Loopback lb(ReadTimestamps::kernel);
  ASSERT_FALSE(lb.connect_ec) << lb.connect_ec.message();
  WaitingReads w;
  ASSERT_NO_FATAL_FAILURE(wait_on_two_reads(lb, w));
  std::vector<ReadResult>& reads = w.reads;
  const bool& done = w.done;
  EXPECT_FALSE(lb.conn.wake_if_pending()) << "woke a read with nothing to read";
  lb.send("partial");
  lb.server.set_option(asio::socket_base::linger(true, 0));
  lb.server.close();  // RST
  pollfd p{lb.conn.native_handle(), POLLRDHUP, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1) << "the reset never reached the client";
  for (int i = 0; i < 3; ++i) {
    lb.io.poll();
    lb.io.restart();
  }
  ASSERT_EQ(reads.size(), 1u) << "the bytes before the reset were not read";
  EXPECT_EQ(reads[0].bytes, "partial");
  // The edge was used up by the bytes: the read waits (for ever, without the
  // probe). The probe wakes it.
  ASSERT_FALSE(done) << "the read saw the reset by itself: this test no longer tests the probe";
  ASSERT_TRUE(lb.conn.wake_if_pending());
  lb.io.run_for(std::chrono::seconds(5));
  ASSERT_TRUE(done) << "the woken read never finished";
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[1].ec, asio::error::connection_reset) << reads[1].ec.message();
}

// The probe can come after the wait it meant to wake has completed: a wait
// that finds an edge already pending completes at once, but posted, so a
// handler queued before it (the watchdog's, with the probe) runs first. The
// probe sees the bytes and cancels, which finds nothing to cancel, and the
// wait succeeds. Its mark must not outlive that wait: the connection's next
// wait must still be woken by a probe. (Which handler runs first is asio's
// queue order, the same on every run: nothing here waits on time.)
TEST(ConnectionTimestamps, AProbeThatCameAfterItsWaitCompletedLeavesNoMarkBehind) {
  Loopback lb(ReadTimestamps::user);
  ASSERT_FALSE(lb.connect_ec) << lb.connect_ec.message();
  lb.send("a");
  std::int64_t user_ns = -1;
  ASSERT_EQ(lb.read(user_ns).bytes, "a");
  // An edge while no read waits: the reactor sees it and keeps it.
  lb.send("b");
  pollfd p{lb.conn.native_handle(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1) << "the bytes never reached the client";
  auto work = asio::make_work_guard(lb.io);
  lb.io.poll();
  lb.io.restart();
  // Two reads, and the probe queued right behind the first one's start.
  WaitingReads w;
  spawn_two_reads(lb, w);
  bool probed = false;
  asio::post(lb.io, [&] { probed = lb.conn.wake_if_pending(); });
  for (int i = 0; i < 3; ++i) {
    lb.io.poll();
    lb.io.restart();
  }
  ASSERT_TRUE(probed) << "the probe found no waiting read with bytes for it";
  ASSERT_EQ(w.reads.size(), 1u);
  EXPECT_FALSE(w.reads[0].ec) << w.reads[0].ec.message();
  EXPECT_EQ(w.reads[0].bytes, "b");
  ASSERT_FALSE(w.done) << "the second read did not wait";
  // The second read waits; bytes arrive that, for the test's sake, no edge
  // announces (the loop is not run): a probe must wake it.
  lb.send("c");
  ASSERT_EQ(::poll(&p, 1, 5000), 1) << "the bytes never reached the client";
  EXPECT_TRUE(lb.conn.wake_if_pending()) << "the late probe's mark refused to wake the next read";
  work.reset();
  lb.io.run_for(std::chrono::seconds(5));
  ASSERT_TRUE(w.done);
  ASSERT_EQ(w.reads.size(), 2u);
  EXPECT_FALSE(w.reads[1].ec) << w.reads[1].ec.message();
  EXPECT_EQ(w.reads[1].bytes, "c");
}

}  // namespace
}  // namespace llmbench::http
