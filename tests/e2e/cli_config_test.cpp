// --config and --dump-config: what one prints, the other reads back to the
// same settings; a bad file is named, with the field that is wrong.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

TEST(CliConfig, DumpConfigRoundTripsByteForByte) {
  TempDir dir;
  const RunResult first = run_llmbench({"--mock", "--mock-decode-tps", "750", "--runs", "3", "--prompts",
                                        "cache_loops,memory_bandwidth", "--max-tokens", "16", "--header",
                                        "X-Test: 1", "--dump-config"});
  ASSERT_EQ(first.code(), 0) << first.why();
  Json j;
  ASSERT_TRUE(j.parse(first.out, "--dump-config output"));
  EXPECT_EQ(integer(j.root(), "/runs"), 3);
  EXPECT_EQ(num(j.root(), "/mock_decode_tps"), 750.0);
  EXPECT_EQ(str(j.root(), "/prompts/1"), "memory_bandwidth");

  const std::string cfg = dir.file("scenario.json");
  write_file(cfg, first.out);
  const RunResult second = run_llmbench({"--config", cfg, "--dump-config"});
  ASSERT_EQ(second.code(), 0) << second.why();
  EXPECT_EQ(second.out, first.out);

  // A flag still overrides the file, and only its own field changes.
  const RunResult third = run_llmbench({"--config", cfg, "--runs", "4", "--dump-config"});
  ASSERT_EQ(third.code(), 0) << third.why();
  const std::vector<std::string> a = split_lines(first.out), b = split_lines(third.out);
  ASSERT_EQ(a.size(), b.size());
  int differing = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    ++differing;
    EXPECT_TRUE(contains(b[i], "\"runs\": 4")) << b[i];
  }
  EXPECT_EQ(differing, 1);
}

TEST(CliConfig, WrongTypeNamesFileAndField) {
  TempDir dir;
  const std::string cfg = dir.file("bad-type.json");
  write_file(cfg, "{\n  \"prompts\": [\"cache_loops\"],\n  \"runs\": \"five\"\n}\n");
  const RunResult r = run_llmbench({"--config", cfg, "--mock"});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_TRUE(contains(r.err, cfg)) << r.err;
  EXPECT_TRUE(contains(r.err, "runs")) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliConfig, UnknownFieldNamesFileAndField) {
  TempDir dir;
  const std::string cfg = dir.file("unknown-field.json");
  write_file(cfg, "{\"runs\": 2, \"max_tokenz\": 16}\n");
  const RunResult r = run_llmbench({"--config", cfg, "--mock"});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_TRUE(contains(r.err, cfg)) << r.err;
  EXPECT_TRUE(contains(r.err, "max_tokenz")) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliConfig, MissingOrMalformedFileIsAUsageError) {
  TempDir dir;
  const std::string missing = dir.file("missing.json");
  RunResult r = run_llmbench({"--config", missing, "--mock"});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_TRUE(contains(r.err, missing)) << r.err;

  const std::string broken = dir.file("broken.json");
  write_file(broken, "{\"runs\": 2,");
  r = run_llmbench({"--config", broken, "--mock"});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_TRUE(contains(r.err, broken)) << r.err;
}

TEST(CliConfig, ConfigFileDrivesARun) {
  TempDir dir;
  const std::string cfg = dir.file("run.json");
  const std::string out = dir.file("results.json");
  write_file(cfg, "{\"mock\": true, \"mock_decode_tps\": 1000, \"max_tokens\": 16, \"runs\": 2, \"warmup\": 0,"
                  " \"prompts\": \"cache_loops\", \"output\": \"" + out + "\"}\n");
  const RunResult r = run_llmbench({"--config", cfg});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(array_size(j.root(), "/prompts/cache_loops/results"), 2u);
  EXPECT_EQ(integer(j.root(), "/prompts/cache_loops/results/0/completion_tokens"), 16);
  EXPECT_EQ(integer(j.root(), "/config/runs"), 2);
}

}  // namespace
}  // namespace llmbench::e2e
