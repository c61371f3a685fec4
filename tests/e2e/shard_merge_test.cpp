// Scale-out end to end: three shard processes started together (--shard I/3,
// one --start-at) against one built-in server, merged, against one process
// running the same seeded open-loop schedule. The union of the shards'
// arrivals must be the single run's, arrival for arrival; the merged counts
// must add up; the merged percentiles must be those of every shard's
// requests pooled, within the histogram's resolution. Then merge's refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <memory>
#include <regex>
#include <sstream>

#include "e2e_json.hpp"
#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

constexpr int kShards = 3;

// The per-request rows of a --csv file: column name -> value, by row.
std::vector<std::map<std::string, std::string>> csv_rows(const std::string& path) {
  const auto lines = split_lines(read_file(path));
  std::vector<std::map<std::string, std::string>> rows;
  if (lines.empty()) return rows;
  std::vector<std::string> names;
  std::stringstream hs(lines[0]);
  for (std::string n; std::getline(hs, n, ',');) names.push_back(n);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::stringstream ss(lines[i]);
    std::map<std::string, std::string> row;
    std::size_t c = 0;
    for (std::string v; c < names.size() && std::getline(ss, v, ','); ++c) row[names[c]] = v;
    if (!row["id"].empty()) rows.push_back(std::move(row));
  }
  return rows;
}

std::string rfc3339_in(double seconds) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  const double t = static_cast<double>(ts.tv_sec) + seconds;
  const std::time_t whole = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&whole, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buf) + ".000Z";
}

class ShardMerge : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    server_out_ = std::make_unique<Pipe>();
    SpawnOptions opts;
    opts.stdout_fd = server_out_->write_fd();
    server_ = std::make_unique<Child>(
        std::vector<std::string>{binary(), "mock-server", "--port", "0", "--decode-tps", "1000", "--slots", "64"}, opts);
    server_out_->close_write();
    std::string banner;
    ASSERT_TRUE(server_out_->read_until(banner, "\n", Clock::now() + kHardBound)) << banner;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(banner, m, std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"))) << banner;
    port_ = m[1].str();
    run_shards_and_single();
  }
  static void TearDownTestSuite() {
    server_->signal(SIGINT);
    server_->wait_until(Clock::now() + kHardBound);
    server_.reset();
    dir_.reset();
  }

  static std::vector<std::string> load_args() {
    return {binary(), "--host", "127.0.0.1", "--port", port_, "--rate", "40", "--arrival", "poisson", "--seed", "5",
            "--duration", "1.5", "--max-tokens", "8", "--threads", "1", "-q", "--no-progress"};
  }

  static void run_shards_and_single() {
    const std::string start_at = rfc3339_in(2.0);
    std::vector<std::unique_ptr<Child>> shards;
    for (int i = 0; i < kShards; ++i) {
      std::vector<std::string> argv = load_args();
      for (const std::string& a : {std::string("--shard"), std::to_string(i) + "/" + std::to_string(kShards),
                                   std::string("--start-at"), start_at, std::string("--output"), shard_json(i),
                                   std::string("--csv"), shard_csv(i)}) {
        argv.push_back(a);
      }
      shards.push_back(std::make_unique<Child>(argv, SpawnOptions{}));
    }
    for (auto& c : shards) {
      const ExitStatus st = c->wait_until(Clock::now() + kHardBound);
      ASSERT_TRUE(st.exited && st.code == 0) << describe(st);
    }
    std::vector<std::string> single = load_args();
    single.erase(single.begin());
    for (const char* a : {"--output", "", "--csv", ""}) single.push_back(a);
    single[single.size() - 3] = dir_->file("single.json");
    single[single.size() - 1] = dir_->file("single.csv");
    const RunResult r = run_llmbench(single);
    ASSERT_EQ(r.code(), 0) << r.why();
  }

  static std::string shard_json(int i) { return dir_->file("shard-" + std::to_string(i) + ".json"); }
  static std::string shard_csv(int i) { return dir_->file("shard-" + std::to_string(i) + ".csv"); }
  static std::vector<std::string> merge_args(std::vector<int> which) {
    std::vector<std::string> a = {"merge"};
    for (const int i : which) a.push_back(shard_json(i));
    return a;
  }

  static inline std::unique_ptr<TempDir> dir_;
  static inline std::unique_ptr<Pipe> server_out_;
  static inline std::unique_ptr<Child> server_;
  static inline std::string port_;
};

TEST_F(ShardMerge, ShardsSendExactlyTheSingleProcessSchedule) {
  // Arrival id -> intended send time from the stage's start, in ms.
  const auto arrivals = [](const std::string& csv, const std::string& json) {
    Json j;
    EXPECT_TRUE(j.load(json));
    const double stage_start_ms = num(j.root(), "/stages/0/start_s") * 1e3;
    std::map<std::uint64_t, double> out;
    for (auto& row : csv_rows(csv)) out[std::stoull(row["id"])] = std::stod(row["intended_ms"]) - stage_start_ms;
    return out;
  };
  const auto single = arrivals(dir_->file("single.csv"), dir_->file("single.json"));
  std::map<std::uint64_t, double> sharded;
  for (int i = 0; i < kShards; ++i) {
    for (const auto& [id, t] : arrivals(shard_csv(i), shard_json(i))) {
      EXPECT_EQ(id % kShards, static_cast<std::uint64_t>(i)) << "shard " << i << " sent arrival " << id;
      EXPECT_TRUE(sharded.emplace(id, t).second) << "arrival " << id << " sent twice";
    }
  }
  ASSERT_GT(single.size(), 30u);
  ASSERT_EQ(sharded.size(), single.size());
  for (const auto& [id, t] : single) {
    ASSERT_TRUE(sharded.count(id)) << "arrival " << id << " missing from the shards";
    EXPECT_NEAR(sharded[id], t, 0.01) << "arrival " << id;
  }
}

TEST_F(ShardMerge, MergedResultAddsUpAndKeepsTheSingleRunLayout) {
  const std::string merged = dir_->file("run.json");
  std::vector<std::string> args = merge_args({2, 0, 1});
  args.insert(args.end(), {"--output", merged});
  const RunResult r = run_llmbench(args);
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.out, "Merged 3 of 3 shards")) << r.out;
  Json m, s;
  ASSERT_TRUE(m.load(merged));
  ASSERT_TRUE(s.load(dir_->file("single.json")));
  for (const char* p : {"/summary/requests_scheduled", "/stages/0/requests_scheduled", "/stages/0/phases/measured",
                        "/stages/0/phases/warmup", "/summary/requests_total"}) {
    EXPECT_EQ(integer(m.root(), p), integer(s.root(), p)) << p;
  }
  EXPECT_EQ(integer(m.root(), "/summary/requests_failed"), 0);
  EXPECT_TRUE(boolean(m.root(), "/merge/accounting/0/balanced"));
  EXPECT_EQ(array_size(m.root(), "/shards"), 3u);
  EXPECT_LT(num(m.root(), "/merge/start_spread_ms"), 50.0);
  // Rates over the common window: what each shard counted inside its own
  // window (rate x window), summed, over the longest window.
  for (const std::string rate : {"request_throughput", "output_tokens_per_second", "input_tokens_per_second"}) {
    double inside = 0;
    for (int i = 0; i < kShards; ++i) {
      Json shard;
      ASSERT_TRUE(shard.load(shard_json(i)));
      inside += num(shard.root(), "/stages/0/summary/" + rate) * num(shard.root(), "/stages/0/summary/measured_window_s");
    }
    const double expected = inside / num(m.root(), "/stages/0/summary/measured_window_s");
    EXPECT_GT(expected, 0.0) << rate;
    EXPECT_NEAR(num(m.root(), "/stages/0/summary/" + rate), expected, 1e-6 * expected) << rate;
  }
  // Every top-level and stage field of a single run is in the merged result.
  for (const char* p : {"/config", "/system_info", "/measurement", "/prompts", "/summary/ttft_ms", "/summary/histograms",
                        "/load", "/stages/0/summary/e2e_ms", "/stages/0/window", "/stages/0/timeseries"}) {
    EXPECT_TRUE(has(m.root(), p)) << p;
  }
  // The time series sum the shards' (started requests add up to the count).
  std::uint64_t started = 0;
  for (std::size_t i = 0; i < array_size(m.root(), "/stages/0/timeseries"); ++i) {
    started += static_cast<std::uint64_t>(integer(m.root(), "/stages/0/timeseries/" + std::to_string(i) + "/requests_started"));
  }
  EXPECT_EQ(started, static_cast<std::uint64_t>(integer(m.root(), "/stages/0/requests_scheduled")));

  // Percentiles: those of every shard's measured requests pooled, within the
  // histogram's resolution (1/128 relative) and one rank either way.
  std::vector<double> ttft, e2e, ttfb;
  for (int i = 0; i < kShards; ++i) {
    for (auto& row : csv_rows(shard_csv(i))) {
      if (row["phase"] != "measured" || row["ttft_ms"].empty()) continue;
      ttft.push_back(std::stod(row["ttft_ms"]));
      e2e.push_back(std::stod(row["e2e_ms"]));
      ttfb.push_back(std::stod(row["ttfb_ms"]));
    }
  }
  const auto check = [&](std::vector<double> v, const std::string& fig) {
    std::sort(v.begin(), v.end());
    ASSERT_EQ(static_cast<std::int64_t>(v.size()), integer(m.root(), "/summary/" + fig + "/count")) << fig;
    for (const auto& [name, q] : {std::pair{"p50", 50.0}, {"p90", 90.0}, {"p99", 99.0}}) {
      const auto rank = static_cast<std::size_t>(std::ceil(q / 100 * static_cast<double>(v.size())));
      const double lo = v[std::max<std::size_t>(rank, 2) - 2] * (1 - 1.0 / 128) - 0.002;
      const double hi = v[std::min(rank, v.size() - 1)] * (1 + 1.0 / 128) + 0.002;
      const double got = num(m.root(), "/summary/" + fig + "/" + name);
      EXPECT_TRUE(got >= lo && got <= hi) << fig << " " << name << " = " << got << ", pooled between " << lo << " and " << hi;
    }
  };
  check(ttft, "ttft_ms");
  check(e2e, "e2e_ms");
  check(ttfb, "ttfb_ms");  // saved as a histogram too: merged exactly, not pooled
  std::printf("single: %lld requests, TTFT p50 %.2f ms p99 %.2f ms; merged %d shards: %lld requests, TTFT p50 %.2f ms "
              "p99 %.2f ms, start spread %.2f ms\n",
              static_cast<long long>(integer(s.root(), "/summary/requests_scheduled")), num(s.root(), "/summary/ttft_ms/p50"),
              num(s.root(), "/summary/ttft_ms/p99"), kShards,
              static_cast<long long>(integer(m.root(), "/summary/requests_scheduled")), num(m.root(), "/summary/ttft_ms/p50"),
              num(m.root(), "/summary/ttft_ms/p99"), num(m.root(), "/merge/start_spread_ms"));
}

TEST_F(ShardMerge, RefusesMissingDuplicateAndMismatchedShards) {
  RunResult r = run_llmbench(merge_args({0, 1}));
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_TRUE(contains(r.err, "shard(s) 2 of 3 missing (--allow-missing merges anyway)")) << r.err;
  EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;

  const std::string partial = dir_->file("partial.json");
  std::vector<std::string> args = merge_args({0, 1});
  args.insert(args.end(), {"--allow-missing", "--output", partial});
  r = run_llmbench(args);
  EXPECT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.err, "warning: merged without shard(s) 2")) << r.err;
  Json p;
  ASSERT_TRUE(p.load(partial));
  EXPECT_EQ(integer(p.root(), "/merge/shards_merged"), 2);
  EXPECT_TRUE(boolean(p.root(), "/merge/allow_missing"));

  r = run_llmbench(merge_args({0, 1, 2, 1}));
  EXPECT_EQ(r.code(), 2);
  EXPECT_TRUE(contains(r.err, "shard 1 given twice")) << r.err;

  // The same shard file with another seed is not part of this run.
  std::string text = read_file(shard_json(2));
  const auto at = text.find("\"seed\":5,");  // the config's (written compact)
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 9, "\"seed\":6,");
  const std::string other = dir_->file("other-seed.json");
  write_file(other, text);
  r = run_llmbench({"merge", shard_json(0), shard_json(1), other});
  EXPECT_EQ(r.code(), 2);
  EXPECT_TRUE(contains(r.err, "has seed 6")) << r.err;
}

}  // namespace
}  // namespace llmbench::e2e
