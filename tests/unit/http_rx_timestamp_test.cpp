// Kernel receive timestamps: finding the stamp in crafted control messages,
// as a recvmsg would return them.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>
#include <sys/socket.h>
#include <time.h>

#include <array>
#include <cstring>

#include "llmbench/http/rx_timestamp.hpp"

namespace llmbench::http {
namespace {

// A control buffer that messages are appended to, as the kernel fills one.
class Control {
 public:
  Control() { std::memset(buf_.data(), 0, buf_.size()); }
  // Appends one message of `payload` bytes; returns its data.
  unsigned char* add(int level, int type, std::size_t payload, std::size_t claimed_len = 0) {
    auto* c = reinterpret_cast<cmsghdr*>(buf_.data() + used_);
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = claimed_len != 0 ? claimed_len : CMSG_LEN(payload);
    used_ += CMSG_SPACE(payload);
    return CMSG_DATA(c);
  }
  [[nodiscard]] msghdr msg() { return header(used_); }

 private:
  msghdr header(std::size_t len) {
    msghdr m{};
    m.msg_control = buf_.data();
    m.msg_controllen = len;
    return m;
  }
  alignas(cmsghdr) std::array<unsigned char, 512> buf_{};
  std::size_t used_ = 0;
};

void put_timestamps(unsigned char* data, timespec software, timespec hardware) {
  const std::array<timespec, 3> ts{software, timespec{}, hardware};
  std::memcpy(data, ts.data(), sizeof ts);
}

TEST(RxTimestamp, ReadsTheSoftwareStampOfScmTimestamping) {
  Control c;
  put_timestamps(c.add(SOL_SOCKET, SCM_TIMESTAMPING, 3 * sizeof(timespec)), {1'700'000'000, 123'456'789}, {});
  msghdr m = c.msg();
  EXPECT_EQ(rx_realtime_ns(m), 1'700'000'000'123'456'789);
}

TEST(RxTimestamp, FindsTheStampBehindOtherMessages) {
  Control c;
  const int tos = 0x10;
  std::memcpy(c.add(IPPROTO_IP, IP_TOS, sizeof tos), &tos, sizeof tos);
  put_timestamps(c.add(SOL_SOCKET, SCM_TIMESTAMPING, 3 * sizeof(timespec)), {5, 7}, {});
  msghdr m = c.msg();
  EXPECT_EQ(rx_realtime_ns(m), 5'000'000'007);
}

TEST(RxTimestamp, NoSoftwareStampIsMinusOne) {
  // Only a hardware stamp ([2]): not ours to use (another clock).
  Control hw;
  put_timestamps(hw.add(SOL_SOCKET, SCM_TIMESTAMPING, 3 * sizeof(timespec)), {}, {1'700'000'000, 1});
  msghdr m = hw.msg();
  EXPECT_EQ(rx_realtime_ns(m), -1);
  // SO_TIMESTAMPNS's message is not the one asked for.
  Control ns;
  const timespec t{1'700'000'000, 1};
  std::memcpy(ns.add(SOL_SOCKET, SO_TIMESTAMPNS, sizeof t), &t, sizeof t);
  m = ns.msg();
  EXPECT_EQ(rx_realtime_ns(m), -1);
  // No control data at all.
  msghdr none{};
  EXPECT_EQ(rx_realtime_ns(none), -1);
}

TEST(RxTimestamp, TruncatedOrBadMessagesAreMinusOne) {
  // MSG_CTRUNC: the kernel cut the message to the room there was.
  Control cut;
  put_timestamps(cut.add(SOL_SOCKET, SCM_TIMESTAMPING, 3 * sizeof(timespec), CMSG_LEN(sizeof(timespec))), {9, 9}, {});
  msghdr m = cut.msg();
  EXPECT_EQ(rx_realtime_ns(m), -1);
  // Nanoseconds out of range.
  Control bad;
  put_timestamps(bad.add(SOL_SOCKET, SCM_TIMESTAMPING, 3 * sizeof(timespec)), {9, 1'000'000'000}, {});
  m = bad.msg();
  EXPECT_EQ(rx_realtime_ns(m), -1);
}

TEST(RxInq, ReadsTcpCmInqBesideTheStamp) {
  Control c;
  put_timestamps(c.add(SOL_SOCKET, SCM_TIMESTAMPING, 3 * sizeof(timespec)), {5, 7}, {});
  const int left = 42;
  std::memcpy(c.add(IPPROTO_TCP, TCP_CM_INQ, sizeof left), &left, sizeof left);
  msghdr m = c.msg();
  EXPECT_EQ(rx_inq(m), 42);
  EXPECT_EQ(rx_realtime_ns(m), 5'000'000'007);
}

TEST(RxInq, MissingCutOrNegativeIsUnknown) {
  Control stamp_only;
  put_timestamps(stamp_only.add(SOL_SOCKET, SCM_TIMESTAMPING, 3 * sizeof(timespec)), {5, 7}, {});
  msghdr m = stamp_only.msg();
  EXPECT_EQ(rx_inq(m), -1);
  msghdr none{};
  EXPECT_EQ(rx_inq(none), -1);
  // A message too short for its int.
  Control shortened;
  shortened.add(IPPROTO_TCP, TCP_CM_INQ, sizeof(int), CMSG_LEN(1));
  m = shortened.msg();
  EXPECT_EQ(rx_inq(m), -1);
  // MSG_CTRUNC: the kernel had more to say than there was room for.
  Control cut;
  const int left = 3;
  std::memcpy(cut.add(IPPROTO_TCP, TCP_CM_INQ, sizeof left), &left, sizeof left);
  m = cut.msg();
  m.msg_flags = MSG_CTRUNC;
  EXPECT_EQ(rx_inq(m), -1);
  Control negative;
  const int bad = -5;
  std::memcpy(negative.add(IPPROTO_TCP, TCP_CM_INQ, sizeof bad), &bad, sizeof bad);
  m = negative.msg();
  EXPECT_EQ(rx_inq(m), -1);
}

// The kernel's own answer on a real loopback TCP connection: the bytes a
// read left behind, and 1 for a FIN that came with the last bytes (which a
// read shorter than its buffer does not reveal).
TEST(RxInq, ARealReadSaysWhatItLeftAndAPendingFinCountsOne) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const int server = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(server, 0);
  ASSERT_TRUE(enable_rx_inq(client)) << "this kernel refused TCP_INQ";
  ASSERT_EQ(::send(server, "0123456789", 10, 0), 10);
  ::shutdown(server, SHUT_WR);
  // Both the bytes and the FIN are there before the first read.
  pollfd p{client, POLLRDHUP, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  char buf[64];
  StampedRead r = recv_stamped(client, buf, 4);
  ASSERT_EQ(r.bytes, 4);
  EXPECT_EQ(r.inq, 6 + 1) << "six bytes and the FIN are left";
  r = recv_stamped(client, buf, sizeof buf);
  ASSERT_EQ(r.bytes, 6) << "a short read: all the bytes there were";
  EXPECT_EQ(r.inq, 1) << "the FIN is still to be read, and says so";
  r = recv_stamped(client, buf, sizeof buf);
  EXPECT_EQ(r.bytes, 0);
  ::close(server);
  ::close(client);
  ::close(listener);
}

}  // namespace
}  // namespace llmbench::http
