// llmbench_reference_reader: the floor that llmbench's per-token CPU cost is
// compared against. It does the least a streaming client must do and nothing
// else: C keep-alive connections, one request each in flight (closed loop),
// one clock read per read() call, and a scan of the bytes for SSE events.
//
// It is deliberately not a general client. It knows the bench server's
// framing: every event starts with "data: " and ends with a blank line, the
// last one is "data: [DONE]", and the chunked body ends with "\r\n0\r\n\r\n"
// after it. It does not decode JSON, HTTP headers or chunk sizes; it counts.
// With --stamp it also reads each event's "stamp_ns" (the server's
// CLOCK_MONOTONIC at send time) and records receive - send, so the lag that
// the kernel and a reader with no per-event work add can be compared with
// llmbench's own timestamps; and it measures TTFT (clock before the request's
// send() to the read of the first event) and ITL (between successive events'
// reads; events of one read share its time) by llmbench's rules, for
// bench/contention.sh to set beside the bench server's truth.
//
// All connections share one read buffer (as llmbench's worker does); the bytes
// of an event that a read() splits are kept per connection and copied to the
// front of the buffer before its next read, so every scan sees whole events.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "flag_args.hpp"
#include "lag_histogram.hpp"

namespace {

using bench_stats::LagHistogram;

struct Options {
  int port = 0;
  int connections = 1;
  std::uint64_t requests = 1;
  int max_tokens = 256;
  bool stamp = false;
  double timeout_s = 300;
};

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr std::size_t kReadBytes = 64 * 1024;  // the same read size llmbench's workers use
constexpr std::size_t kCarryMax = 16 * 1024;   // longest partial event carried between reads

struct Conn {
  int fd = -1;
  bool done_seen = false;  // "data: [DONE]" seen; waiting for the zero chunk
  bool first_seen = false; // the response's first content event has come
  std::int64_t sent_ns = 0;       // clock read before the request's send()
  std::int64_t last_event_ns = 0; // the read time of the previous content event
  std::string carry;       // the unscanned tail of the previous read
};

struct Totals {
  std::uint64_t started = 0;
  std::uint64_t completed = 0;
  std::uint64_t events = 0;  // data events other than [DONE]
  std::uint64_t done = 0;
  std::uint64_t reads = 0;
  std::uint64_t errors = 0;
};

class Reader {
 public:
  explicit Reader(const Options& o);
  bool run();
  void print_summary(double wall_s) const;

 private:
  bool open_conn(Conn& c);
  bool send_request(Conn& c);
  bool on_readable(Conn& c);
  bool scan(Conn& c, std::size_t len, std::int64_t t_ns);
  void drop(Conn& c);

  Options opt_;
  Totals n_;
  LagHistogram lag_;
  LagHistogram first_lag_;  // each response's first content event: how late TTFT's end is seen
  LagHistogram ttft_;       // --stamp: request sent -> first content event read
  LagHistogram itl_;        // --stamp: between successive content events' reads
  std::string request_;
  int epoll_fd_ = -1;
  int open_ = 0;
  std::vector<Conn> conns_;
  std::vector<char> buf_ = std::vector<char>(kCarryMax + kReadBytes);
};

Reader::Reader(const Options& o) : opt_(o), conns_(static_cast<std::size_t>(o.connections)) {
  const std::string body = R"({"model":"bench-model","messages":[{"role":"user","content":"Hello"}],"max_tokens":)" +
                           std::to_string(o.max_tokens) + R"(,"stream":true})";
  request_ = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(o.port) +
             "\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
}

bool Reader::open_conn(Conn& c) {
  c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(opt_.port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // A blocking connect keeps the code short; on loopback it returns at once.
  if (c.fd < 0 || ::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "reference_reader: connect 127.0.0.1:%d: %s\n", opt_.port, std::strerror(errno));
    return false;
  }
  const int one = 1;
  ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &c;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev);
  ++open_;
  return true;
}

bool Reader::send_request(Conn& c) {
  if (n_.started == opt_.requests) {
    drop(c);  // the run is complete on this connection
    return true;
  }
  ++n_.started;
  c.done_seen = false;
  c.first_seen = false;
  c.sent_ns = now_ns();
  c.carry.clear();
  // The request is a few hundred bytes: an empty socket buffer takes it whole.
  if (::send(c.fd, request_.data(), request_.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request_.size())) {
    ++n_.errors;
    drop(c);
    return false;
  }
  return true;
}

void Reader::drop(Conn& c) {
  if (c.fd < 0) return;
  ::close(c.fd);
  c.fd = -1;
  --open_;
}

bool Reader::on_readable(Conn& c) {
  std::memcpy(buf_.data(), c.carry.data(), c.carry.size());
  const ssize_t r = ::read(c.fd, buf_.data() + c.carry.size(), kReadBytes);
  const std::int64_t t_ns = now_ns();  // one clock read per read(), as llmbench does
  ++n_.reads;
  if (r <= 0) {
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    ++n_.errors;  // the server closed mid-response
    drop(c);
    return false;
  }
  if (!scan(c, c.carry.size() + static_cast<std::size_t>(r), t_ns)) return true;
  ++n_.completed;
  return send_request(c);
}

// Counts the events in buf[0, len); returns true when the response ended.
bool Reader::scan(Conn& c, std::size_t len, std::int64_t t_ns) {
  const std::string_view s(buf_.data(), len);
  std::size_t pos = 0;
  while (!c.done_seen) {
    const std::size_t p = s.find("data: ", pos);
    if (p == std::string_view::npos) {
      pos = len > 5 ? len - 5 : 0;  // "data: " may straddle the read boundary
      break;
    }
    const std::size_t end = s.find("\n\n", p);
    if (end == std::string_view::npos) {
      pos = p;  // a partial event: carry it whole
      break;
    }
    pos = end + 2;
    const std::string_view ev = s.substr(p + 6, end - p - 6);
    if (ev == "[DONE]") {
      c.done_seen = true;
      ++n_.done;
      break;
    }
    ++n_.events;
    if (opt_.stamp) {
      // Every event but the stop event is content here; the first is the token.
      const std::size_t k = ev.rfind("\"stamp_ns\":");
      std::int64_t sent_ns = 0;
      if (k != std::string_view::npos && std::from_chars(ev.data() + k + 11, ev.data() + ev.size(), sent_ns).ec == std::errc()) {
        lag_.add((t_ns - sent_ns) / 1000);
        if (!c.first_seen) first_lag_.add((t_ns - sent_ns) / 1000);
      }
      // TTFT and ITL count content events only: not the stop event (the
      // one with "usage"), which the server sends with the last token.
      if (ev.find("\"usage\"") == std::string_view::npos) {
        if (!c.first_seen) ttft_.add((t_ns - c.sent_ns) / 1000);
        if (c.first_seen) itl_.add((t_ns - c.last_event_ns) / 1000);
        c.last_event_ns = t_ns;
      }
    }
    c.first_seen = true;
  }
  if (c.done_seen) {
    if (s.find("\r\n0\r\n\r\n", pos) != std::string_view::npos) return true;
    pos = len > 6 ? std::max(pos, len - 6) : pos;
  }
  if (len - pos > kCarryMax) {
    ++n_.errors;  // no event is this long from the bench server; resynchronise
    pos = len;
  }
  c.carry.assign(s.substr(pos));
  return false;
}

bool Reader::run() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  for (Conn& c : conns_) {
    if (!open_conn(c)) return false;
  }
  for (Conn& c : conns_) send_request(c);
  const std::int64_t deadline_ns = now_ns() + static_cast<std::int64_t>(opt_.timeout_s * 1e9);
  std::vector<epoll_event> evs(1024);
  while (open_ > 0 && n_.completed < opt_.requests) {
    const int n = ::epoll_wait(epoll_fd_, evs.data(), static_cast<int>(evs.size()), 1000);
    for (int i = 0; i < n; ++i) {
      Conn& c = *static_cast<Conn*>(evs[static_cast<std::size_t>(i)].data.ptr);
      if (c.fd >= 0) on_readable(c);
    }
    if (now_ns() > deadline_ns) {
      std::fprintf(stderr, "reference_reader: timed out after %g s\n", opt_.timeout_s);
      return false;
    }
  }
  return n_.completed == opt_.requests;
}

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

void Reader::print_summary(double wall_s) const {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  char lag[320] =
      "\"lag_p50_us\":null,\"lag_p99_us\":null,\"first_lag_mean_us\":null,\"first_lag_p99_us\":null,"
      "\"ttft_p50_us\":null,\"ttft_p99_us\":null,\"itl_p50_us\":null,\"itl_p99_us\":null";
  if (lag_.total() > 0) {
    std::snprintf(lag, sizeof lag,
                  "\"lag_p50_us\":%llu,\"lag_p99_us\":%llu,\"first_lag_mean_us\":%.1f,\"first_lag_p99_us\":%llu,"
                  "\"ttft_p50_us\":%llu,\"ttft_p99_us\":%llu,\"itl_p50_us\":%llu,\"itl_p99_us\":%llu",
                  static_cast<unsigned long long>(lag_.percentile(0.50)),
                  static_cast<unsigned long long>(lag_.percentile(0.99)), first_lag_.mean(),
                  static_cast<unsigned long long>(first_lag_.percentile(0.99)),
                  static_cast<unsigned long long>(ttft_.percentile(0.50)),
                  static_cast<unsigned long long>(ttft_.percentile(0.99)),
                  static_cast<unsigned long long>(itl_.percentile(0.50)),
                  static_cast<unsigned long long>(itl_.percentile(0.99)));
  }
  std::printf(
      "{\"requests\":%llu,\"events\":%llu,\"done\":%llu,\"reads\":%llu,\"errors\":%llu,\"wall_s\":%.6f,"
      "\"user_s\":%.6f,\"sys_s\":%.6f,\"max_rss_kb\":%ld,%s}\n",
      static_cast<unsigned long long>(n_.completed), static_cast<unsigned long long>(n_.events),
      static_cast<unsigned long long>(n_.done), static_cast<unsigned long long>(n_.reads),
      static_cast<unsigned long long>(n_.errors), wall_s, seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss, lag);
}

constexpr const char* kUsage =
    "usage: llmbench_reference_reader --port P [--connections C] [--requests R] [--max-tokens N]\n"
    "                                 [--stamp] [--timeout S]\n"
    "  Streams R chat completions from 127.0.0.1:P over C keep-alive connections (closed loop)\n"
    "  and prints one JSON line: requests, events (data events other than [DONE]), done, reads,\n"
    "  errors, wall_s, user_s, sys_s, max_rss_kb, and with --stamp (else null) lag_p50_us,\n"
    "  lag_p99_us (every event: read time - the event's stamp_ns), first_lag_mean_us and\n"
    "  first_lag_p99_us (each response's first event), ttft_p50_us, ttft_p99_us (send() to the\n"
    "  first event's read), itl_p50_us and itl_p99_us (between successive events' reads).\n";

bool parse_args(int argc, char** argv, Options& o) {
  const bool ok = bench_args::for_each_flag(argc, argv, [&](std::string_view a, auto& num) {
    if (a == "--port") return num(o.port);
    if (a == "--connections") return num(o.connections);
    if (a == "--requests") return num(o.requests);
    if (a == "--max-tokens") return num(o.max_tokens);
    if (a == "--timeout") return num(o.timeout_s);
    if (a == "--stamp") {
      o.stamp = true;
      return true;
    }
    return false;
  });
  return ok && o.port > 0 && o.port < 65536 && o.connections > 0 && o.requests > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!parse_args(argc, argv, opt)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (static_cast<std::uint64_t>(opt.connections) > opt.requests) opt.connections = static_cast<int>(opt.requests);
  Reader reader(opt);
  const std::int64_t t0_ns = now_ns();
  const bool ok = reader.run();
  reader.print_summary(static_cast<double>(now_ns() - t0_ns) / 1e9);
  return ok ? 0 : 1;
}
