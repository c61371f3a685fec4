// Trace replay against the built-in server: every row is sent once, at its
// trace time (the arrival error bounded), asking for its output length; a
// bad trace stops the run before anything is sent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

struct Row {
  std::int64_t ts_ms;
  int input;
  int output;
};

// ~1.2 s of arrivals with uneven gaps (bursts of simultaneous rows too) and
// lengths that differ row to row, starting at a non-zero trace time.
std::vector<Row> make_rows() {
  const int gaps_ms[] = {0, 90, 0, 35, 140, 10, 60, 0, 0, 75};
  std::vector<Row> rows;
  std::int64_t t = 5000;
  for (int i = 0; i < 30; ++i) {
    t += gaps_ms[i % 10];
    rows.push_back(Row{t, 40 + (i * 37) % 700, 2 + (i * 7) % 29});
  }
  return rows;
}

std::string mooncake(const std::vector<Row>& rows) {
  std::ostringstream s;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    s << "{\"timestamp\": " << rows[i].ts_ms << ", \"input_length\": " << rows[i].input
      << ", \"output_length\": " << rows[i].output << ", \"hash_ids\": [" << 1 + i % 3 << ", " << 100 + i << "]}\n";
  }
  return s.str();
}

struct CsvRow {
  double intended_ms = 0, start_ms = 0;
  int output_tokens = 0;
  std::string error;
  int input_tokens = 0;
};

// The per-request CSV, by prompt key ("trace:7" -> row 7).
std::map<int, CsvRow> read_csv(const std::string& path) {
  std::map<int, CsvRow> out;
  const auto lines = split_lines(read_file(path));
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f;
    std::stringstream ss(lines[i]);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    if (f.size() < 17 || f[2].rfind("trace:", 0) != 0) continue;
    const int row = std::stoi(f[2].substr(6));
    EXPECT_EQ(out.count(row), 0u) << "row " << row << " sent twice";
    out[row] = CsvRow{std::stod(f[4]), std::stod(f[5]), std::stoi(f[13]), f[16], std::stoi(f[12])};
  }
  return out;
}

TEST(TraceReplay, SendsEveryRowAtItsTraceTimeWithItsOutputLength) {
  TempDir dir;
  const std::vector<Row> rows = make_rows();
  const std::string trace = dir.file("trace.jsonl"), out = dir.file("r.json"), csv = dir.file("r.csv");
  write_file(trace, mooncake(rows));
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--mock-slots", "32", "--trace", trace,
                                    "--output", out, "--csv", csv, "-q"});
  ASSERT_EQ(r.code(), 0) << r.why();
  const auto sent = read_csv(csv);
  ASSERT_EQ(sent.size(), rows.size());
  std::vector<double> error_ms;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CsvRow& c = sent.at(static_cast<int>(i));
    EXPECT_EQ(c.error, "") << "row " << i;
    // ignore_eos: the server generated exactly the trace's output length.
    EXPECT_EQ(c.output_tokens, rows[i].output) << "row " << i;
    // /tokenize: each row's prompt fitted to its input length as the server
    // counts it (chat template and BOS included).
    EXPECT_EQ(c.input_tokens, rows[i].input) << "row " << i;
    // Intended times keep the trace's offsets from its first arrival (CSV: 3 decimals).
    EXPECT_NEAR(c.intended_ms - sent.at(0).intended_ms, static_cast<double>(rows[i].ts_ms - rows[0].ts_ms), 0.002)
        << "row " << i;
    error_ms.push_back(c.start_ms - c.intended_ms);
  }
  std::sort(error_ms.begin(), error_ms.end());
  EXPECT_GE(error_ms.front(), 0.0);
  // 30 samples: the p99 is the maximum. A bound a loaded 2-core machine meets.
  EXPECT_LT(error_ms.back(), 50.0);
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  EXPECT_EQ(str(root, "/stages/0/trace/format"), "mooncake");
  EXPECT_EQ(integer(root, "/stages/0/trace/rows_replayed"), 30);
  EXPECT_EQ(integer(root, "/stages/0/trace/arrival_error_ms/count"), 30);
  EXPECT_LT(num(root, "/stages/0/trace/arrival_error_ms/p99"), 50.0);
  EXPECT_NEAR(num(root, "/stages/0/trace/arrival_error_ms/max"), error_ms.back(), 0.01);
  EXPECT_NEAR(num(root, "/stages/0/trace/span_s"), static_cast<double>(rows.back().ts_ms - rows[0].ts_ms) / 1e3, 1e-9);
  EXPECT_EQ(integer(root, "/stages/0/summary/requests_succeeded"), 30);
}

TEST(TraceReplay, SpeedAndWindowCompressAndCutTheTrace) {
  TempDir dir;
  const std::vector<Row> rows = make_rows();
  const std::string trace = dir.file("trace.jsonl"), csv = dir.file("r.csv");
  write_file(trace, mooncake(rows));
  // Trace seconds 0.5 to 1.2 (from its first arrival), twice as fast.
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--mock-slots", "32", "--trace", trace,
                                    "--trace-speed", "2", "--trace-window", "0.5:1.2", "--csv", csv, "-q"});
  ASSERT_EQ(r.code(), 0) << r.why();
  std::vector<std::int64_t> inside;
  for (const Row& row : rows) {
    const std::int64_t t = row.ts_ms - rows[0].ts_ms;
    if (t >= 500 && t < 1200) inside.push_back(t);
  }
  const auto sent = read_csv(csv);
  ASSERT_EQ(sent.size(), inside.size());
  for (std::size_t i = 0; i < inside.size(); ++i) {
    EXPECT_NEAR(sent.at(static_cast<int>(i)).intended_ms - sent.at(0).intended_ms,
                static_cast<double>(inside[i] - inside[0]) / 2, 0.002);
  }
}

TEST(TraceReplay, ShardsTakeEveryNthRowAndMergeIntoTheWholeTrace) {
  TempDir dir;
  const std::vector<Row> rows = make_rows();
  const std::string trace = dir.file("trace.jsonl");
  write_file(trace, mooncake(rows));
  std::vector<std::string> merge_args = {"merge"};
  for (int shard = 0; shard < 3; ++shard) {
    std::string name = "shard";  // appended, not "s" + ...: GCC 12's -Wrestrict misfires on that here
    name += std::to_string(shard);
    const std::string out = dir.file(name + ".json"), csv = dir.file(name + ".csv");
    std::string spec = std::to_string(shard);
    spec += "/3";
    const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--mock-slots", "32", "--trace", trace,
                                      "--trace-speed", "4", "--shard", spec, "--output", out,
                                      "--csv", csv, "-q"});
    ASSERT_EQ(r.code(), 0) << r.why();
    const auto sent = read_csv(csv);
    EXPECT_EQ(sent.size(), 10u);
    for (const auto& [row, c] : sent) EXPECT_EQ(row % 3, shard) << "shard " << shard << " sent row " << row;
    merge_args.push_back(out);
  }
  const std::string merged = dir.file("merged.json");
  merge_args.insert(merge_args.end(), {"--output", merged});
  const RunResult m = run_llmbench(merge_args);
  ASSERT_EQ(m.code(), 0) << m.why();
  Json j;
  ASSERT_TRUE(j.load(merged));
  EXPECT_EQ(integer(j.root(), "/stages/0/trace/rows_replayed"), 30);
  EXPECT_EQ(integer(j.root(), "/stages/0/trace/arrival_error_ms/count"), 30);
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/schedule_lag_ms/count"), 30);
  EXPECT_LT(num(j.root(), "/stages/0/trace/arrival_error_ms/max"), 50.0);
}

TEST(TraceReplay, AMalformedTraceIsAUsageErrorThatSendsNothing) {
  TempDir dir;
  const std::string trace = dir.file("bad.jsonl");
  write_file(trace, mooncake(make_rows()) + "{\"timestamp\": 9999, \"input_length\": \"many\", \"output_length\": 3}\n");
  ClosedPort port;
  port.listen();
  const RunResult r = run_llmbench({"--host", "127.0.0.1", "--port", std::to_string(port.port()), "--trace", trace});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(contains(r.err, trace + ":31: \"input_length\" must be")) << r.err;
  EXPECT_FALSE(port.pending_connection()) << "llmbench connected although the trace was bad";
}

TEST(TraceReplay, ARateBesideATraceIsRefused) {
  const RunResult r = run_llmbench({"--mock", "--trace", std::string(LLMBENCH_SOURCE_DIR) + "/bench_configs/trace-azure.csv",
                                    "--rate", "5"});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_TRUE(contains(r.err, "--trace and --rate")) << r.err;
}

}  // namespace
}  // namespace llmbench::e2e
