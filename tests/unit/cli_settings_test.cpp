// The settings table: config files, --dump-config round trips, validation
// messages, sweep and SLO syntax.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "llmbench/cli/options.hpp"
#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/cli/settings.hpp"

namespace llmbench::cli {
namespace {

std::string write_temp(const std::string& content) {
  char path[] = "/tmp/llmbench-config-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  const auto n = ::write(fd, content.data(), content.size());
  EXPECT_EQ(n, static_cast<ssize_t>(content.size()));
  ::close(fd);
  return path;
}

TEST(Settings, DumpedConfigLoadsBackToTheSameSettings) {
  Settings s;
  s.port = 8080;
  s.runs = 3;
  s.prompts = {"cache_loops", "memory_bandwidth"};
  s.concurrency = 16;
  s.duration_s = 12.5;
  s.seed = 99;
  s.stream = false;
  s.sweep = "concurrency=1,2,4";
  const std::string json = settings_to_json(s);
  const std::string path = write_temp(json);
  Settings back;
  const auto fields = load_config_file(path, back);
  ASSERT_TRUE(fields) << fields.error();
  EXPECT_EQ(settings_to_json(back), json);
  EXPECT_EQ(back.prompts, s.prompts);
  EXPECT_EQ(fields->size(), settings_table().size());
  std::remove(path.c_str());
}

TEST(Settings, ConfigErrorsNameTheFileLineFieldAndExpectation) {
  struct Case {
    std::string text, must_contain;
  } cases[] = {
      {"{\n  \"runs\": \"five\"\n}", ":2: field \"runs\": expected an integer"},
      {"{\"rnus\": 5}", "unknown field \"rnus\""},
      {"{\"stream\": 1}", "field \"stream\": expected true or false"},
      {"[1, 2]", "expected a JSON object"},
      {"{\"port\": 80", "not valid JSON"},
      {"  \n", "the file is empty"},
      {"{\"prompts\": [1]}", "expected an array of strings"},
      {"{\"seed\": -1}", "expected a non-negative integer"},
  };
  for (const Case& c : cases) {
    const std::string path = write_temp(c.text);
    Settings s;
    const auto loaded = load_config_file(path, s);
    ASSERT_FALSE(loaded) << c.text;
    const std::string& error = loaded.error();
    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_NE(error.find(c.must_contain), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << "one line: " << error;
    std::remove(path.c_str());
  }
}

TEST(Settings, SecretHeadersAreRedactedInTheEcho) {
  Settings s;
  s.headers = {"Authorization: Bearer sk-very-secret", "X-Trace: 42", "X-Api-Key: abc123"};
  const std::string json = settings_to_json(s);
  EXPECT_EQ(json.find("sk-very-secret"), std::string::npos);
  EXPECT_EQ(json.find("abc123"), std::string::npos);
  EXPECT_NE(json.find("X-Trace: 42"), std::string::npos);
}

TEST(Validate, UnknownPromptKeyListsTheValidKeys) {
  Settings s;
  s.prompts = {"memory_sequential", "bogus"};
  const auto parsed = parse_settings(s);
  ASSERT_FALSE(parsed);
  const std::string& error = parsed.error();
  EXPECT_NE(error.find("'bogus'"), std::string::npos);
  for (const char* key : {"memory_sequential", "cache_loops", "compute_arithmetic", "memory_structured",
                          "throughput_sustained", "memory_bandwidth"}) {
    EXPECT_NE(error.find(key), std::string::npos) << key;
  }
}

TEST(Validate, RejectsContradictionsWithTheFlagNamed) {
  const auto check = [](auto mutate, const char* flag) {
    Settings s;
    mutate(s);
    const auto parsed = parse_settings(s);
    ASSERT_FALSE(parsed) << flag;
    EXPECT_NE(parsed.error().find(flag), std::string::npos) << parsed.error();
  };
  check([](Settings& s) { s.port = 70000; }, "--port");
  check([](Settings& s) { s.runs = 0; }, "--runs");
  check([](Settings& s) { s.timeout_s = 0; }, "--timeout");
  check([](Settings& s) { s.endpoint = "grpc"; }, "--endpoint");
  check([](Settings& s) { s.concurrency = 2; s.rate = 3; s.requests = 5; }, "--concurrency and --rate");
  check([](Settings& s) { s.concurrency = 2; }, "--requests");
  check([](Settings& s) { s.arrival = "uniform"; }, "--arrival");
  check([](Settings& s) { s.sweep = "threads=1,2"; s.duration_s = 1; }, "--sweep");
  check([](Settings& s) { s.slo = "ttft=5"; }, "--slo");
  check([](Settings& s) { s.headers = {"NoColon"}; }, "--header");
  check([](Settings& s) { s.mock_config.fault = "explode"; }, "--mock-fault");
  check([](Settings& s) { s.mock_config.slots = 0; }, "--mock-slots");
  check([](Settings& s) { s.url = "ftp://x"; }, "--url");
  check([](Settings& s) { s.timestamps = "hardware"; }, "--timestamps");
  check([](Settings& s) { s.cache_prompt = "maybe"; }, "--cache-prompt");
  check([](Settings& s) { s.erase_slots = true; s.concurrency = 2; s.requests = 4; }, "--erase-slots");
  check([](Settings& s) { s.concurrency = 2; s.requests = 4; s.prefix_tokens = 100; }, "--prefix-tokens needs --input-tokens");
  check([](Settings& s) { s.concurrency = 2; s.requests = 4; s.input_tokens = "50"; s.prefix_groups = 2; },
        "--prefix-groups needs --prefix-tokens");
  check([](Settings& s) { s.concurrency = 2; s.requests = 4; s.input_tokens = "50"; s.prefix_tokens = 10; s.prefix_groups = 0; },
        "--prefix-groups 0");
  check([](Settings& s) { s.concurrency = 2; s.requests = 4; s.input_tokens = "50"; s.prefix_tokens = -3; },
        "--prefix-tokens -3");
  Settings ok;
  const auto parsed = parse_settings(ok);
  EXPECT_TRUE(parsed) << parsed.error();
}

TEST(Validate, SessionFlagsNeedEachOtherAndNameWhatWasWrong) {
  const auto check = [](auto mutate, const char* flag) {
    Settings s;
    s.concurrency = 2;
    s.requests = 8;
    mutate(s);
    const auto parsed = parse_settings(s);
    ASSERT_FALSE(parsed) << flag;
    EXPECT_NE(parsed.error().find(flag), std::string::npos) << parsed.error();
  };
  check([](Settings& s) { s.input_tokens = "50"; s.think_time = "1"; }, "--think-time needs --turns");
  check([](Settings& s) { s.input_tokens = "50"; s.max_history_tokens = 100; }, "--max-history-tokens needs --turns");
  check([](Settings& s) { s.turns = 3; }, "--turns needs --input-tokens");
  check([](Settings& s) { s.input_tokens = "50"; s.turns = 300; }, "--turns 300");
  check([](Settings& s) { s.input_tokens = "50"; s.turns = -1; }, "--turns -1");
  check([](Settings& s) { s.input_tokens = "50"; s.turns = 2; s.think_time = "soon"; }, "--think-time 'soon'");
  check([](Settings& s) { s.input_tokens = "50"; s.turns = 2; s.think_time = "1:-2"; }, "--think-time '1:-2'");
  check([](Settings& s) { s.input_tokens = "50"; s.turns = 2; s.max_history_tokens = -5; }, "--max-history-tokens");
  check([](Settings& s) { s.input_tokens = "50"; s.turns = 2; s.endpoint = "embeddings"; }, "--turns: --endpoint");
  check([](Settings& s) { s.input_tokens = "50"; s.turns = 2; s.model = "a=1,b=1"; }, "cannot be combined with --turns");
  Settings s;
  s.concurrency = 2;
  s.requests = 8;
  s.input_tokens = "50";
  s.turns = 4;
  s.think_time = "0.5:0.25";
  s.max_history_tokens = 2000;
  const auto parsed = parse_settings(s);
  ASSERT_TRUE(parsed) << parsed.error();
  ASSERT_TRUE(parsed->session);
  EXPECT_EQ(parsed->session->turns, 4);
  EXPECT_DOUBLE_EQ(parsed->session->think_s.mean, 0.5);
  EXPECT_DOUBLE_EQ(parsed->session->think_s.stddev, 0.25);
  EXPECT_EQ(parsed->session->max_history_tokens, 2000u);
}

// --cache-prompt: on and off are sent, nothing leaves the server's default.
TEST(Validate, CachePromptParsesOnOffAndUnset) {
  Settings s;
  auto parsed = parse_settings(s);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_FALSE(parsed->cache_prompt.has_value());
  s.cache_prompt = "off";
  parsed = parse_settings(s);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->cache_prompt, std::optional<bool>(false));
  s.cache_prompt = "on";
  s.erase_slots = true;  // spec mode: allowed
  parsed = parse_settings(s);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->cache_prompt, std::optional<bool>(true));
}

// Kernel receive timestamps unless asked otherwise; the plan carries the choice.
TEST(Validate, TimestampsDefaultToKernelAndParseUser) {
  Settings s;
  auto parsed = parse_settings(s);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->timestamps, http::ReadTimestamps::kernel);
  s.timestamps = "user";
  parsed = parse_settings(s);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->timestamps, http::ReadTimestamps::user);
}

TEST(Sweep, ParsesListsAndAuto) {
  auto sw = parse_sweep("concurrency=1,2,4,8");
  ASSERT_TRUE(sw) << sw.error();
  EXPECT_EQ(sw->kind, SweepSpec::Kind::concurrency);
  EXPECT_EQ(sw->values, (std::vector<double>{1, 2, 4, 8}));
  sw = parse_sweep("rate=0.5,2");
  ASSERT_TRUE(sw);
  EXPECT_EQ(sw->kind, SweepSpec::Kind::rate);
  sw = parse_sweep("auto");
  ASSERT_TRUE(sw);
  EXPECT_EQ(sw->kind, SweepSpec::Kind::automatic);
  for (const char* bad : {"concurrency=", "concurrency=1,,2", "concurrency=1.5", "rate=-1", "rate=x", "auto2"}) {
    EXPECT_FALSE(parse_sweep(bad)) << bad;
  }
}

TEST(Slo, ParsesEveryBound) {
  const auto slo = parse_slo("ttft_ms=500,tpot_ms=50,e2e_ms=10000");
  ASSERT_TRUE(slo) << slo.error();
  EXPECT_EQ(slo->ttft_ms, 500);
  EXPECT_EQ(slo->tpot_ms, 50);
  EXPECT_EQ(slo->e2e_ms, 10000);
  EXPECT_TRUE(slo->any());
  EXPECT_FALSE(parse_slo("ttft_ms=0"));
  EXPECT_FALSE(parse_slo("latency=5"));
  EXPECT_FALSE(parse_slo("ttft_ms=5ms"));
}

}  // namespace
}  // namespace llmbench::cli
