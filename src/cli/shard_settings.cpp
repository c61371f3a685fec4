#include "llmbench/cli/shard_settings.hpp"

#include <cmath>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

namespace llmbench::cli {

namespace {

// A whole number of digits only ("3", not "+3", " 3" or "3x").
std::optional<std::uint64_t> parse_count(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

Expected<ShardPlan> checked(const std::string& what, std::optional<std::uint64_t> index,
                            std::optional<std::uint64_t> count) {
  if (!index || !count) return Unexpected(what + ": expected whole numbers");
  if (*count < 1) return Unexpected(what + ": the shard count must be at least 1");
  if (*index >= *count) {
    return Unexpected(fmt::format("{}: shard index {} is out of range for {} shards (0..{})", what, *index, *count,
                                  *count - 1));
  }
  return ShardPlan{static_cast<std::uint32_t>(*index), static_cast<std::uint32_t>(*count)};
}

Expected<ShardPlan> from_flag(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return Unexpected("--shard '" + text + "': expected I/N, e.g. 0/4");
  return checked("--shard '" + text + "'", parse_count(std::string_view(text).substr(0, slash)),
                 parse_count(std::string_view(text).substr(slash + 1)));
}

// A variable's value as a count, or nullopt when it is not set.
Expected<std::optional<std::uint64_t>> env_count(const EnvLookup& env, const char* name) {
  const auto v = env(name);
  if (!v) return std::optional<std::uint64_t>{};
  const auto n = parse_count(*v);
  if (!n) return Unexpected(std::string(name) + "='" + *v + "': expected a whole number");
  return std::optional<std::uint64_t>{*n};
}

// The index an orchestrator gave, with the variables that said so.
Expected<std::pair<std::optional<std::uint64_t>, std::string>> env_index(const EnvLookup& env) {
  for (const char* name : {"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "SLURM_PROCID"}) {
    auto v = env_count(env, name);
    if (!v) return Unexpected(v.error());
    if (!*v) continue;
    std::uint64_t index = **v;
    if (std::string_view(name) == "SLURM_ARRAY_TASK_ID") {
      auto min = env_count(env, "SLURM_ARRAY_TASK_MIN");
      if (!min) return Unexpected(min.error());
      if (*min && **min <= index) index -= **min;
    }
    return std::pair{std::optional<std::uint64_t>{index}, std::string(name)};
  }
  return std::pair{std::optional<std::uint64_t>{}, std::string()};
}

Expected<ShardSettings> from_env(const Settings& s, const EnvLookup& env) {
  ShardSettings out;
  auto found = env_index(env);
  if (!found) return Unexpected(found.error());
  auto [index, name] = *found;
  if (s.shards > 0) {
    if (!index) return Unexpected("--shards " + std::to_string(s.shards) +
                                  ": this shard's index is unknown (give --shard I/N, or set JOB_COMPLETION_INDEX)");
    auto plan = checked(name + " with --shards " + std::to_string(s.shards), index,
                        static_cast<std::uint64_t>(s.shards));
    if (!plan) return Unexpected(plan.error());
    out.shard = *plan;
    out.source = name;
    return out;
  }
  if (!index || name == "JOB_COMPLETION_INDEX") return out;  // an Indexed Job says N only through --shards
  const char* count_name = name == "SLURM_PROCID" ? "SLURM_NTASKS" : "SLURM_ARRAY_TASK_COUNT";
  auto count = env_count(env, count_name);
  if (!count) return Unexpected(count.error());
  if (!*count) return Unexpected(name + " is set but " + count_name + " is not: give --shard I/N or --shards N");
  auto plan = checked(name + "/" + count_name, index, *count);
  if (!plan) return Unexpected(plan.error());
  out.shard = *plan;
  out.source = plan->count > 1 ? name : "";
  return out;
}

int two(std::string_view t, std::size_t at) { return (t[at] - '0') * 10 + (t[at + 1] - '0'); }

bool digits_at(std::string_view t, std::initializer_list<std::size_t> at) {
  for (const std::size_t i : at) {
    if (i >= t.size() || t[i] < '0' || t[i] > '9') return false;
  }
  return true;
}

// The zone suffix ("Z", "+02:00") as seconds east of UTC, or nullopt.
std::optional<int> zone_seconds(std::string_view z) {
  if (z == "Z" || z == "z") return 0;
  if (z.size() != 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':' || !digits_at(z, {1, 2, 4, 5})) return std::nullopt;
  const int h = two(z, 1);
  const int m = two(z, 4);
  if (h > 23 || m > 59) return std::nullopt;
  return (z[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
}

std::optional<std::int64_t> parse_rfc3339(std::string_view t) {
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
      t[13] != ':' || t[16] != ':' || !digits_at(t, {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18})) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = std::atoi(std::string(t.substr(0, 4)).c_str()) - 1900;
  tm.tm_mon = two(t, 5) - 1;
  tm.tm_mday = two(t, 8);
  tm.tm_hour = two(t, 11);
  tm.tm_min = two(t, 14);
  tm.tm_sec = two(t, 17);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  std::size_t at = 19;
  std::int64_t frac_ns = 0;
  if (t[at] == '.') {
    std::int64_t scale = 100'000'000;
    for (++at; at < t.size() && t[at] >= '0' && t[at] <= '9'; ++at, scale /= 10) frac_ns += (t[at] - '0') * scale;
    if (at == 20) return std::nullopt;
  }
  const auto zone = zone_seconds(t.substr(at));
  if (!zone) return std::nullopt;
  const std::time_t secs = timegm(&tm);
  return (static_cast<std::int64_t>(secs) - *zone) * 1'000'000'000 + frac_ns;
}

}  // namespace

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

Expected<std::int64_t> parse_start_at(const std::string& text, std::int64_t now_unix_ns) {
  if (!text.empty() && text[0] == '+') {
    char* end = nullptr;
    const double s = std::strtod(text.c_str() + 1, &end);
    if (text.size() < 2 || end != text.c_str() + text.size() || !std::isfinite(s) || s < 0 || s > 86400) {
      return Unexpected("--start-at '" + text + "': expected +SECONDS (0 to 86400)");
    }
    return now_unix_ns + static_cast<std::int64_t>(s * 1e9);
  }
  const auto t = parse_rfc3339(text);
  if (!t) return Unexpected("--start-at '" + text + "': expected an RFC 3339 time (2026-01-02T15:04:05Z) or +SECONDS");
  if (*t > now_unix_ns + 86'400'000'000'000) return Unexpected("--start-at '" + text + "': more than a day ahead");
  return *t;
}

std::string format_utc(std::int64_t unix_ns) {
  const std::time_t secs = static_cast<std::time_t>(unix_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:09d}Z", buf, unix_ns % 1'000'000'000);
}

Expected<ShardSettings> resolve_shard_settings(const Settings& s, const EnvLookup& env, std::int64_t now_unix_ns) {
  ShardSettings out;
  if (s.shards < 0) return Unexpected("--shards " + std::to_string(s.shards) + ": expected 1 or more");
  if (!s.shard.empty()) {
    auto plan = from_flag(s.shard);
    if (!plan) return Unexpected(plan.error());
    if (s.shards > 0 && plan->count != static_cast<std::uint32_t>(s.shards)) {
      return Unexpected("--shard " + s.shard + " and --shards " + std::to_string(s.shards) + " disagree");
    }
    out.shard = *plan;
    out.source = "--shard";
  } else {
    auto e = from_env(s, env);
    if (!e) return Unexpected(e.error());
    out = *e;
  }
  if (!s.start_at.empty()) {
    auto t = parse_start_at(s.start_at, now_unix_ns);
    if (!t) return Unexpected(t.error());
    out.start_at_unix_ns = *t;
    out.start_at_utc = format_utc(*t);
  }
  return out;
}

}  // namespace llmbench::cli
