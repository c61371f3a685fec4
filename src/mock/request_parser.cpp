#include "llmbench/mock/request_parser.hpp"

#include <cctype>

namespace llmbench::mock {

namespace {
constexpr std::size_t kMaxOriginBytes = 1024;

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

llhttp_settings_t make_settings(llhttp_cb begin, llhttp_data_cb url, llhttp_data_cb field, llhttp_data_cb value,
                                llhttp_cb value_done, llhttp_cb headers_done, llhttp_data_cb body,
                                llhttp_cb complete) noexcept {
  llhttp_settings_t st{};
  st.on_message_begin = begin;
  st.on_url = url;
  st.on_header_field = field;
  st.on_header_value = value;
  st.on_header_value_complete = value_done;
  st.on_headers_complete = headers_done;
  st.on_body = body;
  st.on_message_complete = complete;
  return st;
}
}  // namespace

const llhttp_settings_t RequestParser::kSettings = make_settings(
    &RequestParser::on_message_begin, &RequestParser::on_url, &RequestParser::on_header_field,
    &RequestParser::on_header_value, &RequestParser::on_header_value_complete, &RequestParser::on_headers_complete,
    &RequestParser::on_body, &RequestParser::on_message_complete);

RequestParser::RequestParser(std::size_t max_body_bytes) : max_body_bytes_(max_body_bytes) { reset(); }

void RequestParser::reset() noexcept {
  llhttp_init(&parser_, HTTP_REQUEST, &kSettings);
  parser_.data = this;
  req_.method = Method::other;
  req_.path.clear();
  req_.query.clear();
  req_.origin.clear();
  req_.body.clear();
  req_.keep_alive = true;
  req_.expect_continue = false;
  state_ = State::need_more;
  error_ = {};
  consumed_ = 0;
  head_bytes_ = 0;
  started_ = headers_done_ = in_query_ = in_fragment_ = in_value_ = false;
  field_kind_ = Field::other;
  field_len_ = 0;
  expect_.clear();
}

RequestParser::State RequestParser::fail(State s, std::string_view why) noexcept {
  if (error_.empty()) error_ = why;
  state_ = s;
  return s;
}

// The head is bounded so that a client cannot grow the mock's memory with
// endless headers; the body has its own bound (413).
bool RequestParser::count_head(std::size_t n) noexcept {
  head_bytes_ += n;
  return head_bytes_ <= kMaxHeadBytes;
}

RequestParser::State RequestParser::feed(std::string_view bytes) noexcept {
  if (state_ != State::need_more) return state_;
  const llhttp_errno_t rc = llhttp_execute(&parser_, bytes.data(), bytes.size());
  if (rc == HPE_OK) {
    consumed_ = bytes.size();
    return state_;
  }
  if (rc == HPE_PAUSED && state_ == State::complete) {
    consumed_ = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - bytes.data());
    return state_;
  }
  if (state_ != State::need_more) return state_;  // a callback already said why
  return fail(State::error, llhttp_get_error_reason(&parser_));
}

int RequestParser::on_message_begin(llhttp_t* p) {
  self(p).started_ = true;
  return 0;
}

int RequestParser::on_url(llhttp_t* p, const char* at, std::size_t n) {
  auto& s = self(p);
  if (!s.count_head(n)) {
    s.fail(State::error, "request head too large");
    return -1;
  }
  for (std::size_t i = 0; i < n && !s.in_fragment_; ++i) {
    if (at[i] == '#') {
      s.in_fragment_ = true;
    } else if (s.in_query_) {
      s.req_.query.push_back(at[i]);
    } else if (at[i] == '?') {
      s.in_query_ = true;
    } else {
      s.req_.path.push_back(at[i]);
    }
  }
  return 0;
}

int RequestParser::on_header_field(llhttp_t* p, const char* at, std::size_t n) {
  auto& s = self(p);
  if (!s.count_head(n)) {
    s.fail(State::error, "request head too large");
    return -1;
  }
  if (s.in_value_) {
    s.in_value_ = false;
    s.field_len_ = 0;
  }
  for (std::size_t i = 0; i < n; ++i) {
    // Names longer than the buffer are not ones the mock acts on.
    if (s.field_len_ < s.field_.size()) s.field_[s.field_len_] = at[i];
    ++s.field_len_;
  }
  return 0;
}

int RequestParser::on_header_value(llhttp_t* p, const char* at, std::size_t n) {
  auto& s = self(p);
  if (!s.count_head(n)) {
    s.fail(State::error, "request head too large");
    return -1;
  }
  if (!s.in_value_) {
    s.in_value_ = true;
    const std::string_view name(s.field_.data(), s.field_len_ <= s.field_.size() ? s.field_len_ : 0);
    s.field_kind_ = iequals(name, "origin") ? Field::origin : iequals(name, "expect") ? Field::expect : Field::other;
  }
  std::string& dst = s.field_kind_ == Field::origin ? s.req_.origin : s.expect_;
  if (s.field_kind_ != Field::other && dst.size() + n <= kMaxOriginBytes) dst.append(at, n);
  return 0;
}

int RequestParser::on_header_value_complete(llhttp_t* p) {
  // An empty value never calls on_header_value; still closes the field.
  self(p).in_value_ = true;
  return 0;
}

int RequestParser::on_headers_complete(llhttp_t* p) {
  auto& s = self(p);
  s.headers_done_ = true;
  const auto m = static_cast<llhttp_method_t>(llhttp_get_method(p));
  s.req_.method = m == HTTP_GET ? Method::get : m == HTTP_POST ? Method::post : m == HTTP_OPTIONS ? Method::options
                                                                                                   : Method::other;
  s.req_.keep_alive = llhttp_should_keep_alive(p) != 0;
  s.req_.expect_continue = iequals(s.expect_, "100-continue");
  if ((p->flags & F_CONTENT_LENGTH) != 0) {
    if (p->content_length > s.max_body_bytes_) {
    s.fail(State::too_large, "request body too large");
    return -1;
  }
    s.req_.body.reserve(static_cast<std::size_t>(p->content_length));
  }
  return 0;
}

int RequestParser::on_body(llhttp_t* p, const char* at, std::size_t n) {
  auto& s = self(p);
  if (s.req_.body.size() + n > s.max_body_bytes_) {
    s.fail(State::too_large, "request body too large");
    return -1;
  }
  s.req_.body.append(at, n);
  return 0;
}

int RequestParser::on_message_complete(llhttp_t* p) {
  auto& s = self(p);
  s.req_.keep_alive = llhttp_should_keep_alive(p) != 0;
  s.state_ = State::complete;
  return HPE_PAUSED;
}

}  // namespace llmbench::mock
