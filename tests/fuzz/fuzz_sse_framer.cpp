// Fuzzes sse::Framer with event streams cut into reads at fuzzer-chosen
// offsets, against a reference model that sees the whole stream at once.
//
// The model is the framer's contract written the slow, obvious way: lines end
// in CRLF, LF or CR; an event is dispatched on a blank line when it has data;
// and the stream fails at the first line whose bytes, plus the data the event
// already holds, exceed max_event_bytes (the bound on what the framer may
// buffer). Whatever the cuts, the framer must dispatch exactly the model's
// events and fail exactly when the model does. Also: no event is larger than
// max_event_bytes, and the bytes past an event that it says are readable are
// (ASan checks the last one).
//
// Options byte: bits 0-5 pick max_event_bytes (63 = the default, 1 MiB),
// bit 6 gives each read 64 readable bytes of slack, bit 7 reuses one framer
// (reset() between runs) instead of a fresh one.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "llmbench/sse/framer.hpp"

namespace {

using llmbench::sse::Event;
using llmbench::sse::Framer;

struct Outcome {
  std::vector<std::string> data;
  std::vector<std::string> types;
  bool failed = false;
  bool mid_event = false;

  bool operator==(const Outcome&) const = default;
};

class Model {
 public:
  explicit Model(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

  Outcome run(std::string_view s) {
    std::size_t pos = 0;
    while (pos < s.size()) {
      const std::size_t eol = s.find_first_of("\r\n", pos);
      if (eol == std::string_view::npos) break;
      if (!line(s.substr(pos, eol - pos))) return out_;
      pos = eol + (s[eol] == '\r' && eol + 1 < s.size() && s[eol + 1] == '\n' ? 2 : 1);
    }
    const std::size_t partial = s.size() - pos;
    if (data_.size() + partial > max_event_bytes_) {
      out_.failed = true;
      return out_;
    }
    out_.mid_event = partial != 0 || has_data_;
    return out_;
  }

 private:
  bool line(std::string_view l) {
    if (data_.size() + l.size() > max_event_bytes_) {
      out_.failed = true;
      return false;
    }
    if (l.empty()) {
      if (has_data_) {
        out_.data.push_back(data_);
        out_.types.push_back(type_);
      }
      data_.clear();
      type_.clear();
      has_data_ = false;
      return true;
    }
    if (l.front() == ':') return true;
    const std::size_t colon = l.find(':');
    const std::string_view field = l.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : l.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data") {
      if (has_data_) data_.push_back('\n');
      data_.append(value);
      has_data_ = true;
    } else if (field == "event") {
      type_.assign(value);
    }
    return true;
  }

  std::size_t max_event_bytes_;
  Outcome out_;
  std::string data_;
  std::string type_;
  bool has_data_ = false;
};

bool within(const char* p, const char* begin, const char* end) {
  const std::less_equal<const char*> le;
  return le(begin, p) && le(p, end);
}

Outcome run(Framer& framer, const std::vector<std::string_view>& parts, std::size_t slack_bytes) {
  Outcome out;
  for (std::string_view part : parts) {
    const llmbench::fuzz::Buffer piece(part, slack_bytes);
    const char* begin = piece.view().data();
    const bool ok = framer.feed(piece.view(), piece.readable_limit(), [&](const Event& e) {
      LLMBENCH_FUZZ_CHECK(e.data.size() <= framer.max_event_bytes());
      const char* end = e.data.data() + e.data.size();
      if (!e.data.empty() && within(e.data.data(), begin, piece.readable_limit())) {
        // A zero-copy view: readable up to the end of the caller's memory.
        LLMBENCH_FUZZ_CHECK(static_cast<std::size_t>(piece.readable_limit() - end) == e.readable_after);
      } else if (!e.data.empty()) {
        // The framer's own copy always keeps simdjson's padding.
        LLMBENCH_FUZZ_CHECK(e.readable_after >= llmbench::sse::kPaddingBytes);
      }
      if (!e.data.empty()) llmbench::fuzz::touch(end, e.readable_after);
      out.data.emplace_back(e.data);
      out.types.emplace_back(e.type);
    });
    LLMBENCH_FUZZ_CHECK(ok == !framer.failed());
    if (!ok) {
      out.failed = true;
      // Sticky until reset().
      LLMBENCH_FUZZ_CHECK(!framer.feed("data: x\n\n", [](const Event&) { llmbench::fuzz::fail("event after failure"); }));
      return out;
    }
  }
  out.mid_event = framer.mid_event();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = llmbench::fuzz::parse_input(data, size);
  if (!in) return 0;
  const std::size_t limit_option = in->options & 0x3f;
  const std::size_t max_event_bytes = limit_option == 0x3f ? llmbench::sse::kDefaultMaxEventBytes : limit_option * 8;
  const std::size_t slack_bytes = (in->options & 0x40) != 0 ? 64 : 0;
  const bool reuse = (in->options & 0x80) != 0;

  const Outcome expected = Model(max_event_bytes).run(in->payload);
  Framer first(max_event_bytes);
  const Outcome whole = run(first, {in->payload}, slack_bytes);
  LLMBENCH_FUZZ_CHECK(whole == expected);

  Framer fresh(max_event_bytes);
  Framer& framer = reuse ? first : fresh;
  framer.reset();
  LLMBENCH_FUZZ_CHECK(!framer.mid_event() && !framer.failed());
  const Outcome split = run(framer, llmbench::fuzz::pieces(in->payload, in->cuts), slack_bytes);
  LLMBENCH_FUZZ_CHECK(split == expected);
  return 0;
}
