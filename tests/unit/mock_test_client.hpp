#pragma once
// A small blocking HTTP/1.1 client for the mock server tests: plain POSIX
// sockets on loopback, every wait bounded by poll(), and a response reader
// that keeps the bytes exactly as they arrived (chunk framing included) and
// when each chunk was complete. It is deliberately strict: a chunk-size line
// that is not hex stops the read and is reported, so fault modes show up as
// data rather than as exceptions.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "llmbench/mock/server.hpp"

namespace llmbench::mock::test {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The longest any single read waits in these tests unless a test says
// otherwise: generous for a loaded 2-core machine, short enough that a hung
// server fails the test instead of the suite.
inline constexpr milliseconds kIoTimeout{5000};

enum class ReadStatus : std::uint8_t { data, eof, timeout, reset, error };

inline const char* to_string(ReadStatus s) noexcept {
  switch (s) {
    case ReadStatus::data: return "data";
    case ReadStatus::eof: return "eof";
    case ReadStatus::timeout: return "timeout";
    case ReadStatus::reset: return "reset";
    case ReadStatus::error: return "error";
  }
  return "?";
}

class Conn {
 public:
  explicit Conn(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect() to the mock failed");
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Conn() { close(); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  void send_all(std::string_view bytes) const {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("send() to the mock failed");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Waits at most `timeout` for bytes and appends what one recv() gives.
  ReadStatus read_some(std::string& out, milliseconds timeout) const {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (r == 0) return ReadStatus::timeout;
    if (r < 0) return ReadStatus::error;
    char buf[64 * 1024];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      return ReadStatus::data;
    }
    if (n == 0) return ReadStatus::eof;
    return errno == ECONNRESET ? ReadStatus::reset : ReadStatus::error;
  }

  // Reads until EOF/reset/error or `timeout` without a byte; returns how it ended.
  ReadStatus drain(std::string& out, milliseconds timeout) const {
    for (;;) {
      const ReadStatus s = read_some(out, timeout);
      if (s != ReadStatus::data) return s;
    }
  }

  void close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  int fd_ = -1;
};

struct Chunk {
  std::string data;
  Clock::time_point complete_at;  // when its last byte had arrived
};

struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // in wire order
  std::string raw;       // every byte read for this response, head included
  std::string body;      // de-chunked when chunked
  std::vector<Chunk> chunks;
  bool chunked = false;
  bool complete = false;         // ended where its framing says it ends
  bool bad_chunk_size = false;   // a chunk-size line was not hex
  ReadStatus end = ReadStatus::data;  // why reading stopped early (when !complete)
  int recv_calls = 0;                 // reads that returned bytes for this response

  [[nodiscard]] std::optional<std::string> header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() != name.size()) continue;
      bool eq = true;
      for (std::size_t i = 0; i < k.size() && eq; ++i) eq = std::tolower(k[i]) == std::tolower(name[i]);
      if (eq) return v;
    }
    return std::nullopt;
  }
  [[nodiscard]] std::vector<std::string> header_names() const {
    std::vector<std::string> out;
    for (const auto& h : headers) out.push_back(h.first);
    return out;
  }
};

// Reads responses off one connection; bytes past a response stay buffered for
// the next one (keep-alive).
class Reader {
 public:
  explicit Reader(const Conn& c, milliseconds timeout = kIoTimeout) : c_(&c), timeout_(timeout) {}
  // Over bytes already captured (a fixture file): the end of them is EOF.
  explicit Reader(std::string bytes) : buf_(std::move(bytes)) {}

  Response read() {
    Response r;
    std::size_t head_end = std::string::npos;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!more(r)) return take(r, buf_.size());
    }
    parse_head(r, std::string_view(buf_).substr(0, head_end));
    std::size_t pos = head_end + 4;
    if (r.status / 100 == 1) {
      r.complete = true;  // an interim response (100 Continue) has no body
    } else if (r.chunked) {
      read_chunks(r, pos);
    } else if (const auto len = r.header("Content-Length")) {
      const std::size_t want = pos + std::stoul(*len);
      while (buf_.size() < want) {
        if (!more(r)) return take(r, buf_.size());
      }
      r.body = buf_.substr(pos, want - pos);
      r.complete = true;
      pos = want;
    } else {
      while (more(r)) {
      }
      r.body = buf_.substr(pos);
      pos = buf_.size();
    }
    return take(r, pos);
  }

  // Reads once into the buffer, without parsing: "some of the response is here".
  ReadStatus read_more() { return c_ != nullptr ? c_->read_some(buf_, timeout_) : ReadStatus::eof; }

  // Bytes read but not yet part of a response.
  [[nodiscard]] const std::string& leftover() const noexcept { return buf_; }

 private:
  bool more(Response& r) {
    const ReadStatus s = c_ != nullptr ? c_->read_some(buf_, timeout_) : ReadStatus::eof;
    if (s == ReadStatus::data) {
      ++r.recv_calls;
      return true;
    }
    r.end = s;
    return false;
  }

  Response& take(Response& r, std::size_t n) {
    r.raw = buf_.substr(0, n);
    buf_.erase(0, n);
    return r;
  }

  static void parse_head(Response& r, std::string_view head) {
    std::size_t eol = head.find("\r\n");
    const std::string_view status_line = head.substr(0, eol);
    if (status_line.size() >= 12 && status_line.substr(0, 5) == "HTTP/") {
      r.status = std::stoi(std::string(status_line.substr(9, 3)));
    }
    while (eol != std::string_view::npos) {
      head.remove_prefix(eol + 2);
      eol = head.find("\r\n");
      const std::string_view line = head.substr(0, eol);
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    const auto te = r.header("Transfer-Encoding");
    r.chunked = te && *te == "chunked";
  }

  void read_chunks(Response& r, std::size_t& pos) {
    for (;;) {
      std::size_t eol;
      while ((eol = buf_.find("\r\n", pos)) == std::string::npos) {
        if (!more(r)) {
          pos = buf_.size();
          return;
        }
      }
      const std::string_view size_line = std::string_view(buf_).substr(pos, eol - pos);
      std::size_t n = 0;
      bool hex = !size_line.empty();
      for (const char ch : size_line) {
        const int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                      : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
        if (d < 0) hex = false;
        else n = n * 16 + static_cast<std::size_t>(d);
      }
      if (!hex) {
        // Keep whatever else arrives, for the test to look at.
        r.bad_chunk_size = true;
        while (more(r)) {
        }
        pos = buf_.size();
        return;
      }
      const std::size_t data_at = eol + 2;
      while (buf_.size() < data_at + n + 2) {
        if (!more(r)) {
          pos = buf_.size();
          return;
        }
      }
      pos = data_at + n + 2;
      if (n == 0) {
        r.complete = true;
        return;
      }
      r.chunks.push_back(Chunk{buf_.substr(data_at, n), Clock::now()});
      r.body.append(buf_, data_at, n);
    }
  }

  const Conn* c_ = nullptr;
  milliseconds timeout_{0};
  std::string buf_;
};

inline std::string get_request(std::string_view path, std::string_view extra_headers = {}) {
  std::string r = "GET ";
  r += path;
  r += " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n";
  r += extra_headers;
  r += "\r\n";
  return r;
}

inline std::string post_request(std::string_view path, std::string_view body, std::string_view extra_headers = {}) {
  std::string r = "POST ";
  r += path;
  r += " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"
       "Content-Type: application/json\r\nContent-Length: ";
  r += std::to_string(body.size());
  r += "\r\n";
  r += extra_headers;
  r += "\r\n";
  r += body;
  return r;
}

// A captured response (a fixture file) read the same way.
inline Response parse_captured(std::string bytes) {
  Reader rd(std::move(bytes));
  return rd.read();
}

// One request on a fresh connection; the response as read.
inline Response round_trip(std::uint16_t port, const std::string& request, milliseconds timeout = kIoTimeout) {
  Conn c(port);
  c.send_all(request);
  Reader rd(c, timeout);
  return rd.read();
}

// The payloads of the SSE events in `text` ("data: X\n\n" -> "X").
inline std::vector<std::string> sse_data(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    std::size_t end = text.find("\n\n");
    const std::string_view ev = text.substr(0, end);
    if (ev.substr(0, 6) == "data: ") out.emplace_back(ev.substr(6));
    else out.emplace_back(ev);  // not an SSE data line: kept whole, so tests can see it
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 2);
  }
  return out;
}

// Structure of a JSON document: keys in order and value kinds, not values.
// Arrays show their first element's structure only ("[]" when empty).
inline void append_shape(std::string& out, simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::OBJECT: {
      out += '{';
      bool first = true;
      simdjson::dom::object obj;
      if (e.get_object().get(obj) != simdjson::SUCCESS) break;
      for (auto field : obj) {
        if (!first) out += ',';
        first = false;
        out += field.key;
        out += ':';
        append_shape(out, field.value);
      }
      out += '}';
      break;
    }
    case T::ARRAY: {
      out += '[';
      simdjson::dom::array arr;
      if (e.get_array().get(arr) != simdjson::SUCCESS) break;
      for (auto v : arr) {
        append_shape(out, v);
        break;
      }
      out += ']';
      break;
    }
    case T::STRING: out += 's'; break;
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE: out += 'n'; break;
    case T::BOOL: out += 'b'; break;
    case T::NULL_VALUE: out += "null"; break;
  }
}

// "!json" when `text` is not one JSON document.
inline std::string json_shape(std::string_view text) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  if (p.parse(text.data(), text.size()).get(e) != simdjson::SUCCESS) return "!json";
  std::string out;
  append_shape(out, e);
  return out;
}

inline bool is_json(std::string_view text) { return json_shape(text) != "!json"; }

// Waits (spinning, bounded) until the server's counters show `pred`. The
// server's own state is the thing awaited, not a guess at how long it takes.
template <class Pred>
bool until_stats(const MockServer& s, Pred pred, std::chrono::seconds limit = std::chrono::seconds(5)) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (pred(s.stats())) return true;
    std::this_thread::yield();
  }
  return pred(s.stats());
}

// A server on an ephemeral loopback port for one test.
struct Running {
  explicit Running(MockConfig cfg) : server(std::move(cfg)), port(server.start().value()) {}
  MockServer server;
  std::uint16_t port;
};

// Fast defaults so that shape tests do not wait on the simulated model.
inline MockConfig fast_config() {
  MockConfig c;
  c.decode_tps = 5000;
  c.prompt_tps = 1e6;
  return c;
}

}  // namespace llmbench::mock::test
