// --trace beside the other load flags: what is refused, with the flag named.
#include <gtest/gtest.h>

#include <string>

#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/cli/trace_settings.hpp"

namespace llmbench::cli {
namespace {

const std::string kExample = std::string(LLMBENCH_SOURCE_DIR) + "/bench_configs/trace-mooncake.jsonl";

std::string error_of(const Settings& s) {
  const auto r = resolve_trace(s);
  EXPECT_FALSE(r);
  return r ? std::string() : r.error();
}

TEST(TraceSettings, ReadsTheShippedExamples) {
  Settings s;
  s.trace = kExample;
  s.trace_speed = 4;
  s.trace_window = "1:2";
  const auto r = resolve_trace(s);
  ASSERT_TRUE(r) << r.error();
  ASSERT_TRUE(r->has_value());
  const TraceReplay& t = **r;
  EXPECT_EQ(t.format, TraceFormat::mooncake);
  EXPECT_EQ(t.rows_in_file, 40u);
  ASSERT_FALSE(t.rows.empty());
  EXPECT_LT(t.rows.size(), 40u);
  EXPECT_LT(t.rows.back().at_ns, 250'000'000);  // inside 1 s of trace at 4x
  s = Settings{};
  s.trace = std::string(LLMBENCH_SOURCE_DIR) + "/bench_configs/trace-azure.csv";
  const auto azure = resolve_trace(s);
  ASSERT_TRUE(azure) << azure.error();
  EXPECT_EQ((*azure)->format, TraceFormat::azure);
  EXPECT_EQ((*azure)->rows.size(), 40u);
}

TEST(TraceSettings, FlagsThatSetTheLoadAreRefusedByName) {
  const auto with = [](auto set) {
    Settings s;
    s.trace = kExample;
    set(s);
    return error_of(s);
  };
  EXPECT_NE(with([](Settings& s) { s.rate = 5; }).find("--trace and --rate"), std::string::npos);
  EXPECT_NE(with([](Settings& s) { s.concurrency = 2; }).find("--trace and --concurrency"), std::string::npos);
  EXPECT_NE(with([](Settings& s) { s.duration_s = 10; }).find("--trace and --duration"), std::string::npos);
  EXPECT_NE(with([](Settings& s) { s.arrival = "gamma"; }).find("--trace and --arrival"), std::string::npos);
  EXPECT_NE(with([](Settings& s) { s.sweep = "rate=1,2"; }).find("--trace and --sweep"), std::string::npos);
  EXPECT_NE(with([](Settings& s) { s.input_tokens = "100"; }).find("--trace and --input-tokens"), std::string::npos);
  EXPECT_NE(with([](Settings& s) { s.max_tokens = 9; }).find("--trace and --max-tokens"), std::string::npos);
  EXPECT_NE(with([](Settings& s) { s.trace_speed = 0; }).find("--trace-speed"), std::string::npos);
  EXPECT_NE(with([](Settings& s) { s.trace_window = "3"; }).find("--trace-window '3'"), std::string::npos);
  EXPECT_NE(with([](Settings& s) { s.trace_window = "100:200"; }).find("no arrivals inside --trace-window 100:200"),
            std::string::npos);
}

TEST(TraceSettings, TraceOptionsNeedATrace) {
  Settings s;
  s.trace_speed = 2;
  EXPECT_EQ(error_of(s), "--trace-speed needs --trace FILE");
  s = Settings{};
  s.trace_window = "0:1";
  EXPECT_EQ(error_of(s), "--trace-window needs --trace FILE");
}

TEST(TraceSettings, ATraceIsALoadRunThatShardsAsAnOpenLoop) {
  Settings s;
  s.trace = kExample;
  s.shard = "1/3";
  const auto p = parse_settings(s, [](const char*) -> std::optional<std::string> { return std::nullopt; }, 0);
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->load_mode);
  ASSERT_TRUE(p->trace);
  EXPECT_EQ(p->trace->rows.size(), 40u);
}

TEST(TraceSettings, ABadFileFailsWhileParsingFlags) {
  Settings s;
  s.trace = "/nonexistent/t.jsonl";
  const auto p = parse_settings(s, [](const char*) -> std::optional<std::string> { return std::nullopt; }, 0);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().rfind("/nonexistent/t.jsonl: cannot read trace", 0), 0u) << p.error();
}

}  // namespace
}  // namespace llmbench::cli
