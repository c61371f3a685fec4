// Spec statistics, the knee of a sweep and the atomic results file.
#include <gtest/gtest.h>

#include <simdjson.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "llmbench/report/csv_report.hpp"
#include "llmbench/report/json_report.hpp"
#include "llmbench/report/run_report.hpp"
#include "llmbench/report/terminal.hpp"
#include "llmbench/stats/spec_stats.hpp"

namespace llmbench::report {
namespace {

RequestRecord run(std::uint32_t tokens, double seconds, double ttft_ms, ErrorKind e = ErrorKind::none) {
  RequestRecord r;
  r.error = e;
  r.sent_ns = 1'000'000;
  r.end_ns = r.sent_ns + static_cast<std::int64_t>(seconds * 1e9);
  r.first_token_ns = r.sent_ns + static_cast<std::int64_t>(ttft_ms * 1e6);
  r.last_token_ns = r.end_ns;
  r.completion_tokens = tokens;
  r.content_events = tokens;
  return r;
}

TEST(SpecStats, MeanSampleStdAndSuccessRate) {
  const std::vector<RequestRecord> runs = {run(100, 2.0, 100), run(100, 4.0, 300), run(0, 1.0, -1, ErrorKind::timeout),
                                           run(100, 2.5, 200), run(0, 0, -1, ErrorKind::cancelled)};
  const stats::SpecStats s = stats::spec_stats(runs);
  EXPECT_EQ(s.runs, 5u);
  EXPECT_EQ(s.succeeded, 3u);
  EXPECT_DOUBLE_EQ(s.success_rate, 0.75);  // the cancelled run was never measured
  EXPECT_DOUBLE_EQ(s.avg_tps, (50.0 + 25.0 + 40.0) / 3);
  const double m = s.avg_tps;
  const double var = ((50 - m) * (50 - m) + (25 - m) * (25 - m) + (40 - m) * (40 - m)) / 2;  // n - 1
  EXPECT_NEAR(s.std_tps, std::sqrt(var), 1e-9);
  EXPECT_NEAR(s.cv, std::sqrt(var) / m, 1e-12);
  EXPECT_EQ(s.min_tps, 25.0);
  EXPECT_EQ(s.max_tps, 50.0);
  EXPECT_EQ(s.median_tps, 40.0);
  EXPECT_EQ(s.ttft_ms.count, 3u);
  EXPECT_NEAR(s.ttft_ms.max, 300.0, 1e-9);
}

TEST(SpecStats, VerdictsFollowTheGuide) {
  EXPECT_EQ(stats::cv_verdict(0.01), "excellent");
  EXPECT_EQ(stats::cv_verdict(0.07), "acceptable");
  EXPECT_EQ(stats::cv_verdict(0.2), "suggests system instability");
}

StageResult stage(const char* label, double tokens_per_s, double p99_ms) {
  StageResult r;
  r.plan.label = label;
  r.overall.first_start_ns = 0;
  r.overall.last_end_ns = 1'000'000'000;
  r.overall.output_tokens = static_cast<std::uint64_t>(tokens_per_s);
  r.overall.e2e_ns.record(static_cast<std::int64_t>(p99_ms * 1e6));
  r.overall.ttft_ns.record(static_cast<std::int64_t>(p99_ms * 1e5));
  return r;
}

TEST(Knee, FoundWhereThroughputStopsGrowingAndLatencyGrows) {
  const std::vector<StageResult> sweep = {stage("c=1", 50, 640), stage("c=2", 100, 641), stage("c=4", 200, 642),
                                          stage("c=8", 201, 1280), stage("c=16", 203, 2560)};
  EXPECT_EQ(find_knee(sweep), 2);
  const std::vector<StageResult> rising = {stage("c=1", 50, 640), stage("c=2", 100, 641), stage("c=4", 200, 642)};
  EXPECT_EQ(find_knee(rising), -1);
  // Flat throughput but latency that does not grow is no knee either.
  const std::vector<StageResult> flat = {stage("c=1", 50, 640), stage("c=2", 50, 640)};
  EXPECT_EQ(find_knee(flat), -1);
  EXPECT_EQ(find_knee({}), -1);
}

// A stage with `tokens_per_s` output tokens/s over 1 s and 20 requests whose
// TTFT and E2E are spread +-5 % around the given medians.
StageResult measured_stage(const char* label, double tokens_per_s, double ttft_ms, double e2e_ms) {
  StageResult r;
  r.plan.label = label;
  r.overall.first_start_ns = 0;
  r.overall.last_end_ns = 1'000'000'000;
  r.overall.output_tokens = static_cast<std::uint64_t>(tokens_per_s);
  for (int i = 0; i < 20; ++i) {
    const double f = 0.95 + 0.005 * i;
    r.overall.ttft_ns.record(static_cast<std::int64_t>(ttft_ms * f * 1e6));
    r.overall.e2e_ns.record(static_cast<std::int64_t>(e2e_ms * f * 1e6));
  }
  return r;
}

// The real llama-server sweep the old "< 5 % more throughput" rule missed:
// 4 slots, concurrency 4 -> 8 gave +7.7 % tokens/s while TTFT p50 went
// 36 -> 2,139 ms.
TEST(Knee, LatencyThatExplodesForLittleThroughputIsTheKnee) {
  const std::vector<StageResult> sweep = {
      measured_stage("concurrency=1", 60.0, 30, 2100), measured_stage("concurrency=2", 115.0, 33, 2200),
      measured_stage("concurrency=4", 210.0, 36, 2300), measured_stage("concurrency=8", 226.2, 2139, 4400)};
  EXPECT_EQ(find_knee(sweep), 2);
  // The same steps with throughput that keeps pace (+90 %) are no knee.
  const std::vector<StageResult> scaling = {measured_stage("concurrency=4", 210.0, 36, 2300),
                                            measured_stage("concurrency=8", 400.0, 80, 2400)};
  EXPECT_EQ(find_knee(scaling), -1);
}

TEST(Knee, MaximumOfPowerWhenLatencyGrowsGradually) {
  // Latency grows 1.6x per step (never doubles), throughput only 3 %: power
  // (throughput / p90 E2E) peaks at c=2.
  const std::vector<StageResult> sweep = {
      measured_stage("c=1", 100.0, 20, 1000), measured_stage("c=2", 190.0, 22, 1050),
      measured_stage("c=4", 196.0, 35, 1680), measured_stage("c=8", 202.0, 56, 2690)};
  EXPECT_EQ(find_knee(sweep), 1);
}

TEST(Csv, FieldsAreQuotedOnlyWhenRfc4180NeedsIt) {
  EXPECT_EQ(csv_field("concurrency=8"), "concurrency=8");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field(""), "");
}

// The results say how the reads were timestamped: "kernel" only when kernel
// stamps were asked for and no read or connection fell back to user time.
TEST(JsonReport, MeasurementSaysKernelOnlyWhenEveryReadWasKernelStamped) {
  RunPlan plan;
  RunReport rep;
  rep.plan = &plan;
  StageResult st;
  st.plan.mode = LoadMode::closed;
  st.kernel_stamped_reads = 7;
  const auto measurement = [&](const StageResult& stage) {
    rep.stages = {stage, stage};  // counts are summed over stages
    static simdjson::dom::parser parser;
    const simdjson::dom::element doc = parser.parse(render_json(rep));
    return doc["measurement"];
  };
  simdjson::dom::element m = measurement(st);
  EXPECT_EQ(std::string_view(m["timestamp_source"]), "kernel");
  EXPECT_EQ(std::string_view(m["timestamps_requested"]), "kernel");
  EXPECT_EQ(std::uint64_t(m["kernel_stamped_reads"]), 14u);
  EXPECT_EQ(std::uint64_t(m["user_stamped_reads"]), 0u);
  EXPECT_EQ(std::uint64_t(m["connections_without_kernel_stamps"]), 0u);
  StageResult one_user_read = st;
  one_user_read.user_stamped_reads = 1;
  m = measurement(one_user_read);
  EXPECT_EQ(std::string_view(m["timestamp_source"]), "user");
  EXPECT_EQ(std::uint64_t(m["user_stamped_reads"]), 2u);
  StageResult refused = st;
  refused.unstamped_connections = 1;
  m = measurement(refused);
  EXPECT_EQ(std::string_view(m["timestamp_source"]), "user");
  EXPECT_EQ(std::uint64_t(m["connections_without_kernel_stamps"]), 2u);
  plan.timestamps = http::ReadTimestamps::user;
  StageResult user_mode;
  user_mode.plan.mode = LoadMode::closed;
  user_mode.user_stamped_reads = 3;
  m = measurement(user_mode);
  EXPECT_EQ(std::string_view(m["timestamp_source"]), "user");
  EXPECT_EQ(std::string_view(m["timestamps_requested"]), "user");
}

// Replies that ended short of max_tokens: a WARNING for truncated ones, a
// note for early stops that suggests --ignore-eos unless every request asked
// for it already; nothing when every reply ran its course.
TEST(TerminalReport, ShortRepliesWarnAndSuggestIgnoreEos) {
  RunPlan plan;
  plan.prompts.resize(1);
  plan.groups = {PromptGroup{"cache_loops", "t", 128}};
  RunReport rep;
  rep.plan = &plan;
  rep.system.model = "foo-model";
  StageResult st;
  st.plan.mode = LoadMode::closed;
  st.plan.label = "concurrency=1";
  st.prompts.resize(1);
  st.overall.succeeded = 5;
  rep.stages = {st};
  std::string out = render_load_terminal(rep);
  EXPECT_EQ(out.find("truncated"), std::string::npos) << out;
  EXPECT_EQ(out.find("--ignore-eos"), std::string::npos) << out;
  EXPECT_NE(out.find("Model: foo-model\n"), std::string::npos) << out;
  rep.stages[0].overall.truncated = 2;
  rep.stages[0].overall.stopped_before_max_tokens = 3;
  rep.stages[0].served_models = {"/srv/bar.gguf"};
  out = render_load_terminal(rep);
  EXPECT_NE(out.find("Model: requested foo-model, served bar.gguf\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  WARNING: 2 of 5 replies were truncated before max_tokens"), std::string::npos) << out;
  EXPECT_NE(out.find("  Note: 3 of 5 replies ended by the model's own stop before max_tokens; --ignore-eos makes the "
                     "server generate exactly max_tokens"),
            std::string::npos)
      << out;
  plan.prompts[0].ignore_eos = true;
  out = render_load_terminal(rep);
  EXPECT_NE(out.find("the server did not honour --ignore-eos"), std::string::npos) << out;
  // Spec mode names the prompts.
  rep.stages[0].plan.mode = LoadMode::spec;
  rep.stages[0].prompts[0].measured.truncated = 2;
  out = render_spec_terminal(rep);
  EXPECT_NE(out.find("WARNING: 2 of 5 replies (cache_loops 2) were truncated before max_tokens"), std::string::npos)
      << out;
}

TEST(DisplayModel, LastPathComponent) {
  EXPECT_EQ(display_model("/models/Qwen3-30B-IQ4_XS.gguf"), "Qwen3-30B-IQ4_XS.gguf");
  EXPECT_EQ(display_model("gpt-4o"), "gpt-4o");
  EXPECT_EQ(display_model("models/qwen3.gguf"), "qwen3.gguf");
  EXPECT_EQ(display_model("myorg/tiny-llama-768"), "myorg/tiny-llama-768");  // a hub id, shown as the server gives it
  EXPECT_EQ(display_model("C:\\models\\m.gguf"), "m.gguf");
}

}  // namespace
}  // namespace llmbench::report
