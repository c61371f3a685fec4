// Fuzzes protocol::EventDecoder. The cuts split the payload into a sequence
// of events decoded in turn by one reused decoder, as a stream's events are.
//
// Oracle: an event decodes to the same result whether it comes with
// simdjson's padding (decoded in place) or without it (copied to the
// decoder's scratch first), and whether the decoder is fresh or has decoded
// other events before (no state leaks between decodes). On top of that: no
// more content pieces than the event's bytes could hold, an error message
// only on an error event, nothing but the marker on `[DONE]`.
//
// The per-stream template (EventTemplate) must never change a result: every
// event decodes the same through a template carried from the events before it,
// and so does the template's prefix + each event's bytes + its suffix (the
// input spliced in as the content string, which fuzzes the check that decides
// whether bytes can stand between the two).
//
// Options byte: bit 0 decodes the reused decoder's events with padding.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "llmbench/protocol/event_decoder.hpp"

namespace {

using llmbench::protocol::DecodeStatus;
using llmbench::protocol::EventDecoder;
using llmbench::protocol::EventInfo;

// The smallest event carrying one piece of content is a choice like
// {"text":"a"} (12 bytes) inside `"choices":[...]`.
constexpr std::size_t kMinBytesPerPiece = 8;

struct Result {
  DecodeStatus status = DecodeStatus::ok;
  EventInfo info;
  std::string error_message;  // a copy: info's view dies with the next decode
  bool error_text = false;    // error() was non-empty
};

bool same_timings(const llmbench::ServerTimings& a, const llmbench::ServerTimings& b) {
  return a.present == b.present && a.cache_n == b.cache_n && a.prompt_n == b.prompt_n &&
         a.prompt_ms == b.prompt_ms && a.prompt_per_token_ms == b.prompt_per_token_ms &&
         a.prompt_per_second == b.prompt_per_second && a.predicted_n == b.predicted_n &&
         a.predicted_ms == b.predicted_ms && a.predicted_per_token_ms == b.predicted_per_token_ms &&
         a.predicted_per_second == b.predicted_per_second && a.draft_n == b.draft_n &&
         a.draft_n_accepted == b.draft_n_accepted;
}

bool same(const Result& a, const Result& b) {
  const EventInfo& x = a.info;
  const EventInfo& y = b.info;
  return a.status == b.status && a.error_message == b.error_message && a.error_text == b.error_text &&
         x.done_marker == y.done_marker && x.native_stop == y.native_stop && x.finish_reason == y.finish_reason &&
         x.content_pieces == y.content_pieces && x.has_usage == y.has_usage &&
         x.completion_tokens == y.completion_tokens && x.prompt_tokens == y.prompt_tokens &&
         x.has_native_counts == y.has_native_counts && x.tokens_predicted == y.tokens_predicted &&
         x.tokens_evaluated == y.tokens_evaluated && same_timings(x.timings, y.timings) &&
         x.is_error == y.is_error && x.error_code == y.error_code && x.stamp_ns == y.stamp_ns &&
         x.embeddings == y.embeddings && x.scores == y.scores;
}

Result decode(EventDecoder& decoder, std::string_view event, bool padded,
              llmbench::protocol::EventTemplate* tpl = nullptr) {
  const llmbench::fuzz::Buffer buf(event, padded ? simdjson::SIMDJSON_PADDING : 0);
  Result r;
  r.status = decoder.decode(buf.view(), buf.slack(), r.info, tpl);
  r.error_message.assign(r.info.error_message);
  r.error_text = !decoder.error().empty();
  LLMBENCH_FUZZ_CHECK(r.error_text == (r.status != DecodeStatus::ok));
  LLMBENCH_FUZZ_CHECK(r.info.content_pieces <= event.size() / kMinBytesPerPiece);
  LLMBENCH_FUZZ_CHECK(r.error_message.empty() || r.info.is_error);
  LLMBENCH_FUZZ_CHECK(r.error_message.size() <= event.size());
  if (r.info.done_marker) {
    EventInfo only_marker;
    only_marker.done_marker = true;
    Result expected;
    expected.info = only_marker;
    LLMBENCH_FUZZ_CHECK(same(r, expected));
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = llmbench::fuzz::parse_input(data, size);
  if (!in) return 0;
  const bool reused_padded = (in->options & 1) != 0;

  EventDecoder reused;
  llmbench::protocol::EventTemplate tpl;
  for (std::string_view event : llmbench::fuzz::pieces(in->payload, in->cuts)) {
    const Result seen = decode(reused, event, reused_padded);
    EventDecoder fresh;
    LLMBENCH_FUZZ_CHECK(same(decode(fresh, event, !reused_padded), seen));
    LLMBENCH_FUZZ_CHECK(same(decode(fresh, event, reused_padded), seen));
    if (tpl.valid) {
      std::string spliced = tpl.prefix;
      spliced.append(event).append(tpl.suffix);
      llmbench::protocol::EventTemplate probe = tpl;
      EventDecoder plain;
      LLMBENCH_FUZZ_CHECK(same(decode(fresh, spliced, reused_padded, &probe), decode(plain, spliced, reused_padded)));
    }
    LLMBENCH_FUZZ_CHECK(same(decode(fresh, event, reused_padded, &tpl), seen));
  }
  return 0;
}
