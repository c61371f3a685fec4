#include "llmbench/http/rx_timestamp.hpp"

#include <arpa/inet.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace llmbench::http {

namespace {
// SCM_TIMESTAMPING carries struct timespec[3], SO_TIMESTAMPING_NEW (y2038-safe
// 32-bit ABIs) struct __kernel_timespec[3]; on 64-bit Linux both are two
// 64-bit integers, which is all this reads.
static_assert(sizeof(timespec) == 16 && sizeof(time_t) == 8, "64-bit Linux timespec expected");

bool is_timestamping(const cmsghdr& c) noexcept {
  if (c.cmsg_level != SOL_SOCKET) return false;
#ifdef SO_TIMESTAMPING_NEW
  if (c.cmsg_type == SO_TIMESTAMPING_NEW) return true;
#endif
  return c.cmsg_type == SCM_TIMESTAMPING;
}
}  // namespace

bool enable_rx_timestamps(int fd) noexcept {
  const int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  return ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) == 0;
}

bool enable_rx_inq(int fd) noexcept {
  const int on = 1;
  return ::setsockopt(fd, IPPROTO_TCP, TCP_INQ, &on, sizeof on) == 0;
}

int rx_inq(const msghdr& msg) noexcept {
  if (msg.msg_control == nullptr || (msg.msg_flags & MSG_CTRUNC) != 0) return -1;
  // As rx_realtime_ns: each header is checked against the end by hand.
  msghdr& m = const_cast<msghdr&>(msg);
  const auto* end = static_cast<const unsigned char*>(msg.msg_control) + msg.msg_controllen;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != IPPROTO_TCP || c->cmsg_type != TCP_CM_INQ || c->cmsg_len < CMSG_LEN(sizeof(int))) continue;
    const unsigned char* data = CMSG_DATA(c);
    if (data + sizeof(int) > end) return -1;
    int inq = 0;
    std::memcpy(&inq, data, sizeof inq);
    return inq < 0 ? -1 : inq;
  }
  return -1;
}

std::int64_t rx_realtime_ns(const msghdr& msg) noexcept {
  if (msg.msg_control == nullptr) return -1;
  // CMSG_NXTHDR takes a non-const msghdr; it only reads it. It checks each
  // next header against msg_controllen, but not the first one's length, so
  // the stamp's bytes are checked against the end here (the kernel never
  // writes past it; crafted input may claim to).
  msghdr& m = const_cast<msghdr&>(msg);
  const auto* end = static_cast<const unsigned char*>(msg.msg_control) + msg.msg_controllen;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
    const unsigned char* data = CMSG_DATA(c);
    if (!is_timestamping(*c) || c->cmsg_len < CMSG_LEN(3 * sizeof(timespec))) continue;
    if (data + 2 * sizeof(std::int64_t) > end) return -1;
    std::int64_t sec = 0;
    std::int64_t nsec = 0;
    std::memcpy(&sec, data, sizeof sec);
    std::memcpy(&nsec, data + sizeof sec, sizeof nsec);
    // Zero: no software stamp. Past 2255 the nanoseconds would not fit.
    if ((sec == 0 && nsec == 0) || sec < 0 || sec > 9'000'000'000 || nsec < 0 || nsec >= 1'000'000'000) return -1;
    return sec * 1'000'000'000 + nsec;
  }
  return -1;
}

StampedRead recv_stamped(int fd, char* data, std::size_t size) noexcept {
  iovec iov{data, size};
  alignas(cmsghdr) char control[kRxControlBytes];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  for (;;) {
    const ssize_t n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return StampedRead{n, errno, -1};
    return StampedRead{n, 0, n > 0 ? rx_realtime_ns(msg) : -1, n > 0 ? rx_inq(msg) : -1};
  }
}

RxStampingHold::RxStampingHold() noexcept {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in self{};
  self.sin_family = AF_INET;
  self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof self;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&self), sizeof self) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&self), &len) != 0 ||
      ::connect(fd_, reinterpret_cast<sockaddr*>(&self), sizeof self) != 0 || !enable_rx_timestamps(fd_)) {
    return;
  }
  // Set-up, not the streaming path: a short sleep between tries lets the
  // kernel's workqueue run.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kArmTimeoutMs);
  for (;;) {
    armed_ = probe();
    if (armed_ || std::chrono::steady_clock::now() >= deadline) return;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

RxStampingHold::~RxStampingHold() {
  if (fd_ >= 0) ::close(fd_);
}

// One datagram to ourselves: stamped or not.
bool RxStampingHold::probe() noexcept {
  const char byte = 0;
  if (::send(fd_, &byte, 1, 0) != 1) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 10) != 1) return false;
  char in = 0;
  const StampedRead r = recv_stamped(fd_, &in, 1);
  return r.bytes == 1 && r.realtime_ns >= 0;
}

}  // namespace llmbench::http
