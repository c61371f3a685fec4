// The server's side of a run, end to end against the built-in server: its
// /metrics and /slots scraped while 8 clients share 4 slots, the server
// process found from the port, and a metrics endpoint that answers garbage
// or never answers costing the run nothing but a count.
#include <gtest/gtest.h>

#include <regex>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

const std::vector<std::string> kLoad = {"--concurrency", "8", "--requests", "24", "--max-tokens", "32",
                                        "--prompts", "cache_loops", "--metrics-interval", "0.1", "--threads", "2"};

std::vector<std::string> with_load(std::vector<std::string> args) {
  args.insert(args.end(), kLoad.begin(), kLoad.end());
  return args;
}

std::int64_t scrape_count(simdjson::dom::element root, std::string_view source, std::string_view field) {
  const std::size_t n = array_size(root, "/telemetry/scrapes");
  for (std::size_t i = 0; i < n; ++i) {
    const std::string at_i = "/telemetry/scrapes/" + std::to_string(i);
    if (str(root, at_i + "/source") == source) return integer(root, at_i + "/" + std::string(field));
  }
  return -1;
}

// The figures a run against 4 slots and 8 clients must show.
void expect_server_view(simdjson::dom::element root, const std::string& out) {
  EXPECT_EQ(str(root, "/telemetry/server_metrics"), "scraped");
  EXPECT_TRUE(boolean(root, "/telemetry/slots_polled"));
  const std::string s = "/stages/0/telemetry_summary";
  const double client = num(root, s + "/client_generated_tokens");
  EXPECT_EQ(client, static_cast<double>(integer(root, "/stages/0/summary/output_tokens")));
  EXPECT_EQ(num(root, s + "/server_generated_tokens"), client);
  EXPECT_EQ(num(root, s + "/generated_tokens_difference"), 0.0);
  EXPECT_EQ(num(root, s + "/busy_slots_max"), 4.0);
  EXPECT_GE(num(root, s + "/queue_depth_max"), 1.0);
  EXPECT_LE(num(root, s + "/queue_depth_max"), 4.0);
  EXPECT_GT(num(root, s + "/server_generation_tokens_per_second"), 0.0);
  EXPECT_GT(num(root, s + "/tokens_per_decode"), 1.0);  // 4 slots decoded together
  EXPECT_EQ(integer(root, "/server/total_slots"), 4);
  EXPECT_TRUE(boolean(root, "/server/endpoint_metrics"));
  EXPECT_GT(array_size(root, "/telemetry/series"), 0u);
  EXPECT_TRUE(contains(out, "Server view (every 0.1 s)")) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(Generated tokens: server (\d+), client \1 \(agree\))"))) << out;
}

TEST(Telemetry, BuiltInServerFourSlotsEightClients) {
  TempDir dir;
  const std::string json = dir.file("run.json");
  const RunResult r = run_llmbench(with_load({"--mock", "--mock-slots", "4", "--mock-metrics", "--mock-decode-tps",
                                              "400", "--output", json}));
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(json));
  expect_server_view(j.root(), r.out);
  // In-process: the server's PID is llmbench's own, found from the port.
  EXPECT_EQ(str(j.root(), "/telemetry/server_process/found_by"), "port");
  const std::int64_t pid = integer(j.root(), "/telemetry/server_process/pid");
  EXPECT_GT(pid, 0);
  const std::string line = "Server process: PID " + std::to_string(pid) + " threads ";
  EXPECT_TRUE(contains(r.out, line)) << r.out;
  // It sits right under the guide's Huge Pages line.
  const std::regex order(R"(Huge Pages: [^\n]*\nServer process: PID \d+ threads \d+, RSS [0-9.]+ [MG]B, huge pages mapped \d+ MB)");
  EXPECT_TRUE(std::regex_search(r.out, order)) << r.out;
}

// Without --mock-metrics the built-in server answers /metrics with 501, as
// llama-server does: skipped without a word, the run is unchanged.
TEST(Telemetry, MetricsOffIsSkippedQuietly) {
  TempDir dir;
  const std::string json = dir.file("run.json");
  const RunResult r = run_llmbench(with_load({"--mock", "--mock-slots", "4", "--mock-decode-tps", "2000",
                                              "--output", json}));
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(json));
  EXPECT_EQ(str(j.root(), "/telemetry/server_metrics"), "disabled");
  EXPECT_EQ(array_size(j.root(), "/telemetry/notes"), 0u);
  EXPECT_FALSE(boolean(j.root(), "/server/endpoint_metrics"));
  EXPECT_TRUE(is_null(j.root(), "/stages/0/telemetry_summary/server_generated_tokens"));
  // /slots still answers: the server view has busy slots, no server rates.
  EXPECT_TRUE(contains(r.out, "Server view")) << r.out;
  EXPECT_FALSE(contains(r.out, "Server gen tok/s")) << r.out;
  EXPECT_TRUE(contains(r.out, "start llama-server with --metrics")) << r.out;
  EXPECT_FALSE(contains(r.err, "metrics")) << r.err;
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/requests_succeeded"), 24);
}

struct SeparateServer {
  Pipe out;
  std::unique_ptr<Child> child;
  std::string port;

  SeparateServer() {
    SpawnOptions opts;
    opts.stdout_fd = out.write_fd();
    child = std::make_unique<Child>(std::vector<std::string>{binary(), "mock-server", "--port", "0", "--slots", "4",
                                                             "--metrics", "--decode-tps", "400"},
                                    opts);
    out.close_write();
    std::string banner;
    if (!out.read_until(banner, "\n", Clock::now() + kHardBound)) return;
    std::smatch m;
    if (std::regex_search(banner, m, std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"))) port = m[1].str();
  }
  ~SeparateServer() {
    child->signal(SIGINT);
    (void)child->wait_until(Clock::now() + kHardBound);
  }
};

// A separate mock-server process: found from its port, its PID is its own.
TEST(Telemetry, SeparateServerProcessFoundByPort) {
  SeparateServer server;
  ASSERT_FALSE(server.port.empty());
  TempDir dir;
  const std::string json = dir.file("run.json");
  const RunResult r = run_llmbench(with_load({"--host", "127.0.0.1", "--port", server.port, "--output", json}));
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(json));
  expect_server_view(j.root(), r.out);
  EXPECT_EQ(integer(j.root(), "/telemetry/server_process/pid"), server.child->pid());
  EXPECT_TRUE(contains(r.out, "Server process: PID " + std::to_string(server.child->pid()) + " threads ")) << r.out;
}

// A metrics URL that answers with something that is not Prometheus text:
// every scrape is counted as bad, and the run's own figures are whole.
TEST(Telemetry, GarbageMetricsAreCountedNotFatal) {
  SeparateServer server;
  ASSERT_FALSE(server.port.empty());
  TempDir dir;
  const std::string json = dir.file("run.json");
  const RunResult r = run_llmbench(with_load({"--host", "127.0.0.1", "--port", server.port, "--server-metrics",
                                              "http://127.0.0.1:" + server.port + "/v1/models", "--output", json}));
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(json));
  EXPECT_GT(scrape_count(j.root(), "server.metrics", "bad"), 0);
  EXPECT_EQ(scrape_count(j.root(), "server.metrics", "ok"), 0);
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/requests_succeeded"), 24);
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/output_tokens"), 24 * 32);
  EXPECT_EQ(array_size(j.root(), "/telemetry/notes"), 1u);  // the first scrape's verdict, once
}

// A metrics endpoint that accepts connections and never answers: each scrape
// times out after one interval and the slots it overran are skipped, counted.
TEST(Telemetry, HangingMetricsAreCountedNotFatal) {
  ClosedPort hang;
  hang.listen();
  TempDir dir;
  const std::string json = dir.file("run.json");
  const RunResult r = run_llmbench(with_load({"--mock", "--mock-slots", "4", "--mock-decode-tps", "200",
                                              "--server-metrics", "http://127.0.0.1:" + std::to_string(hang.port()) +
                                                                      "/metrics",
                                              "--output", json}));
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(json));
  EXPECT_GT(scrape_count(j.root(), "server.metrics", "failed"), 0);
  EXPECT_GT(scrape_count(j.root(), "server.metrics", "skipped"), 0);
  EXPECT_EQ(scrape_count(j.root(), "server.metrics", "ok"), 0);
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/requests_succeeded"), 24);
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/output_tokens"), 24 * 32);
}

}  // namespace
}  // namespace llmbench::e2e
