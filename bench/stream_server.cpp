// llmbench_bench_server: a minimal, fast streaming server shaped like llama.cpp's
// `llama-server` chat endpoint, used to measure what a *client* costs per token.
//
// Why a dedicated server and not `llmbench mock-server`: the mock imitates
// llama-server's behaviour (slots, prompt processing, faults); this one only has
// to be cheap and predictable, so that the client is the thing being measured.
// One thread, one epoll set, no allocation per event once a connection exists,
// every event of a request built from one preformatted head.
//
// Pacing: every stream's next write time is `previous due time + K * gap`.
// First tokens wait in a min-heap (--ttft-spread-us makes their deadlines
// arrive out of order); later tokens in a FIFO, since their deadlines grow in
// the order they are pushed when the earlier head of the two always fires
// first. One timerfd armed at that head wakes epoll: thousands of paced
// streams cost no thread each.
//
// Unpaced (--gap-us 0): streams whose socket has room sit on a ready list and
// get one write of K events per pass; a full socket (EAGAIN) takes a stream off
// the list until epoll reports EPOLLOUT (edge-triggered), so a slow reader gets
// exactly as much as it drains.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "send_truth.hpp"
#include "stream_options.hpp"
#include "stream_wire.hpp"

namespace {

using bench_stream::Options;
using namespace bench_wire;

struct Counters {
  std::uint64_t requests = 0;
  std::uint64_t streams = 0;
  std::uint64_t events = 0;
  std::uint64_t writes = 0;
  std::uint64_t connections = 0;
};

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct Conn {
  int fd = -1;
  std::uint32_t gen = 0;
  std::string in;       // request bytes not consumed yet
  std::string out;      // response bytes not written yet, from out_off
  std::size_t out_off = 0;
  std::string head;     // this request's event up to (not including) the closing brace
  std::uint32_t tokens_left = 0;
  std::uint32_t prompt_tokens = 0;
  std::int64_t created_s = 0;
  std::int64_t request_ns = 0;     // --stamp: when the request was read
  std::int64_t last_write_ns = 0;  // --stamp: this stream's previous write
  bool streaming = false;
  bool close_after = false;
  bool writable = true;  // false from EAGAIN until EPOLLOUT
  bool in_ready = false;
};

struct Ref {
  int fd;
  std::uint32_t gen;
};
struct Timed {
  std::int64_t due_ns;
  Ref ref;
};
// For a min-heap on due time (std::push_heap keeps the greatest in front).
bool later(const Timed& a, const Timed& b) { return a.due_ns > b.due_ns; }

class Server {
 public:
  explicit Server(const Options& o) : opt_(o) {}
  bool start();
  void run();
  void print_summary() const;

 private:
  Conn* lookup(Ref r) {
    if (r.fd < 0 || static_cast<std::size_t>(r.fd) >= conns_.size()) return nullptr;
    Conn* c = conns_[static_cast<std::size_t>(r.fd)].get();
    return c != nullptr && c->fd == r.fd && c->gen == r.gen ? c : nullptr;
  }
  void accept_all();
  void on_readable(Conn& c);
  void on_writable(Conn& c);
  void process_requests(Conn& c);
  bool handle_request(Conn& c, std::string_view head, std::size_t body_bytes);
  void start_stream(Conn& c, std::size_t body_bytes);
  void step(Conn& c);
  void append_events(Conn& c, std::uint32_t k, std::int64_t stamp_ns);
  void append_end(Conn& c, std::int64_t stamp_ns);
  void after_step(Conn& c, std::int64_t due_ns);
  bool flush(Conn& c);
  void close_conn(Conn& c);
  void fire_due();
  void run_ready();
  void arm_timer();

  Options opt_;
  Counters n_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int timer_fd_ = -1;
  std::int64_t armed_ns_ = 0;
  std::int64_t started_ns_ = 0;
  std::uint32_t next_gen_ = 1;
  std::vector<std::unique_ptr<Conn>> conns_;  // indexed by fd
  std::vector<Timed> first_q_;                // min-heap: due = request time + ttft (+ spread)
  std::deque<Timed> gap_q_;                   // due = previous due + K * gap
  std::vector<Ref> ready_, ready_next_;
  std::vector<char> read_buf_ = std::vector<char>(64 * 1024);
  bench_stream::SendTruth truth_;  // --stamp: the true TTFT and ITL of what was sent
};

bool Server::start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(opt_.port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 4096) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::fprintf(stderr, "stream_server: cannot listen on 127.0.0.1:%d: %s\n", opt_.port, std::strerror(errno));
    return false;
  }
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.fd = timer_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &ev);
  std::printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  started_ns_ = now_ns();
  return true;
}

void Server::run() {
  std::vector<epoll_event> evs(1024);
  while (g_stop == 0) {
    const int n = ::epoll_wait(epoll_fd_, evs.data(), static_cast<int>(evs.size()), ready_.empty() ? -1 : 0);
    for (int i = 0; i < n; ++i) {
      const int fd = evs[static_cast<std::size_t>(i)].data.fd;
      const std::uint32_t e = evs[static_cast<std::size_t>(i)].events;
      if (fd == listen_fd_) {
        accept_all();
      } else if (fd == timer_fd_) {
        std::uint64_t expirations = 0;
        (void)!::read(timer_fd_, &expirations, sizeof expirations);
        armed_ns_ = 0;
      } else if (Conn* c = conns_[static_cast<std::size_t>(fd)].get()) {
        if ((e & EPOLLOUT) != 0) on_writable(*c);
        if (c->fd >= 0 && (e & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) on_readable(*c);
      }
    }
    fire_due();
    run_ready();
    arm_timer();
  }
}

void Server::accept_all() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or EMFILE: the backlog keeps it for later
    // Small paced writes must leave at once, not wait for the reader's delayed ACK.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (static_cast<std::size_t>(fd) >= conns_.size()) conns_.resize(static_cast<std::size_t>(fd) + 1);
    auto& slot = conns_[static_cast<std::size_t>(fd)];
    if (!slot) slot = std::make_unique<Conn>();
    Conn& c = *slot;
    c.fd = fd;
    c.gen = next_gen_++;
    c.in.clear();
    c.out.clear();
    c.out_off = 0;
    c.streaming = c.close_after = c.in_ready = false;
    c.writable = true;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    ++n_.connections;
  }
}

void Server::on_readable(Conn& c) {
  for (;;) {
    const ssize_t r = ::recv(c.fd, read_buf_.data(), read_buf_.size(), 0);
    if (r > 0) {
      c.in.append(read_buf_.data(), static_cast<std::size_t>(r));
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) break;
    close_conn(c);  // EOF or error; an unfinished stream ends with it
    return;
  }
  if (c.in.size() > 1024 * 1024) {
    close_conn(c);
    return;
  }
  process_requests(c);
}

void Server::on_writable(Conn& c) {
  c.writable = true;
  if (!flush(c)) return;
  if (!c.streaming && c.out.empty()) {
    process_requests(c);
    return;
  }
  if (c.writable && c.streaming && opt_.gap_us == 0 && !c.in_ready && c.out.empty() && c.tokens_left < opt_.tokens) {
    // An unpaced stream that had been held back by a full socket (its first
    // token has gone, so the ttft wait is over) rejoins the ready list.
    c.in_ready = true;
    ready_.push_back(Ref{c.fd, c.gen});
  }
}

void Server::process_requests(Conn& c) {
  while (c.fd >= 0 && !c.streaming && !c.close_after) {
    const std::size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return;
    const std::string_view head(c.in.data(), end + 2);
    const std::size_t body_bytes = content_length(head);
    if (c.in.size() < end + 4 + body_bytes) return;
    c.close_after = wants_close(head);
    const bool ok = handle_request(c, head, body_bytes);
    c.in.erase(0, end + 4 + body_bytes);
    if (!ok || !flush(c)) return;
  }
}

bool Server::handle_request(Conn& c, std::string_view head, std::size_t body_bytes) {
  ++n_.requests;
  const std::string_view line = head.substr(0, head.find("\r\n"));
  if (line.starts_with("POST /v1/chat/completions ")) {
    // The body follows the head's blank line (process_requests has it all).
    const std::string_view body(c.in.data() + head.size() + 2, body_bytes);
    if (wants_no_stream(body)) {
      ++n_.streams;
      append_completion_response(c.out, static_cast<std::int64_t>(::time(nullptr)), opt_.tokens,
                                 static_cast<std::uint32_t>(body_bytes / 4 + 1), c.close_after);
      return true;
    }
    start_stream(c, body_bytes);
    return true;
  }
  if (line.starts_with("GET /v1/models ")) {
    append_json_response(c.out, "200 OK", R"({"object":"list","data":[{"id":"bench-model","object":"model"}]})", c.close_after);
  } else if (line.starts_with("GET /health ")) {
    append_json_response(c.out, "200 OK", R"({"status":"ok"})", c.close_after);
  } else if (line.starts_with("GET /props ")) {
    append_json_response(c.out, "200 OK", "{}", c.close_after);
  } else {
    append_json_response(c.out, "404 Not Found", R"({"error":{"code":404,"message":"File Not Found","type":"not_found_error"}})",
                  c.close_after);
  }
  return true;
}

void Server::start_stream(Conn& c, std::size_t body_bytes) {
  ++n_.streams;
  c.streaming = true;
  c.tokens_left = opt_.tokens;
  c.prompt_tokens = static_cast<std::uint32_t>(body_bytes / 4 + 1);  // no tokenizer: ~4 bytes a token
  c.created_s = static_cast<std::int64_t>(::time(nullptr));
  c.request_ns = now_ns();
  assign_event_head(c.head, c.created_s);
  append_stream_head(c.out, c.close_after);
  // --ttft-spread-us: the n-th stream waits a further (n * golden ratio mod 1)
  // * spread, so that paced streams started together send their tokens spread
  // evenly over time instead of all at once.
  std::int64_t spread_ns = 0;
  if (opt_.ttft_spread_us > 0) {
    const double frac = static_cast<double>(static_cast<std::uint32_t>(n_.streams * 2654435761u)) / 4294967296.0;
    spread_ns = static_cast<std::int64_t>(frac * static_cast<double>(opt_.ttft_spread_us) * 1000.0);
  }
  first_q_.push_back(Timed{now_ns() + opt_.ttft_us * 1000 + spread_ns, Ref{c.fd, c.gen}});
  std::push_heap(first_q_.begin(), first_q_.end(), later);
}

void Server::append_events(Conn& c, std::uint32_t k, std::int64_t stamp_ns) {
  append_event_chunk(c.out, c.head, k, opt_.stamp, stamp_ns);
  n_.events += k;
}

void Server::append_end(Conn& c, std::int64_t stamp_ns) {
  append_end_chunks(c.out, c.created_s, opt_.tokens, c.prompt_tokens, opt_.stamp, stamp_ns);
  c.streaming = false;
}

// One write's worth: K events (fewer at the end), then the end of the stream
// in the same write once the last token has gone.
void Server::step(Conn& c) {
  const std::uint32_t k = std::min(opt_.events_per_write, c.tokens_left);
  const std::int64_t stamp_ns = opt_.stamp ? now_ns() : 0;
  if (opt_.stamp && k > 0) truth_.on_write(c.tokens_left == opt_.tokens, c.request_ns, c.last_write_ns, k, stamp_ns);
  if (k > 0) append_events(c, k, stamp_ns);
  c.tokens_left -= k;
  if (c.tokens_left == 0) append_end(c, stamp_ns);
  ++n_.writes;
  if (c.writable) flush(c);
}

void Server::after_step(Conn& c, std::int64_t due_ns) {
  if (c.fd < 0) return;
  if (!c.streaming) {
    if (c.out.empty()) process_requests(c);  // keep-alive: a pipelined request may be waiting
    return;
  }
  if (opt_.gap_us > 0) {
    gap_q_.push_back(Timed{due_ns + opt_.gap_us * 1000 * opt_.events_per_write, Ref{c.fd, c.gen}});
  } else if (c.writable && !c.in_ready) {
    c.in_ready = true;
    ready_.push_back(Ref{c.fd, c.gen});
  }
}

bool Server::flush(Conn& c) {
  while (c.out_off < c.out.size()) {
    const ssize_t w = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
    if (w > 0) {
      c.out_off += static_cast<std::size_t>(w);
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (w < 0 && errno == EAGAIN) {
      c.writable = false;
      return true;
    } else {
      close_conn(c);
      return false;
    }
  }
  c.out.clear();
  c.out_off = 0;
  if (c.close_after && !c.streaming) {
    close_conn(c);
    return false;
  }
  return true;
}

void Server::close_conn(Conn& c) {
  ::close(c.fd);  // also leaves the epoll set; stale queue entries fail lookup() by generation
  c.fd = -1;
  c.streaming = false;
  c.in_ready = false;
}

void Server::fire_due() {
  if (first_q_.empty() && gap_q_.empty()) return;
  const std::int64_t now = now_ns();
  for (;;) {
    const bool first = !first_q_.empty() && first_q_.front().due_ns <= now;
    const bool gap = !gap_q_.empty() && gap_q_.front().due_ns <= now;
    if (!first && !gap) return;
    Timed t{};
    if (first && (!gap || first_q_.front().due_ns <= gap_q_.front().due_ns)) {
      std::pop_heap(first_q_.begin(), first_q_.end(), later);
      t = first_q_.back();
      first_q_.pop_back();
    } else {
      t = gap_q_.front();
      gap_q_.pop_front();
    }
    if (Conn* c = lookup(t.ref); c != nullptr && c->streaming) {
      step(*c);
      after_step(*c, t.due_ns);
    }
  }
}

void Server::run_ready() {
  // One write per ready stream per pass; a few passes before looking at epoll
  // again so that a lone stream does not pay an epoll_wait per write.
  std::size_t budget = 64;
  while (!ready_.empty() && budget > 0) {
    ready_next_.clear();
    ready_next_.swap(ready_);  // after_step() refills ready_ for the next pass
    for (const Ref r : ready_next_) {
      Conn* c = lookup(r);
      if (c == nullptr) continue;
      c->in_ready = false;
      if (!c->streaming || !c->writable) continue;
      step(*c);
      after_step(*c, 0);
    }
    budget = budget > ready_next_.size() ? budget - ready_next_.size() : 0;
  }
}

void Server::arm_timer() {
  std::int64_t due = 0;
  if (!first_q_.empty()) due = first_q_.front().due_ns;
  if (!gap_q_.empty() && (due == 0 || gap_q_.front().due_ns < due)) due = gap_q_.front().due_ns;
  if (due == 0 || due == armed_ns_) return;
  armed_ns_ = due;
  itimerspec its{};
  its.it_value.tv_sec = due / 1'000'000'000;
  its.it_value.tv_nsec = due % 1'000'000'000;
  ::timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &its, nullptr);
}

void Server::print_summary() const {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  const double wall_s = static_cast<double>(now_ns() - started_ns_) / 1e9;
  char truth[192];
  truth_.format(truth, sizeof truth);
  std::fprintf(stderr,
               "{\"connections\":%llu,\"requests\":%llu,\"streams\":%llu,\"events\":%llu,\"writes\":%llu,"
               "\"wall_s\":%.3f,\"user_s\":%.3f,\"sys_s\":%.3f%s}\n",
               static_cast<unsigned long long>(n_.connections), static_cast<unsigned long long>(n_.requests),
               static_cast<unsigned long long>(n_.streams), static_cast<unsigned long long>(n_.events),
               static_cast<unsigned long long>(n_.writes), wall_s,
               static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6,
               static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6, truth);
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!bench_stream::parse_args(argc, argv, opt)) {
    std::fputs(bench_stream::kUsage, stderr);
    return 2;
  }
  struct sigaction sa{};
  sa.sa_handler = on_signal;  // no SA_RESTART: epoll_wait returns EINTR and the loop ends
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  Server server(opt);
  if (!server.start()) return 1;
  server.run();
  server.print_summary();
  return 0;
}
