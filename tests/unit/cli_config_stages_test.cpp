// A config file's "stages": a step profile with a load per stage, read back
// from --dump-config, and each bad entry one line naming its index and key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/cli/stage_settings.hpp"

namespace llmbench::cli {
namespace {

std::string write_temp(const std::string& content) {
  char path[] = "/tmp/llmbench-stages-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  ::close(fd);
  return path;
}

Expected<std::vector<StagePlan>> stages_of(const std::string& text) {
  const std::string path = write_temp(text);
  Settings s;
  const auto loaded = load_config_file(path, s);
  std::remove(path.c_str());
  if (!loaded) return Unexpected(loaded.error());
  const auto p = parse_settings(s);
  if (!p) return Unexpected(p.error());
  return p->config_stages;
}

TEST(ConfigStages, AStepProfileBecomesOneStagePerEntry) {
  const auto st = stages_of(R"({"warmup_s": 2, "stages": [
      {"concurrency": 4, "duration": 30},
      {"rate": 10, "duration": 60, "cooldown": 5},
      {"ramp": "rate=10..40", "ramp_shape": "exponential", "duration": 20, "warmup": 0},
      {"concurrency": 8, "requests": 100}]})");
  ASSERT_TRUE(st) << st.error();
  ASSERT_EQ(st->size(), 4u);
  EXPECT_EQ((*st)[0].mode, LoadMode::closed);
  EXPECT_EQ((*st)[0].concurrency, 4);
  EXPECT_DOUBLE_EQ((*st)[0].duration_s, 30);
  EXPECT_DOUBLE_EQ((*st)[0].warmup_s, 2);  // the run's warm-up
  EXPECT_EQ((*st)[1].mode, LoadMode::open);
  EXPECT_DOUBLE_EQ((*st)[1].rate_rps, 10);
  EXPECT_DOUBLE_EQ((*st)[1].cooldown_s, 5);
  ASSERT_TRUE((*st)[2].ramp);
  EXPECT_EQ((*st)[2].ramp->shape, RampShape::exponential);
  EXPECT_DOUBLE_EQ((*st)[2].ramp->to, 40);
  EXPECT_DOUBLE_EQ((*st)[2].warmup_s, 0);  // its own
  EXPECT_EQ((*st)[2].label, "ramp rate=10..40");
  EXPECT_EQ((*st)[3].requests, 100u);
}

TEST(ConfigStages, DumpedStagesLoadBack) {
  Settings s;
  s.stages = {StageSetting{4, 0, "", "", 30, 0, -1, -1}, StageSetting{0, 0, "concurrency=1..8", "linear", 10, 0, 1, -1}};
  const std::string json = settings_to_json(s);
  const std::string path = write_temp(json);
  Settings back;
  const auto loaded = load_config_file(path, back);
  std::remove(path.c_str());
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(settings_to_json(back), json);
  ASSERT_EQ(back.stages.size(), 2u);
  EXPECT_EQ(back.stages[1].ramp, "concurrency=1..8");
  EXPECT_DOUBLE_EQ(back.stages[1].warmup_s, 1);
}

TEST(ConfigStages, BadEntriesNameTheirIndexAndKey) {
  const struct {
    std::string text, says;
  } cases[] = {
      {R"({"stages": [{"concurrency": 2, "duration": 1}, {"rate": "x", "duration": 1}]})", "stages[1].rate: expected a number"},
      {R"({"stages": [{"concurrency": 2, "duration": 1, "speed": 3}]})", "stages[0].speed: unknown key"},
      {R"({"stages": [{"concurrency": -2, "duration": 1}]})", "stages[0].concurrency: expected a whole number of clients"},
      {R"({"stages": [{"rate": 2, "duration": -1}]})", "stages[0].duration: expected a number of 0 or more"},
      {R"({"stages": [{"concurrency": 2, "duration": 1}, 7]})", "stages[1]: expected an object"},
      {R"({"stages": {"rate": 2}})", "field \"stages\": expected an array"},
      {R"({"stages": []})", "expected at least one stage"},
      {R"({"stages": [{"rate": 2, "concurrency": 3, "duration": 1}]})", "stages[0]: expected exactly one of"},
      {R"({"stages": [{"duration": 1}]})", "stages[0]: expected exactly one of"},
      {R"({"stages": [{"rate": 2}]})", "stages[0]: needs a bound"},
      {R"({"stages": [{"ramp": "rate=5", "duration": 1}]})", "stages[0].ramp: --ramp 'rate=5'"},
      {R"({"stages": [{"rate": 3, "ramp_shape": "linear", "duration": 1}]})", "stages[0].ramp_shape: needs \"ramp\""},
      {R"({"rate": 3, "stages": [{"rate": 2, "duration": 1}]})", "\"stages\" and --rate"},
  };
  for (const auto& c : cases) {
    const auto st = stages_of(c.text);
    ASSERT_FALSE(st) << c.text;
    EXPECT_NE(st.error().find(c.says), std::string::npos) << st.error();
    EXPECT_EQ(st.error().find('\n'), std::string::npos) << st.error();
  }
}

TEST(ConfigStages, ShardsSplitEachClosedStageOrSayWhichCannot) {
  const auto sharded = [](const std::string& text) {
    const std::string path = write_temp(text);
    Settings s;
    const auto loaded = load_config_file(path, s);
    std::remove(path.c_str());
    EXPECT_TRUE(loaded) << loaded.error();
    s.shard = "0/2";
    return parse_settings(s);
  };
  EXPECT_TRUE(sharded(R"({"stages": [{"concurrency": 4, "duration": 1}, {"rate": 1, "duration": 1}]})"));
  const auto small = sharded(R"({"stages": [{"concurrency": 4, "duration": 1}, {"concurrency": 1, "duration": 1}]})");
  ASSERT_FALSE(small);
  EXPECT_NE(small.error().find("stages[1] (concurrency 1, requests 0) cannot be split over 2 shards"), std::string::npos)
      << small.error();
  const auto ramp = sharded(R"({"stages": [{"ramp": "concurrency=2..8", "duration": 1}]})");
  ASSERT_FALSE(ramp);
  EXPECT_NE(ramp.error().find("stages[0] is a concurrency ramp"), std::string::npos) << ramp.error();
}

}  // namespace
}  // namespace llmbench::cli
