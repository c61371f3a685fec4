#pragma once
// Which shard this process is (--shard I/N, --shards N with the index from
// an orchestrator's environment) and when the stages start (--start-at).
//
// The orchestrators we run under, not ours to write: a Kubernetes Indexed Job
// gives each pod JOB_COMPLETION_INDEX (0..N-1; N is not in the environment,
// hence --shards N); a Slurm job array gives SLURM_ARRAY_TASK_ID and
// SLURM_ARRAY_TASK_COUNT (with SLURM_ARRAY_TASK_MIN when the array does not
// start at 0); srun tasks get SLURM_PROCID and SLURM_NTASKS. A flag wins over
// the environment; the environment is only read when no --shard is given.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "llmbench/cli/settings.hpp"
#include "llmbench/load/plan.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::cli {

// The environment, as a function so tests can give their own.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup process_env();

struct ShardSettings {
  ShardPlan shard;                        // {0, 1} when not sharded
  std::string source;                     // "--shard", "JOB_COMPLETION_INDEX", ... ("" when not sharded)
  std::optional<std::int64_t> start_at_unix_ns;  // --start-at, on CLOCK_REALTIME
  std::string start_at_utc;               // the same instant as RFC 3339 UTC, for the results
};

// One-line errors naming the flag or the variable.
Expected<ShardSettings> resolve_shard_settings(const Settings& s, const EnvLookup& env, std::int64_t now_unix_ns);

// "2026-01-02T15:04:05Z", "...T15:04:05.250+02:00", or "+SECONDS" (from now).
Expected<std::int64_t> parse_start_at(const std::string& text, std::int64_t now_unix_ns);
// An instant as "2026-01-02T15:04:05.250000000Z".
std::string format_utc(std::int64_t unix_ns);

}  // namespace llmbench::cli
