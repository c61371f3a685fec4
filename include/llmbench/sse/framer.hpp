#pragma once
// Splits a byte stream into Server-Sent Events (WHATWG HTML, "event stream").
//
// Knows nothing of HTTP or JSON. Lines end in LF, CRLF or CR, and any of them
// may be split across feeds. An event is dispatched on its blank line with its
// data lines joined by '\n'.
//
// Fast path: an event whose single data line lies wholly within one feed is
// handed out as a view into the caller's bytes, with no copy. Only an event
// split across feeds (or with several data lines) is copied into the framer's
// own buffer, which is reserved up front so that steady streaming allocates
// nothing. An event larger than max_event_bytes is an error, so a server that
// never ends its line cannot make memory grow without bound.
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "llmbench/util/padding.hpp"

namespace llmbench::sse {

struct Event {
  std::string_view data;   // valid only during the callback
  std::string_view type;   // the `event:` field; empty means "message"
  std::size_t readable_after = 0;  // bytes that may be read past data's end
};

inline constexpr std::size_t kDefaultMaxEventBytes = 1u << 20;
// Readable slack kept after the framer's own copies (util/padding.hpp).
inline constexpr std::size_t kPaddingBytes = util::kJsonPaddingBytes;

class Framer {
 public:
  explicit Framer(std::size_t max_event_bytes = kDefaultMaxEventBytes);

  // Feeds bytes. `readable_limit` is the end of the readable memory the bytes
  // sit in (>= bytes.end()); views handed out report how far they may be read
  // past their end. Calls on_event(const Event&) for each complete event.
  // Returns false once the event-size limit is exceeded (sticky until reset()).
  template <class F>
  bool feed(std::string_view bytes, const char* readable_limit, F&& on_event);
  template <class F>
  bool feed(std::string_view bytes, F&& on_event) {
    return feed(bytes, bytes.data() + bytes.size(), static_cast<F&&>(on_event));
  }

  void reset() noexcept;
  [[nodiscard]] bool failed() const noexcept { return failed_; }
  // True when part of an event (a line or data not yet dispatched) is pending.
  [[nodiscard]] bool mid_event() const noexcept { return !line_.empty() || has_data_; }
  [[nodiscard]] std::size_t max_event_bytes() const noexcept { return max_event_bytes_; }

 private:
  enum class LineResult : unsigned char { none, dispatch };
  LineResult on_line(std::string_view line, bool in_input);
  void own_view();  // copy a pending zero-copy data view into data_
  bool over_limit(std::size_t extra) const noexcept {
    return line_.size() + data_.size() + view_.size() + extra > max_event_bytes_;
  }
  Event make_event(const char* input_limit) noexcept;
  void clear_event() noexcept;

  std::size_t max_event_bytes_;
  std::string line_;  // a partial line carried over from an earlier feed
  std::string data_;  // owned data of the current event
  std::string type_;
  std::string_view view_;  // zero-copy data of the current event (this feed only)
  bool has_data_ = false;
  bool skip_lf_ = false;  // last feed ended on CR: a leading LF belongs to it
  bool failed_ = false;
};

// First CR or LF in [p, end), or end.
inline const char* find_eol(const char* p, const char* end) noexcept {
  const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
  const char* stop = nl != nullptr ? nl : end;
  const auto* cr = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(stop - p)));
  return cr != nullptr ? cr : stop;
}

template <class F>
bool Framer::feed(std::string_view bytes, const char* readable_limit, F&& on_event) {
  if (failed_) return false;
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  if (skip_lf_ && p != end) {
    if (*p == '\n') ++p;
    skip_lf_ = false;
  }
  while (p != end) {
    const char* eol = find_eol(p, end);
    if (eol == end) {
      if (over_limit(static_cast<std::size_t>(end - p))) {
        failed_ = true;
        return false;
      }
      line_.append(p, end);
      break;
    }
    // Every line counts against the limit with the data its event holds,
    // whether it lies within this feed or was carried over: where the reads
    // happen to cut the stream must not decide whether it fails.
    if (over_limit(static_cast<std::size_t>(eol - p))) {
      failed_ = true;
      return false;
    }
    std::string_view line;
    bool in_input = line_.empty();
    if (in_input) {
      line = std::string_view(p, static_cast<std::size_t>(eol - p));
    } else {
      line_.append(p, eol);
      line = line_;
    }
    if (*eol == '\r') {
      if (eol + 1 == end) {
        skip_lf_ = true;
      } else if (eol[1] == '\n') {
        ++eol;
      }
    }
    p = eol + 1;
    const LineResult r = on_line(line, in_input);
    if (!in_input) line_.clear();
    if (r == LineResult::dispatch) {
      on_event(make_event(readable_limit));
      clear_event();
    }
  }
  // A view into the caller's bytes dies with this call.
  if (!view_.empty()) own_view();
  return true;
}

}  // namespace llmbench::sse
