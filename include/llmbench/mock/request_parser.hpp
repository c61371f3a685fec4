#pragma once
// HTTP/1.1 request parsing for the mock server, on llhttp (HTTP_REQUEST).
//
// A pure function of the bytes fed: it keeps the method, the path and its
// query string apart, the two headers the mock acts on (Origin, Expect) and the body
// (Content-Length or chunked, de-chunked by llhttp, at most max_body_bytes).
// Parsing pauses at the end of one request, so bytes of a following one are
// left to the caller (`consumed()`), and errors are sticky until reset().
#include <llhttp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace llmbench::mock {

inline constexpr std::size_t kMaxBodyBytes = 8u << 20;  // larger bodies get 413
inline constexpr std::size_t kMaxHeadBytes = 64u << 10;   // request line + headers

enum class Method : std::uint8_t { get, post, options, other };

struct Request {
  Method method = Method::other;
  std::string path;    // without the query string
  std::string query;   // after "?", without any "#fragment" ("action=erase")
  std::string origin;  // the Origin header, echoed in Access-Control-Allow-Origin
  std::string body;
  bool keep_alive = true;       // HTTP/1.1 without "Connection: close"
  bool expect_continue = false;  // "Expect: 100-continue"
};

class RequestParser {
 public:
  enum class State : std::uint8_t { need_more, complete, error, too_large };

  explicit RequestParser(std::size_t max_body_bytes = kMaxBodyBytes);
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Ready for the next request; buffers keep their capacity.
  void reset() noexcept;
  State feed(std::string_view bytes) noexcept;

  [[nodiscard]] State state() const noexcept { return state_; }
  [[nodiscard]] bool started() const noexcept { return started_; }
  [[nodiscard]] bool headers_done() const noexcept { return headers_done_; }
  [[nodiscard]] const Request& request() const noexcept { return req_; }
  [[nodiscard]] Request& request() noexcept { return req_; }
  // Bytes of the last feed() that belonged to this request.
  [[nodiscard]] std::size_t consumed() const noexcept { return consumed_; }
  [[nodiscard]] std::string_view error() const noexcept { return error_; }

 private:
  enum class Field : std::uint8_t { other, origin, expect };
  static RequestParser& self(llhttp_t* p) noexcept { return *static_cast<RequestParser*>(p->data); }
  static int on_message_begin(llhttp_t* p);
  static int on_url(llhttp_t* p, const char* at, std::size_t n);
  static int on_header_field(llhttp_t* p, const char* at, std::size_t n);
  static int on_header_value(llhttp_t* p, const char* at, std::size_t n);
  static int on_header_value_complete(llhttp_t* p);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, std::size_t n);
  static int on_message_complete(llhttp_t* p);
  static const llhttp_settings_t kSettings;

  State fail(State s, std::string_view why) noexcept;
  bool count_head(std::size_t n) noexcept;

  llhttp_t parser_{};
  std::size_t max_body_bytes_;
  Request req_;
  State state_ = State::need_more;
  std::string_view error_;
  std::size_t consumed_ = 0;
  std::size_t head_bytes_ = 0;
  bool started_ = false;
  bool headers_done_ = false;
  bool in_query_ = false;
  bool in_fragment_ = false;
  bool in_value_ = false;
  Field field_kind_ = Field::other;
  std::array<char, 16> field_{};
  std::size_t field_len_ = 0;
  std::string expect_;
};

}  // namespace llmbench::mock
