#pragma once
// Kernel receive timestamps of a TCP socket: turning them on, reading with
// recvmsg, and finding the stamp in the control messages (a pure function of
// the msghdr, so tests and a fuzzer feed it crafted control data).
//
// The mechanism is SO_TIMESTAMPING with SOF_TIMESTAMPING_RX_SOFTWARE (the
// kernel stamps every received packet in software) | SOF_TIMESTAMPING_SOFTWARE
// (and reports that stamp), which TCP returns as one SCM_TIMESTAMPING control
// message per recvmsg: three timespecs, of which [0] is the software stamp,
// on CLOCK_REALTIME (util/realtime_offset.hpp maps it onto the steady clock).
// SO_TIMESTAMPNS gives the same value on this kernel (checked on 6.18: both
// stamp a segment within nanoseconds of each other); SO_TIMESTAMPING is the
// interface the kernel documents for new code, separates asking for a stamp
// from asking for its report, and leaves room for hardware stamps ([2]) on
// NICs that have them.
//
// What a read's stamp means (measured on this kernel; see docs/timestamps.md):
// TCP reports the stamp of the last buffer the read copied from, and when the
// receive queue coalesces segments into one buffer it keeps the newest
// segment's stamp. So a read that returns several segments carries the time
// the last of them arrived — the moment the read's bytes were all there — and
// a read that leaves bytes behind in a coalesced buffer may carry a time a
// little later than its own last byte (never later than the read). On
// loopback the stamp is taken in the sender's transmit path (netif_rx with
// net.core.netdev_tstamp_prequeue=1), on the sender's CPU, before any of the
// receiver's scheduling: which is why it does not move when the client's own
// core is busy.
//
// Cost: enabling any socket's receive stamps makes the kernel read the clock
// once per received packet, machine-wide (a static key), ~20 ns a packet.
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include <cstddef>
#include <cstdint>

namespace llmbench::http {

// Room for one SCM_TIMESTAMPING message (three timespecs) and one TCP_CM_INQ
// message (an int).
inline constexpr std::size_t kRxControlBytes = CMSG_SPACE(3 * sizeof(timespec)) + CMSG_SPACE(sizeof(int));

// Turns on software receive stamps for `fd`; false when the kernel refuses.
bool enable_rx_timestamps(int fd) noexcept;

// Turns on TCP_INQ for `fd` (Linux 4.18): every recvmsg then says how many
// bytes it left in the receive queue, and a FIN not yet read counts as one.
// That is what lets an edge-triggered reader (edge_socket.hpp) know, with no
// extra system call, whether the queue is empty: a read shorter than its
// buffer is not enough, because tcp_recvmsg returns the data before a FIN
// that came with it, and the FIN raises no edge of its own. False when the
// kernel refuses.
bool enable_rx_inq(int fd) noexcept;

// The software receive stamp (CLOCK_REALTIME nanoseconds) among the control
// messages of a completed recvmsg, or -1 when there is none: no
// SCM_TIMESTAMPING message, one cut short by MSG_CTRUNC, or a zero software
// stamp (a packet that came in before stamping was on).
std::int64_t rx_realtime_ns(const msghdr& msg) noexcept;

// The TCP_CM_INQ value among the control messages of a completed recvmsg:
// the bytes left to read (a pending FIN counts as one), or -1 when there is
// no such message (TCP_INQ off, or cut short by MSG_CTRUNC).
int rx_inq(const msghdr& msg) noexcept;

struct StampedRead {
  ssize_t bytes = -1;           // recvmsg's result: > 0 data, 0 orderly close, < 0 error
  int error = 0;                // errno when bytes < 0 (EAGAIN: nothing there)
  std::int64_t realtime_ns = -1;  // the kernel's receive stamp, when bytes > 0 and there was one
  int inq = -1;                 // what the read left to read (TCP_INQ; a FIN counts 1), -1 unknown
};

// One non-blocking recvmsg into [data, data + size) with a control buffer on
// the stack; never allocates.
StampedRead recv_stamped(int fd, char* data, std::size_t size) noexcept;

// Keeps the kernel's receive stamping switched on while it lives, and does
// not return from its constructor until it is on.
//
// Why: Linux stamps received packets only while some socket wants stamps,
// through one machine-wide switch (a static key, netstamp_needed_key) with a
// count. The first socket to ask does not flip it: the flip is deferred to a
// workqueue (net_enable_timestamp -> netstamp_work), and so is the flip back
// when the last one closes. Packets that arrive in between carry no stamp.
// Measured here: a loopback socket that turned stamps on just after the
// previous one closed got its first stamped read after 100-600 unstamped
// ones (4-12 ms). A run's first responses would be user-stamped, and the run
// reported as such. So each worker holds one stamping socket (UDP on
// loopback) for its life, and before its first request sends itself
// datagrams until one comes back stamped (at most kArmTimeoutMs; a kernel
// that refuses the option is not waited for).
class RxStampingHold {
 public:
  static constexpr int kArmTimeoutMs = 200;
  RxStampingHold() noexcept;
  ~RxStampingHold();
  RxStampingHold(const RxStampingHold&) = delete;
  RxStampingHold& operator=(const RxStampingHold&) = delete;
  // The switch was seen on: a datagram came back stamped.
  [[nodiscard]] bool armed() const noexcept { return armed_; }

 private:
  bool probe() noexcept;
  int fd_ = -1;
  bool armed_ = false;
};

}  // namespace llmbench::http
