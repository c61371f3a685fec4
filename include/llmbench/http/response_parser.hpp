#pragma once
// An HTTP/1.1 response parser on top of llhttp.
//
// A pure function of the bytes it is fed: status and the few headers we care
// about are captured into fixed buffers, body bytes (de-chunked by llhttp) are
// handed to the Sink as spans that live only during the call, and errors are
// sticky until reset(). Parsing stops at the end of one response, so bytes of a
// following response on a kept-alive connection are never consumed.
//
// Sink is a template parameter, not an interface, so the per-chunk body call is
// a direct one. It must provide:
//   void on_headers(const ResponseHead&);
//   bool on_body(std::string_view bytes);   // false aborts parsing (protocol error)
#include <llhttp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace llmbench::http {

struct ResponseHead {
  int status = 0;
  bool keep_alive = false;   // llhttp's view: HTTP/1.1 without "Connection: close"
  bool chunked = false;
  std::string_view content_type;  // lower-cased, parameters kept; valid until reset()
  std::uint32_t retry_after_s = 0;
};

enum class ParseState : std::uint8_t { need_more, complete, error };

namespace detail {
inline constexpr std::size_t kFieldBytes = 32;
inline constexpr std::size_t kValueBytes = 128;

// Header bookkeeping that does not depend on the Sink type.
struct HeaderCapture {
  enum class Field : std::uint8_t { other, content_type, retry_after };
  std::array<char, kFieldBytes> field{};
  std::size_t field_len = 0;
  bool field_too_long = false;
  bool in_value = false;
  Field current = Field::other;
  std::array<char, kValueBytes> content_type{};
  std::size_t content_type_len = 0;
  std::array<char, 16> retry_after{};
  std::size_t retry_after_len = 0;

  void reset() noexcept { *this = HeaderCapture{}; }
  void on_field(const char* at, std::size_t n) noexcept;
  void on_value(const char* at, std::size_t n) noexcept;
  void on_value_complete() noexcept;
  [[nodiscard]] std::uint32_t retry_after_seconds() const noexcept;
};
}  // namespace detail

template <class Sink>
class ResponseParser {
 public:
  explicit ResponseParser(Sink& sink) noexcept : sink_(sink) { reset(); }
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  // Ready for a new response. Also clears a sticky error.
  void reset() noexcept {
    llhttp_init(&parser_, HTTP_RESPONSE, &kSettings);
    parser_.data = this;
    headers_.reset();
    head_ = ResponseHead{};
    state_ = ParseState::need_more;
    error_ = {};
    consumed_ = 0;
    started_ = false;
  }

  // Feeds bytes; returns complete once the whole response was seen. `consumed()`
  // says how many of the bytes belonged to it.
  ParseState feed(std::string_view bytes) noexcept {
    if (state_ != ParseState::need_more) return state_;
    const llhttp_errno_t rc = llhttp_execute(&parser_, bytes.data(), bytes.size());
    if (rc == HPE_OK) {
      consumed_ = bytes.size();
      return state_;
    }
    if (rc == HPE_PAUSED && state_ == ParseState::complete) {
      consumed_ = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - bytes.data());
      return state_;
    }
    return fail(reason_or(rc == HPE_USER ? "body rejected" : "malformed HTTP response"));
  }

  // The peer closed the connection. Completes a read-until-close body; any other
  // unfinished response becomes an error.
  ParseState finish() noexcept {
    if (state_ != ParseState::need_more) return state_;
    const llhttp_errno_t rc = llhttp_finish(&parser_);
    if (rc == HPE_OK && state_ == ParseState::complete) return state_;
    if (rc == HPE_OK || rc == HPE_PAUSED) {
      if (state_ == ParseState::complete) return state_;
      return fail("connection closed before the response ended");
    }
    return fail(reason_or("malformed HTTP response"));
  }

  // Lets the sink reject the body with a reason (kept until reset()).
  void set_error(std::string_view reason) noexcept { error_ = reason; }

  [[nodiscard]] ParseState state() const noexcept { return state_; }
  [[nodiscard]] bool headers_done() const noexcept { return head_.status != 0; }
  [[nodiscard]] const ResponseHead& head() const noexcept { return head_; }
  [[nodiscard]] std::string_view error() const noexcept { return error_; }
  [[nodiscard]] std::size_t consumed() const noexcept { return consumed_; }
  // Whether anything of a response has been seen (distinguishes a stale
  // keep-alive connection closing from a response cut short).
  [[nodiscard]] bool started() const noexcept { return started_; }

 private:
  // llhttp's reason, which is null when a callback stopped the parser.
  const char* reason_or(const char* fallback) const noexcept {
    const char* r = llhttp_get_error_reason(&parser_);
    return r != nullptr ? r : fallback;
  }

  ParseState fail(std::string_view why) noexcept {
    if (error_.empty()) error_ = why;
    state_ = ParseState::error;
    return state_;
  }

  static ResponseParser& self(llhttp_t* p) noexcept { return *static_cast<ResponseParser*>(p->data); }

  static int on_message_begin(llhttp_t* p) {
    self(p).started_ = true;
    return 0;
  }
  static int on_header_field(llhttp_t* p, const char* at, std::size_t n) {
    self(p).headers_.on_field(at, n);
    return 0;
  }
  static int on_header_value(llhttp_t* p, const char* at, std::size_t n) {
    self(p).headers_.on_value(at, n);
    return 0;
  }
  static int on_header_value_complete(llhttp_t* p) {
    self(p).headers_.on_value_complete();
    return 0;
  }
  static int on_headers_complete(llhttp_t* p) {
    auto& s = self(p);
    s.head_.status = llhttp_get_status_code(p);
    s.head_.keep_alive = llhttp_should_keep_alive(p) != 0;
    s.head_.chunked = (p->flags & F_CHUNKED) != 0;
    s.head_.content_type = std::string_view(s.headers_.content_type.data(), s.headers_.content_type_len);
    s.head_.retry_after_s = s.headers_.retry_after_seconds();
    s.sink_.on_headers(s.head_);
    return 0;
  }
  static int on_body(llhttp_t* p, const char* at, std::size_t n) {
    auto& s = self(p);
    return s.sink_.on_body(std::string_view(at, n)) ? 0 : HPE_USER;
  }
  static int on_message_complete(llhttp_t* p) {
    auto& s = self(p);
    // keep_alive is only final once the whole message is seen.
    s.head_.keep_alive = llhttp_should_keep_alive(p) != 0;
    s.state_ = ParseState::complete;
    return HPE_PAUSED;
  }

  static llhttp_settings_t make_settings() noexcept {
    llhttp_settings_t st{};
    st.on_message_begin = &on_message_begin;
    st.on_header_field = &on_header_field;
    st.on_header_value = &on_header_value;
    st.on_header_value_complete = &on_header_value_complete;
    st.on_headers_complete = &on_headers_complete;
    st.on_body = &on_body;
    st.on_message_complete = &on_message_complete;
    return st;
  }
  static const llhttp_settings_t kSettings;

  Sink& sink_;
  llhttp_t parser_{};
  detail::HeaderCapture headers_;
  ResponseHead head_;
  ParseState state_ = ParseState::need_more;
  std::string_view error_;  // static strings only (llhttp reasons or literals)
  std::size_t consumed_ = 0;
  bool started_ = false;
};

template <class Sink>
const llhttp_settings_t ResponseParser<Sink>::kSettings = ResponseParser<Sink>::make_settings();

}  // namespace llmbench::http
