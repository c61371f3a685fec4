// Fuzzes http::rx_realtime_ns and http::rx_inq with arbitrary control data, as if a recvmsg
// had returned it: whatever the headers claim (lengths past the buffer,
// truncated messages, several messages), it must read only inside
// msg_controllen (ASan: the bytes sit in a heap block of exactly that size)
// and return -1 or a valid CLOCK_REALTIME time in nanoseconds. When the data
// is one well-formed SCM_TIMESTAMPING message, it must return that message's
// software stamp.
#include <sys/socket.h>
#include <time.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "llmbench/http/rx_timestamp.hpp"

namespace {

// The stamp a single well-formed message at the start of `data` carries, or
// -2 when the data is not exactly that (the oracle then only checks ranges).
std::int64_t expected_stamp(const std::uint8_t* data, std::size_t size) {
  if (size != CMSG_SPACE(3 * sizeof(timespec))) return -2;
  cmsghdr c;
  std::memcpy(&c, data, sizeof c);
  if (c.cmsg_level != SOL_SOCKET || c.cmsg_type != SCM_TIMESTAMPING || c.cmsg_len != CMSG_LEN(3 * sizeof(timespec))) {
    return -2;
  }
  timespec ts;
  std::memcpy(&ts, data + CMSG_LEN(0), sizeof ts);
  if (ts.tv_sec == 0 && ts.tv_nsec == 0) return -1;
  if (ts.tv_sec < 0 || ts.tv_sec > 9'000'000'000 || ts.tv_nsec < 0 || ts.tv_nsec >= 1'000'000'000) return -1;
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // malloc's alignment is what a cmsghdr needs; size 0 still gets a block.
  auto* control = static_cast<unsigned char*>(std::malloc(size == 0 ? 1 : size));
  if (size > 0) std::memcpy(control, data, size);
  msghdr msg{};
  msg.msg_control = control;
  msg.msg_controllen = size;
  const std::int64_t got = llmbench::http::rx_realtime_ns(msg);
  // The same bytes as TCP_CM_INQ: only inside msg_controllen, -1 or a count.
  const int inq = llmbench::http::rx_inq(msg);
  std::free(control);
  if (inq < -1) std::abort();
  if (got != -1 && (got < 0 || got >= 9'000'000'001'000'000'000)) std::abort();
  const std::int64_t want = expected_stamp(data, size);
  if (want != -2 && got != want) std::abort();
  return 0;
}
