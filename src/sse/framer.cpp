#include "llmbench/sse/framer.hpp"

namespace llmbench::sse {

Framer::Framer(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {
  // Enough for a typical token event and its padding: steady streaming never
  // reallocates these.
  line_.reserve(1024);
  data_.reserve(1024 + kPaddingBytes);
}

void Framer::reset() noexcept {
  line_.clear();
  clear_event();
  skip_lf_ = false;
  failed_ = false;
}

void Framer::clear_event() noexcept {
  data_.clear();
  type_.clear();
  view_ = {};
  has_data_ = false;
}

void Framer::own_view() {
  data_.assign(view_.data(), view_.size());
  view_ = {};
}

Framer::LineResult Framer::on_line(std::string_view line, bool in_input) {
  if (line.empty()) return has_data_ ? LineResult::dispatch : (clear_event(), LineResult::none);
  if (line.front() == ':') return LineResult::none;  // comment (keep-alive ping)
  const std::size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (!has_data_) {
      has_data_ = true;
      if (in_input) {
        view_ = value;  // zero-copy: the common case
      } else {
        data_.assign(value.data(), value.size());
      }
    } else {
      // No limit check: feed() checked this line with the data held before
      // it, and '\n' plus the value is shorter than the line.
      if (!view_.empty()) own_view();
      data_.push_back('\n');
      data_.append(value.data(), value.size());
    }
  } else if (field == "event") {
    type_.assign(value.data(), value.size());
  }
  // `id` and `retry` do not matter to a client that never reconnects a stream.
  return LineResult::none;
}

Event Framer::make_event(const char* input_limit) noexcept {
  Event e;
  e.type = type_;
  if (!view_.empty() || data_.empty()) {
    e.data = view_;
    e.readable_after = view_.empty() ? 0 : static_cast<std::size_t>(input_limit - (view_.data() + view_.size()));
  } else {
    // Keep simdjson's padding readable past the owned copy.
    if (data_.capacity() < data_.size() + kPaddingBytes) data_.reserve(data_.size() + kPaddingBytes);
    e.data = data_;
    e.readable_after = data_.capacity() - data_.size();
  }
  return e;
}

}  // namespace llmbench::sse
