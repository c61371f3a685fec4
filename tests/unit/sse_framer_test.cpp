// The SSE framer on its own: line endings, comments, multi-line data, limits,
// and every fixture's de-chunked body split at every offset.
#include <gtest/gtest.h>

#include "llmbench/sse/framer.hpp"
#include "test_support.hpp"

namespace llmbench::sse {
namespace {

struct Collected {
  std::vector<std::string> data;
  std::vector<std::string> types;
  bool ok = true;
};

Collected feed_pieces(Framer& f, std::string_view bytes, const std::vector<std::size_t>& cuts) {
  Collected c;
  std::size_t pos = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (std::size_t end : ends) {
    if (end < pos) continue;
    test::ExactBuffer piece(bytes.substr(pos, end - pos));
    c.ok = f.feed(piece.view(), [&](const Event& e) {
             c.data.emplace_back(e.data);
             c.types.emplace_back(e.type);
             // The promise made to the JSON parser: the padding really is readable.
             EXPECT_LE(e.readable_after, 1u << 30);
           }) && c.ok;
    pos = end;
  }
  return c;
}

Collected feed_all(std::string_view bytes, std::size_t limit = kDefaultMaxEventBytes) {
  Framer f(limit);
  return feed_pieces(f, bytes, {});
}

TEST(SseFramer, SplitsEventsOnBlankLines) {
  const Collected c = feed_all("data: one\n\ndata: two\n\n");
  ASSERT_EQ(c.data.size(), 2u);
  EXPECT_EQ(c.data[0], "one");
  EXPECT_EQ(c.data[1], "two");
}

TEST(SseFramer, AcceptsCrLfAndCrLineEndings) {
  const Collected c = feed_all("data: a\r\n\r\ndata: b\r\rdata: c\n\n");
  ASSERT_EQ(c.data.size(), 3u);
  EXPECT_EQ(c.data[0], "a");
  EXPECT_EQ(c.data[1], "b");
  EXPECT_EQ(c.data[2], "c");
}

TEST(SseFramer, CrLfSplitBetweenFeedsIsOneLineEnd) {
  Framer f;
  const Collected c = feed_pieces(f, "data: a\r\n\r\ndata: b\r\n\r\n", {8, 9, 10});
  ASSERT_EQ(c.data.size(), 2u);
  EXPECT_EQ(c.data[0], "a");
  EXPECT_EQ(c.data[1], "b");
}

TEST(SseFramer, JoinsDataLinesAndIgnoresCommentsAndOtherFields) {
  const Collected c = feed_all(": ping\n\nid: 7\nevent: delta\ndata: x\ndata:y\nretry: 10\n\n");
  ASSERT_EQ(c.data.size(), 1u);
  EXPECT_EQ(c.data[0], "x\ny");
  EXPECT_EQ(c.types[0], "delta");
}

TEST(SseFramer, EventWithoutDataIsNotDispatched) {
  const Collected c = feed_all("event: nothing\n\n\n\ndata\n\n");
  ASSERT_EQ(c.data.size(), 1u);  // "data" without a colon is an empty data line
  EXPECT_EQ(c.data[0], "");
}

TEST(SseFramer, IncompleteEventIsPendingNotDispatched) {
  Framer f;
  const Collected c = feed_pieces(f, "data: partial\n", {});
  EXPECT_TRUE(c.data.empty());
  EXPECT_TRUE(f.mid_event());
  f.reset();
  EXPECT_FALSE(f.mid_event());
}

TEST(SseFramer, OversizedEventIsAStickyError) {
  Framer f(1024);
  const std::string big = "data: " + std::string(2000, 'x');
  const Collected c = feed_pieces(f, big, {500, 1000, 1500});
  EXPECT_FALSE(c.ok);
  EXPECT_TRUE(f.failed());
  EXPECT_FALSE(f.feed("data: ok\n\n", [](const Event&) {}));
  f.reset();
  EXPECT_TRUE(f.feed("data: ok\n\n", [](const Event&) {}));
}

TEST(SseFramer, ManyDataLinesCannotExceedTheLimit) {
  Framer f(1024);
  std::string lines;
  for (int i = 0; i < 200; ++i) lines += "data: 0123456789\n";
  EXPECT_FALSE(f.feed(lines, [](const Event&) {}));
}

TEST(SseFramer, ZeroCopyViewPointsIntoTheInput) {
  Framer f;
  const std::string text = "data: {\"a\":1}\n\n";
  const std::string in = text + std::string(64, '\0');  // the input and its padding
  const char* seen = nullptr;
  std::size_t after = 0;
  f.feed(std::string_view(in.data(), text.size()), in.data() + in.size(), [&](const Event& e) {
    seen = e.data.data();
    after = e.readable_after;
  });
  EXPECT_EQ(seen, in.data() + 6);
  EXPECT_EQ(after, 2u + 64u);
}

TEST(SseFramer, EverySplitOfEveryFixtureGivesTheSameEvents) {
  for (const std::string& name : test::fixture_names()) {
    const std::string resp = test::fixture(name);
    if (resp.find("text/event-stream") == std::string::npos) continue;
    const std::string body = test::dechunk(test::after_headers(resp));
    const Collected whole = feed_all(body);
    ASSERT_FALSE(whole.data.empty()) << name;
    Framer f;
    for (std::size_t cut = 0; cut <= body.size(); ++cut) {
      f.reset();
      const Collected split = feed_pieces(f, body, {cut});
      ASSERT_EQ(split.data, whole.data) << name << " cut at " << cut;
    }
  }
}

}  // namespace
}  // namespace llmbench::sse
