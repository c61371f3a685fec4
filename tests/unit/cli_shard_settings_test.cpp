// --shard, --shards with an orchestrator's environment, --start-at: what is
// accepted, what wins, and the one-line errors naming the flag or variable.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/cli/shard_settings.hpp"

namespace llmbench::cli {
namespace {

constexpr std::int64_t kNow = 1'767'366'245'000'000'000;  // 2026-01-02T15:04:05Z

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Settings with_shard(std::string shard, int shards = 0) {
  Settings s;
  s.shard = std::move(shard);
  s.shards = shards;
  return s;
}

TEST(ShardSettings, FlagGivesIndexAndCount) {
  const auto r = resolve_shard_settings(with_shard("2/4"), env_of({}), kNow);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->shard.index, 2u);
  EXPECT_EQ(r->shard.count, 4u);
  EXPECT_EQ(r->source, "--shard");
}

TEST(ShardSettings, BadFlagsAreOneLineErrorsNamingTheFlag) {
  for (const char* bad : {"4/4", "1", "a/4", "-1/4", "1/0", "1/4x", " 1/4", "1/"}) {
    const auto r = resolve_shard_settings(with_shard(bad), env_of({}), kNow);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find("--shard '"), std::string::npos) << r.error();
    EXPECT_EQ(r.error().find('\n'), std::string::npos);
  }
  const auto disagree = resolve_shard_settings(with_shard("1/4", 3), env_of({}), kNow);
  ASSERT_FALSE(disagree);
  EXPECT_NE(disagree.error().find("disagree"), std::string::npos);
}

TEST(ShardSettings, IndexedJobGivesTheIndexAndShardsTheCount) {
  const auto r = resolve_shard_settings(with_shard("", 3), env_of({{"JOB_COMPLETION_INDEX", "2"}}), kNow);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->shard.index, 2u);
  EXPECT_EQ(r->shard.count, 3u);
  EXPECT_EQ(r->source, "JOB_COMPLETION_INDEX");
  const auto out = resolve_shard_settings(with_shard("", 3), env_of({{"JOB_COMPLETION_INDEX", "3"}}), kNow);
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().find("JOB_COMPLETION_INDEX"), std::string::npos) << out.error();
  const auto junk = resolve_shard_settings(with_shard("", 3), env_of({{"JOB_COMPLETION_INDEX", "two"}}), kNow);
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().find("JOB_COMPLETION_INDEX='two'"), std::string::npos) << junk.error();
  const auto none = resolve_shard_settings(with_shard("", 3), env_of({}), kNow);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("--shards 3"), std::string::npos) << none.error();
}

TEST(ShardSettings, SlurmArrayAndTasks) {
  const auto arr = resolve_shard_settings(
      Settings{}, env_of({{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_MIN", "4"}, {"SLURM_ARRAY_TASK_COUNT", "4"}}),
      kNow);
  ASSERT_TRUE(arr) << arr.error();
  EXPECT_EQ(arr->shard.index, 1u);
  EXPECT_EQ(arr->shard.count, 4u);
  EXPECT_EQ(arr->source, "SLURM_ARRAY_TASK_ID");
  const auto tasks = resolve_shard_settings(Settings{}, env_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}}), kNow);
  ASSERT_TRUE(tasks) << tasks.error();
  EXPECT_EQ(tasks->shard.count, 2u);
  EXPECT_EQ(tasks->source, "SLURM_PROCID");
  // One task of one: not sharded at all.
  const auto single = resolve_shard_settings(Settings{}, env_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}}), kNow);
  ASSERT_TRUE(single);
  EXPECT_EQ(single->shard.count, 1u);
  const auto missing = resolve_shard_settings(Settings{}, env_of({{"SLURM_ARRAY_TASK_ID", "1"}}), kNow);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("SLURM_ARRAY_TASK_COUNT"), std::string::npos);
  // The flag wins over the environment.
  const auto flag = resolve_shard_settings(with_shard("0/2"), env_of({{"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}}), kNow);
  ASSERT_TRUE(flag);
  EXPECT_EQ(flag->shard.index, 0u);
}

TEST(ShardSettings, StartAtTakesRfc3339AndRelativeSeconds) {
  EXPECT_EQ(*parse_start_at("2026-01-02T15:04:05Z", kNow), kNow);
  EXPECT_EQ(*parse_start_at("2026-01-02T17:04:05.25+02:00", kNow), kNow + 250'000'000);
  EXPECT_EQ(*parse_start_at("2026-01-02t15:04:05.000000001z", kNow), kNow + 1);
  EXPECT_EQ(*parse_start_at("+1.5", kNow), kNow + 1'500'000'000);
  EXPECT_EQ(format_utc(kNow + 250'000'000), "2026-01-02T15:04:05.250000000Z");
  for (const char* bad : {"", "+", "+x", "+-1", "2026-01-02", "2026-01-02T15:04:05", "2026-13-02T15:04:05Z",
                          "2026-01-02T15:04:05+2", "2026-01-02T15:04:05.Z", "2026-01-04T15:04:05Z"}) {
    const auto r = parse_start_at(bad, kNow);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().rfind("--start-at '", 0), 0u) << r.error();
  }
}

TEST(ShardSettings, ShardedRunsMustBeSplittable) {
  Settings s;
  s.concurrency = 3;
  s.duration_s = 1;
  s.shard = "0/4";
  auto r = parse_settings(s, env_of({}), kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("concurrency 3 cannot be split over 4 shards"), std::string::npos) << r.error();
  s.concurrency = 4;
  EXPECT_TRUE(parse_settings(s, env_of({}), kNow));
  Settings spec;
  spec.shard = "0/2";
  r = parse_settings(spec, env_of({}), kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("load mode"), std::string::npos);
  Settings sweep;
  sweep.sweep = "auto";
  sweep.duration_s = 1;
  sweep.shard = "1/2";
  r = parse_settings(sweep, env_of({}), kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("--sweep auto"), std::string::npos);
}

}  // namespace
}  // namespace llmbench::cli
