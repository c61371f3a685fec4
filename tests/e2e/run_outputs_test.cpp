// What a run writes besides its results JSON: --csv (a row per request, every
// phase) and --html (the report page), and `llmbench merge`'s exit codes.
#include <gtest/gtest.h>

#include <sstream>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

TEST(RunOutputs, CsvHasARowPerScheduledRequestWithOrderedTimes) {
  TempDir dir;
  const std::string out = dir.file("r.json"), csv = dir.file("r.csv"), html = dir.file("r.html");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--concurrency", "2", "--requests", "8",
                                    "--max-tokens", "8", "--warmup-seconds", "0.2", "--output", out, "--csv", csv,
                                    "--html", html, "--no-progress"});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  const std::string text = read_file(csv);
  std::vector<std::string> lines = split_lines(text);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0], "id,stage,prompt,phase,intended_ms,start_ms,first_byte_ms,first_token_ms,end_ms,ttft_ms,tpot_ms,"
                      "e2e_ms,input_tokens,output_tokens,token_source,http_status,error,reused_connection,ttfb_ms,"
                      "ttfo_ms,reasoning_tokens,cached_tokens,session,turn,model\r");
  EXPECT_NE(text.find("\r\n"), std::string::npos) << "RFC 4180 line ends";
  std::size_t rows = 0, measured = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    std::string line = lines[i];
    if (line.back() == '\r') line.pop_back();
    const auto c = csv_cells(line);
    ASSERT_EQ(c.size(), 25u) << line;
    EXPECT_EQ(c[22] + c[23], "") << "no session outside --turns";
    ++rows;
    if (c[3] == "measured") ++measured;
    EXPECT_EQ(c[1], "concurrency=2");
    EXPECT_EQ(c[15], "200");
    EXPECT_EQ(c[16], "");
    const double start = std::stod(c[5]), first_byte = std::stod(c[6]), first_token = std::stod(c[7]),
                 end = std::stod(c[8]);
    EXPECT_LE(start, first_byte);
    EXPECT_LE(first_byte, first_token);
    EXPECT_LE(first_token, end);
    EXPECT_NEAR(std::stod(c[11]), end - start, 5.0) << "E2E from first byte written; start is just before";
    EXPECT_EQ(c[13], "8");
    // TTFB <= TTFT = TTFO here (no reasoning), all from the same start.
    const double ttfb = std::stod(c[18]), ttfo = std::stod(c[19]);
    EXPECT_LE(ttfb, std::stod(c[9]) + 1e-3);
    EXPECT_NEAR(ttfo, std::stod(c[9]), 1e-3);
    EXPECT_EQ(c[20], "0");
    EXPECT_FALSE(c[21].empty()) << "the mock's timings say cache_n";
    EXPECT_FALSE(c[24].empty()) << "the model asked for (the mock's first /v1/models id)";
  }
  EXPECT_EQ(static_cast<std::int64_t>(rows), integer(j.root(), "/stages/0/requests_scheduled"));
  EXPECT_EQ(static_cast<std::int64_t>(measured), integer(j.root(), "/stages/0/phases/measured"));
  const std::string page = read_file(html);
  EXPECT_NE(page.find("id=\"llmbench-data\""), std::string::npos);
  EXPECT_NE(page.find("Chart.js v3"), std::string::npos);
}

TEST(RunOutputs, MergeExitCodes) {
  TempDir dir;
  const std::string a = dir.file("a.json"), merged = dir.file("m.json"), bad = dir.file("bad.json");
  ASSERT_EQ(run_llmbench({"--mock", "--mock-decode-tps", "2000", "--concurrency", "1", "--requests", "2",
                          "--max-tokens", "4", "--output", a, "--no-progress"}).code(), 0);
  RunResult r = run_llmbench({"merge", a, a, "--output", merged});
  EXPECT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(merged));
  EXPECT_EQ(integer(j.root(), "/summary/requests_total"), 4);
  write_file(bad, "{\"summary\":{}}");
  r = run_llmbench({"merge", bad});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_TRUE(contains(r.err, "no summary.histograms")) << r.err;
}

}  // namespace
}  // namespace llmbench::e2e
