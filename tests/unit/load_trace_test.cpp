// Trace replay: the Mooncake and Azure parsers (fixtures inline), their
// one-line errors, --trace-window and --trace-speed, and the prompt blocks
// that shared hash ids share.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "llmbench/load/schedule.hpp"
#include "llmbench/load/trace.hpp"

namespace llmbench {
namespace {

constexpr std::int64_t kMs = 1'000'000;

const char* const kMooncake =
    "{\"timestamp\": 1000, \"input_length\": 700, \"output_length\": 12, \"hash_ids\": [1, 2]}\n"
    "\n"
    "{\"timestamp\": 1250, \"input_length\": 300, \"output_length\": 5, \"hash_ids\": [1]}\r\n"
    "{\"timestamp\": 3000, \"input_length\": 40, \"output_length\": 7}\n";

const char* const kAzure =
    "TIMESTAMP,ContextTokens,GeneratedTokens\n"
    "2023-11-16 18:15:46.6805900,4808,10\n"
    "2023-11-16 18:15:47.0000000,120,64\r\n"
    "2023-11-16 18:16:00.5,33,1\n";

Trace parsed(const std::string& text) {
  auto t = parse_trace(text, "t.txt");
  EXPECT_TRUE(t) << (t ? std::string() : t.error());
  return t ? *t : Trace{};
}

// A bad trace: one line, naming the file (and the line where there is one).
std::string error_of(const std::string& text) {
  auto t = parse_trace(text, "bad.trace");
  EXPECT_FALSE(t);
  const std::string e = t ? std::string() : t.error();
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  EXPECT_EQ(e.rfind("bad.trace:", 0), 0u) << e;
  return e;
}

TEST(TraceMooncake, ParsesRowsFromTheFirstArrival) {
  const Trace t = parsed(kMooncake);
  EXPECT_EQ(t.format, TraceFormat::mooncake);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].at_ns, 0);
  EXPECT_EQ(t.rows[1].at_ns, 250 * kMs);
  EXPECT_EQ(t.rows[2].at_ns, 2000 * kMs);
  EXPECT_EQ(t.rows[0].input_tokens, 700u);
  EXPECT_EQ(t.rows[0].output_tokens, 12u);
  EXPECT_EQ(t.rows[0].hash_ids, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_TRUE(t.rows[2].hash_ids.empty());
}

TEST(TraceMooncake, MalformedRowsNameTheLine) {
  EXPECT_NE(error_of("{\"timestamp\": 1, \"input_length\": 5, \"output_length\": 1}\n{oops\n").find("bad.trace:2: not valid JSON"),
            std::string::npos);
  EXPECT_NE(error_of("{\"input_length\": 5, \"output_length\": 1}").find(":1: missing \"timestamp\""), std::string::npos);
  EXPECT_NE(error_of("{\"timestamp\": -5, \"input_length\": 5, \"output_length\": 1}").find("\"timestamp\" must be a number of milliseconds from 0"), std::string::npos);
  EXPECT_NE(error_of("{\"timestamp\": 1, \"output_length\": 1}").find("missing \"input_length\""), std::string::npos);
  EXPECT_NE(error_of("{\"timestamp\": 1, \"input_length\": 0, \"output_length\": 1}").find("\"input_length\" must be"),
            std::string::npos);
  EXPECT_NE(error_of("{\"timestamp\": 1, \"input_length\": 5, \"output_length\": 2.5}").find("\"output_length\" must be"),
            std::string::npos);
  EXPECT_NE(error_of("{\"timestamp\": 1, \"input_length\": 5, \"output_length\": 1, \"hash_ids\": [\"a\"]}").find("hash_ids"),
            std::string::npos);
  EXPECT_NE(error_of("[1, 2]").find("unknown trace format"), std::string::npos);
}

TEST(TraceMooncake, TimestampsGoingBackAreRefusedAtTheirLine) {
  const std::string e = error_of(
      "{\"timestamp\": 10, \"input_length\": 5, \"output_length\": 1}\n"
      "{\"timestamp\": 9, \"input_length\": 5, \"output_length\": 1}\n");
  EXPECT_NE(e.find("bad.trace:2: timestamp goes back in time"), std::string::npos) << e;
}

TEST(TraceAzure, ParsesDateTimesRelativeToTheFirstRow) {
  const Trace t = parsed(kAzure);
  EXPECT_EQ(t.format, TraceFormat::azure);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].at_ns, 0);
  EXPECT_EQ(t.rows[1].at_ns, 319'410'000);  // 47.0 - 46.68059 s
  EXPECT_EQ(t.rows[2].at_ns, 13'819'410'000);
  EXPECT_EQ(t.rows[0].input_tokens, 4808u);
  EXPECT_EQ(t.rows[1].output_tokens, 64u);
}

TEST(TraceAzure, CrossesMidnightAndMonthEnds) {
  const Trace t = parsed(
      "TIMESTAMP,ContextTokens,GeneratedTokens\n"
      "2024-02-28 23:59:59.5,10,1\n"
      "2024-03-01 00:00:00.5,10,1\n");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[1].at_ns, (86400LL + 1) * 1'000'000'000);  // 2024 is a leap year
}

TEST(TraceAzure, MalformedRowsNameTheLine) {
  const std::string h = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
  EXPECT_NE(error_of(h + "2023-11-16 18:15:46,10\n").find("bad.trace:2: expected 3 fields"), std::string::npos);
  EXPECT_NE(error_of(h + "2023-11-16 18:15:46,10,1\nyesterday,10,1\n").find("bad.trace:3: TIMESTAMP 'yesterday'"),
            std::string::npos);
  EXPECT_NE(error_of(h + "2023-13-16 18:15:46,10,1\n").find("TIMESTAMP"), std::string::npos);
  EXPECT_NE(error_of(h + "2023-11-16 18:15:46.-5,10,1\n").find(":2: TIMESTAMP"), std::string::npos);
  EXPECT_NE(error_of(h + "2023-11-16 18:15:46,ten,1\n").find(":2: ContextTokens"), std::string::npos);
  EXPECT_NE(error_of(h + "9999-11-16 18:15:46,10,1\n").find(":2: TIMESTAMP"), std::string::npos);  // past int64 ns
  EXPECT_NE(error_of(h + "2023-11-16 18:15:46,10,-1\n").find(":2: GeneratedTokens"), std::string::npos);
  EXPECT_NE(error_of(h + "2023-11-16 18:15:46,10,1\n2023-11-16 18:15:45,10,1\n").find(":3: timestamp goes back"),
            std::string::npos);
  EXPECT_NE(error_of(h).find("no rows"), std::string::npos);
  EXPECT_NE(error_of("time,in,out\n1,2,3\n").find("bad.trace:1: unknown trace format"), std::string::npos);
  EXPECT_NE(error_of("  \n\n").find("empty"), std::string::npos);
}

TEST(TraceLoad, MissingFileIsOneLineNamingIt) {
  const auto t = load_trace("/nonexistent/trace.jsonl");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().rfind("/nonexistent/trace.jsonl: cannot read trace", 0), 0u) << t.error();
}

TEST(TraceWindow, ParsesBothEndsOrEither) {
  auto w = parse_trace_window("1.5:4");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->start_s, 1.5);
  EXPECT_EQ(w->end_s, 4.0);
  w = parse_trace_window("2:");
  ASSERT_TRUE(w);
  EXPECT_FALSE(w->end_s);
  w = parse_trace_window(":3");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->start_s, 0);
  for (const char* bad : {"", "3", ":", "4:2", "2:2", "-1:3", "a:b", "1:2x"}) {
    EXPECT_FALSE(parse_trace_window(bad)) << bad;
  }
}

TEST(TraceWindow, KeepsArrivalsInsideRebasedAndSpedUp) {
  const Trace t = parsed(kMooncake);  // arrivals at 0, 0.25, 2 s
  auto rows = select_trace_rows(t, "t", TraceWindow{0.1, 3.0}, 1.0);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].at_ns, 150 * kMs);   // 0.25 s - the window's 0.1 s
  EXPECT_EQ((*rows)[1].at_ns, 1900 * kMs);
  EXPECT_EQ((*rows)[1].output_tokens, 7u);
  rows = select_trace_rows(t, "t", TraceWindow{}, 2.0);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1].at_ns, 125 * kMs);
  EXPECT_EQ((*rows)[2].at_ns, 1000 * kMs);
  rows = select_trace_rows(t, "t", TraceWindow{0, 2.0}, 1.0);  // the end is exclusive
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 2u);
}

TEST(TraceWindow, AWindowOutsideTheTraceIsAnError) {
  const Trace t = parsed(kMooncake);
  const auto rows = select_trace_rows(t, "x.jsonl", TraceWindow{5, 9.0}, 1.0);
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().rfind("x.jsonl: no arrivals inside --trace-window 5:9", 0), 0u) << rows.error();
  EXPECT_NE(rows.error().find("span 0 to 2 s"), std::string::npos) << rows.error();
}

TEST(TraceSchedule, EveryArrivalIsMeasuredAtItsTime) {
  const OpenSchedule o = make_trace_schedule({0, 5, 5, 90});
  EXPECT_EQ(o.at_ns, (std::vector<std::int64_t>{0, 5, 5, 90}));
  EXPECT_EQ(o.measured_begin, 0u);
  EXPECT_EQ(o.measured_end, 4u);
  EXPECT_EQ(o.phase_of(3), Phase::measured);
}

std::size_t words(const std::string& s) { return s.empty() ? 0 : 1 + static_cast<std::size_t>(std::count(s.begin(), s.end(), ' ')); }

TEST(TracePrompts, EqualHashIdsGiveIdenticalBlocks) {
  TraceRow a{0, 1024 + 100, 1, {7, 8, 9}};
  TraceRow b{0, 1024 + 300, 1, {7, 8, 10}};
  const std::string pa = trace_prompt_text(a, 0, 42, 1.0);
  const std::string pb = trace_prompt_text(b, 1, 42, 1.0);
  EXPECT_EQ(words(pa), 1124u);
  EXPECT_EQ(words(pb), 1324u);
  // Blocks 7 and 8 are shared: the first 1024 words (and the space after) are equal...
  std::size_t common = 0;
  while (common < pa.size() && common < pb.size() && pa[common] == pb[common]) ++common;
  EXPECT_GE(words(pa.substr(0, common)), 1024u);
  // ... and blocks 9 and 10 differ soon after.
  EXPECT_LT(words(pa.substr(0, common)), 1024u + 20);
  // The same id and seed give the same text at any row; a cut block is a prefix of the whole.
  const std::string short_a = trace_prompt_text(TraceRow{0, 100, 1, {7}}, 5, 42, 1.0);
  EXPECT_EQ(pa.rfind(short_a, 0), 0u);
  EXPECT_EQ(words(short_a), 100u);
}

TEST(TracePrompts, DifferentIdsSeedsAndRowsDiffer) {
  const TraceRow one{0, 512, 1, {1}};
  const TraceRow two{0, 512, 1, {2}};
  EXPECT_NE(trace_prompt_text(one, 0, 1, 1.0), trace_prompt_text(two, 0, 1, 1.0));
  EXPECT_NE(trace_prompt_text(one, 0, 1, 1.0), trace_prompt_text(one, 0, 2, 1.0));
  const TraceRow plain{0, 64, 1, {}};
  EXPECT_NE(trace_prompt_text(plain, 0, 1, 1.0), trace_prompt_text(plain, 1, 1, 1.0));
  EXPECT_EQ(words(trace_prompt_text(plain, 3, 1, 1.0)), 64u);
  EXPECT_EQ(words(trace_prompt_text(plain, 3, 1, 0.5)), 32u);  // calibrated: half a word per token
  // Tokens past the last hash id's block are the row's own.
  EXPECT_EQ(words(trace_prompt_text(TraceRow{0, 600, 1, {1}}, 0, 1, 1.0)), 600u);
}

// With a counter (here: words + 3 template tokens), every row is fitted to
// exactly its input length, and rows sharing hash ids still share their
// blocks' text: the shorter row's text is the start of the longer one's.
TEST(TracePrompts, FittedRowsAreExactAndStillShareTheirBlocks) {
  int counts = 0;
  const TokenCounter counter = [&counts](const std::string& s) -> std::optional<std::uint32_t> {
    ++counts;
    return static_cast<std::uint32_t>(std::count(s.begin(), s.end(), ' ') + 1 + 3);
  };
  TraceRow a;
  a.input_tokens = 1124;
  a.hash_ids = {7, 8, 9};
  TraceRow b;
  b.input_tokens = 700;
  b.hash_ids = {7, 8};
  TraceRow c;
  c.input_tokens = 300;
  const FittedText fa = fitted_trace_prompt(a, 0, 1, 1.0, counter);
  const FittedText fb = fitted_trace_prompt(b, 1, 1, 1.0, counter);
  const FittedText fc = fitted_trace_prompt(c, 2, 1, 1.0, counter);
  ASSERT_TRUE(fa.count && fb.count && fc.count);
  EXPECT_EQ(*fa.count, 1124u);
  EXPECT_EQ(*fb.count, 700u);
  EXPECT_EQ(*fc.count, 300u);
  EXPECT_EQ(*counter(fa.text), 1124u);
  EXPECT_TRUE(fa.text.starts_with(fb.text)) << "row b's blocks 7 and 8 are not row a's";
  EXPECT_LT(counts, 40) << "a handful of counts per row";
  // Without the counter's help a row is what trace_prompt_text draws.
  const FittedText none = fitted_trace_prompt(b, 1, 1, 1.0, [](const std::string&) { return std::optional<std::uint32_t>{}; });
  EXPECT_FALSE(none.count);
  EXPECT_EQ(none.text, trace_prompt_text(b, 1, 1, 1.0)) << "not the blocks and one word";
}

}  // namespace
}  // namespace llmbench
