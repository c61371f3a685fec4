// Kernel receive timestamps: finding the stamp in crafted control messages,
// as a recvmsg would return them.
#include <gtest/gtest.h>

#include <netinet/in.h>
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

}  // namespace
}  // namespace llmbench::http
