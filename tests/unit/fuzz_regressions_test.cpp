// Bugs the fuzzers found (tests/fuzz), each pinned as a unit test. The inputs
// that found them are replayed by tests/fuzz/run_fuzzers.sh from
// tests/fuzz/regressions/.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "llmbench/sse/framer.hpp"
#include "test_support.hpp"

namespace llmbench {
namespace {

struct Framed {
  std::vector<std::string> data;
  bool ok = true;
};

// Feeds `bytes` cut at `cut` (no cut when cut >= size), each read in its own
// heap block.
Framed frame(std::size_t max_event_bytes, std::string_view bytes, std::size_t cut) {
  sse::Framer f(max_event_bytes);
  Framed out;
  const auto on_event = [&](const sse::Event& e) {
    EXPECT_LE(e.data.size(), max_event_bytes);
    out.data.emplace_back(e.data);
  };
  if (cut < bytes.size()) {
    test::ExactBuffer head(bytes.substr(0, cut));
    out.ok = f.feed(head.view(), on_event);
  }
  if (out.ok) {
    test::ExactBuffer tail(cut < bytes.size() ? bytes.substr(cut) : bytes);
    out.ok = f.feed(tail.view(), on_event);
  }
  EXPECT_EQ(out.ok, !f.failed());
  return out;
}

// fuzz_sse_framer: a line wholly within one read skipped the size check, so an
// event over max_event_bytes was handed out when it arrived in one piece.
TEST(FuzzRegressions, SseEventOverTheLimitFailsEvenInOneRead) {
  const std::string in = "data: 0123456789\n\n";
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    const Framed f = frame(8, in, cut);
    EXPECT_FALSE(f.ok) << "cut at " << cut;
    EXPECT_TRUE(f.data.empty()) << "cut at " << cut;
  }
}

// fuzz_sse_framer: a second data line carried over from an earlier read was
// counted twice against the limit, so the same stream failed or not depending
// on where the reads cut it.
TEST(FuzzRegressions, SseLimitDoesNotDependOnWhereReadsCut) {
  // The second line (13 bytes) plus the 3 bytes of data before it: 16.
  const std::string in = "data: abc\ndata: 0123456\n\n";
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    const Framed fits = frame(16, in, cut);
    EXPECT_TRUE(fits.ok) << "cut at " << cut;
    EXPECT_EQ(fits.data, std::vector<std::string>{"abc\n0123456"}) << "cut at " << cut;
    const Framed over = frame(15, in, cut);
    EXPECT_FALSE(over.ok) << "cut at " << cut;
    EXPECT_TRUE(over.data.empty()) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace llmbench
