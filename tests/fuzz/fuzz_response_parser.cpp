// Fuzzes http::ResponseParser (llhttp underneath) with responses cut into
// reads at fuzzer-chosen offsets.
//
// Oracle: the parser is a pure function of the bytes, so the same bytes fed
// in one piece and fed in pieces must give the same outcome: state, head,
// de-chunked body, and how many bytes belonged to the response. On top of
// that: consumed() never exceeds the bytes of the last feed, the body is never
// longer than the input, headers arrive at most once, and a final state is
// sticky. Options byte: a body limit (the sink rejects bodies above it) and
// whether to call finish() when the input runs out.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "llmbench/http/response_parser.hpp"

namespace {

using llmbench::http::ParseState;
using llmbench::http::ResponseHead;
using llmbench::http::ResponseParser;

struct Sink {
  std::size_t body_limit_bytes = 0;
  std::string body;
  bool rejected = false;
  int headers_calls = 0;
  ResponseHead head;
  std::string content_type;

  void on_headers(const ResponseHead& h) {
    ++headers_calls;
    head = h;
    content_type.assign(h.content_type);
  }
  bool on_body(std::string_view bytes) {
    LLMBENCH_FUZZ_CHECK(headers_calls == 1);
    if (body.size() + bytes.size() > body_limit_bytes) {
      rejected = true;
      return false;
    }
    body.append(bytes);
    return true;
  }
};

struct Outcome {
  ParseState state = ParseState::need_more;
  std::size_t consumed_bytes = 0;  // of the whole payload, when complete
  std::string body;
  bool rejected = false;
  int headers_calls = 0;
  int status = 0;
  bool keep_alive = false;
  bool chunked = false;
  std::string content_type;
  std::uint32_t retry_after_s = 0;
  bool started = false;

  bool operator==(const Outcome&) const = default;
};

Outcome run(const std::vector<std::string_view>& parts, std::size_t body_limit_bytes, bool call_finish) {
  Sink sink;
  sink.body_limit_bytes = body_limit_bytes;
  ResponseParser<Sink> parser(sink);
  Outcome out;
  std::size_t offset = 0;
  for (std::string_view part : parts) {
    const llmbench::fuzz::Buffer piece(part, 0);
    out.state = parser.feed(piece.view());
    LLMBENCH_FUZZ_CHECK(out.state == parser.state());
    if (out.state == ParseState::complete) {
      LLMBENCH_FUZZ_CHECK(parser.consumed() <= part.size());
      out.consumed_bytes = offset + parser.consumed();
      break;
    }
    if (out.state == ParseState::error) {
      LLMBENCH_FUZZ_CHECK(!parser.error().empty());
      break;
    }
    LLMBENCH_FUZZ_CHECK(parser.consumed() == part.size());
    offset += part.size();
  }
  if (out.state == ParseState::need_more && call_finish) {
    out.state = parser.finish();
    if (out.state == ParseState::complete) out.consumed_bytes = offset;
  }
  if (out.state != ParseState::need_more) {
    // Final states are sticky until reset().
    const llmbench::fuzz::Buffer more("HTTP/1.1 200 OK\r\n\r\n", 0);
    LLMBENCH_FUZZ_CHECK(parser.feed(more.view()) == out.state);
    LLMBENCH_FUZZ_CHECK(parser.finish() == out.state);
  }
  if (out.state == ParseState::complete) {
    LLMBENCH_FUZZ_CHECK(parser.started());
    LLMBENCH_FUZZ_CHECK(sink.headers_calls == 1);
  }
  LLMBENCH_FUZZ_CHECK(sink.headers_calls <= 1);
  LLMBENCH_FUZZ_CHECK(sink.headers_calls == 0 || parser.headers_done() == (sink.head.status != 0));
  // A rejected body is cut wherever the read that crossed the limit ended.
  out.body = sink.rejected ? std::string() : std::move(sink.body);
  out.rejected = sink.rejected;
  out.headers_calls = sink.headers_calls;
  out.status = sink.head.status;
  out.chunked = sink.head.chunked;
  out.content_type = std::move(sink.content_type);
  out.retry_after_s = sink.head.retry_after_s;
  out.keep_alive = out.state == ParseState::complete && parser.head().keep_alive;
  out.started = parser.started();

  // The parser can be reused: after reset() a well-formed response parses.
  parser.reset();
  sink.headers_calls = 0;
  sink.body_limit_bytes = 16;
  const llmbench::fuzz::Buffer again("HTTP/1.1 204 No Content\r\n\r\n", 0);
  LLMBENCH_FUZZ_CHECK(parser.feed(again.view()) == ParseState::complete);
  LLMBENCH_FUZZ_CHECK(parser.head().status == 204);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = llmbench::fuzz::parse_input(data, size);
  if (!in) return 0;
  // 0..127 lets the limit bite inside small bodies; 0 means "no limit".
  const std::size_t limit_option = in->options & 0x7f;
  const std::size_t body_limit_bytes = limit_option == 0 ? SIZE_MAX : limit_option * 8;
  const bool call_finish = (in->options & 0x80) == 0;

  const Outcome whole = run({in->payload}, body_limit_bytes, call_finish);
  LLMBENCH_FUZZ_CHECK(whole.body.size() <= in->payload.size());
  LLMBENCH_FUZZ_CHECK(whole.consumed_bytes <= in->payload.size());
  if (in->cuts.empty()) return 0;
  const Outcome split = run(llmbench::fuzz::pieces(in->payload, in->cuts), body_limit_bytes, call_finish);
  LLMBENCH_FUZZ_CHECK(split == whole);
  return 0;
}
