#include "llmbench/util/atomic_file.hpp"
#include "llmbench/cli/cli.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>

#include "llmbench/cli/app.hpp"
#include "llmbench/cli/compare_command.hpp"
#include "llmbench/cli/depth.hpp"
#include "llmbench/cli/exit_codes.hpp"
#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/cli/options.hpp"
#include "llmbench/cli/report_command.hpp"
#include "llmbench/cli/selftest.hpp"
#include "llmbench/mock/config.hpp"
#include "llmbench/mock/server.hpp"
#include "llmbench/report/json_report.hpp"
#include "llmbench/report/merge.hpp"
#include "llmbench/report/shard_merge.hpp"
#include "llmbench/version.hpp"

namespace llmbench::cli {

namespace {
constexpr const char* kExamples = R"(
Examples:
  # The guide's benchmark: 6 prompts x 5 runs against llama-server on port 8001
  llmbench --port 8001 --runs 5 --output results.json
  # Two prompts only, against the built-in server
  llmbench --mock --prompts memory_sequential,cache_loops
  # Sustained load: 64 streams for 5 minutes after 30 s of warm-up
  llmbench --url http://127.0.0.1:8080 --concurrency 64 --duration 300 --warmup-seconds 30
  # Open loop, Poisson arrivals at 5 req/s, goodput against an SLO
  llmbench --rate 5 --duration 60 --slo ttft_ms=500,tpot_ms=50
  # Where does the server saturate?
  llmbench --sweep concurrency=1,2,4,8,16 --duration 30
  # The load rising across one stage: Poisson arrivals from 1 to 50 req/s over 2 minutes
  llmbench --ramp rate=1..50 --duration 120 --html ramp.html
  # A scenario file, with one setting overridden
  llmbench --config bench_configs/sweep.json --port 8080
  # Several runs' latency distributions combined exactly
  llmbench merge run1.json run2.json --output merged.json
  # One load from 4 processes (or machines), started together, merged into one result
  llmbench --rate 40 --duration 60 --shard 0/4 --start-at 2026-01-02T15:04:05Z --output shard-0.json  # ... 3/4
  llmbench merge shard-*.json --output run.json
  # Charts of a sweep, or of two runs overlaid, in one HTML file
  llmbench report sweep.json --html sweep.html
  llmbench report before.json after.json --html compare.html
  # Is the new run faster? Verdicts with 95 % intervals; exit 5 if > 2 % slower
  llmbench compare baseline.json optimized.json --fail-if-slower 2
  # How far llmbench's own timestamps are from the truth on this machine
  llmbench selftest
  # The built-in llama-server imitation on its own
  llmbench mock-server --port 8080 --slots 4 --decode-tps 50

Exit codes: 0 ok, 1 internal or output error, 2 bad flag/config/dataset (nothing sent),
3 server unreachable or not ready, 4 no request succeeded (results still written),
5 compare --fail-if-slower tripped, 6 --strict: the client was the bottleneck,
7 a stage passed --max-error-rate (results still written),
130/143 interrupted by SIGINT/SIGTERM (results so far written).
)";
// Files with a "shard" object are one sharded run, merged into one result
// of a single run's layout; plain results files get their histograms combined.
int run_merge(const std::vector<std::string>& files, const std::string& output, bool allow_missing) {
  const Expected<report::MergedResults> merged =
      report::any_sharded(files) ? report::merge_shards(files, report::ShardMergeOptions{.allow_missing = allow_missing})
                                 : report::merge_results(files);
  if (!merged) {
    std::fprintf(stderr, "llmbench merge: %s\n", merged.error().c_str());
    return kExitUsage;
  }
  for (const std::string& warning : merged->warnings) std::fprintf(stderr, "llmbench merge: warning: %s\n", warning.c_str());
  std::fputs(merged->table.c_str(), stdout);
  if (output.empty()) return kExitOk;
  if (auto saved = util::write_file_atomically(output, merged->json); !saved) {
    std::fprintf(stderr, "llmbench merge: %s\n", saved.error().c_str());
    return kExitFailure;
  }
  return kExitOk;
}

int run_mock_server(const mock::MockConfig& cfg) {
  if (const auto valid = mock::validate(cfg); !valid) {
    std::fprintf(stderr, "llmbench mock-server: %s\n", describe(valid.error(), true).c_str());
    return kExitUsage;
  }
  return mock::run_mock_server_cli(cfg);
}

// The main command's settings, resolved and checked (config file, then flags).
Expected<ParsedSettings> main_settings(const Settings& cli_settings, const BoundOptions& bound, Settings& resolved) {
  Expected<Settings> s = resolve_settings(cli_settings, bound);
  if (!s) return Unexpected(s.error());
  resolved = *s;
  return parse_settings(*s);
}

// llmbench depth: the main command's target options, then the depth table.
int run_depth_command(const DepthOptions& opts, const Settings& cli_settings, const BoundOptions& bound) {
  Settings resolved;
  const Expected<ParsedSettings> parsed = main_settings(cli_settings, bound, resolved);
  if (!parsed) {
    std::fprintf(stderr, "llmbench depth: %s\n", parsed.error().c_str());
    return kExitUsage;
  }
  setup_logging(resolved.verbosity);
  return run_depth(opts, *parsed);
}

int run_main_command(const Settings& cli_settings, const BoundOptions& bound) {
  Expected<Settings> s = resolve_settings(cli_settings, bound);
  if (!s) {
    std::fprintf(stderr, "llmbench: %s\n", s.error().c_str());
    return kExitUsage;
  }
  const Expected<ParsedSettings> parsed = parse_settings(*s);
  if (!parsed) {
    std::fprintf(stderr, "llmbench: %s\n", parsed.error().c_str());
    return kExitUsage;
  }
  if (bound.dump_config) {
    std::printf("%s\n", settings_to_json(*s).c_str());
    return kExitOk;
  }
  setup_logging(s->verbosity);
  return run_benchmark(*parsed);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"llmbench: benchmark and load generator for OpenAI-compatible LLM servers (llama.cpp first)", "llmbench"};
  app.footer(kExamples);
  app.set_version_flag("--version", std::string("llmbench ") + kVersion);
  app.option_defaults()->always_capture_default(false);
  Settings cli_settings;
  BoundOptions bound;
  bind_settings(app, cli_settings, bound);

  mock::MockConfig mock_cfg;
  CLI::App* mock_cmd = app.add_subcommand("mock-server", "Run the built-in llama-server imitation in the foreground");
  bind_mock_options(*mock_cmd, mock_cfg);

  std::vector<std::string> merge_files;
  std::string merge_output;
  CLI::App* merge_cmd = app.add_subcommand("merge", "Merge a sharded run's files into one result, or combine several results' histograms exactly");
  merge_cmd->add_option("files", merge_files, "llmbench results files (JSON)")->required()->check(CLI::ExistingFile);
  merge_cmd->add_option("--output", merge_output, "Write the merged result as JSON");
  bool merge_allow_missing = false;
  merge_cmd->add_flag("--allow-missing", merge_allow_missing,
                      "Shards: merge even when some of the N shards' files are missing (the result says so)");

  CompareOptions compare_opts;
  CLI::App* compare_cmd = add_compare_command(app, compare_opts);

  ReportOptions report_opts;
  CLI::App* report_cmd = add_report_command(app, report_opts);

  SelftestOptions selftest_opts;
  CLI::App* selftest_cmd = add_selftest_command(app, selftest_opts);

  DepthOptions depth_opts;
  CLI::App* depth_cmd = add_depth_command(app, depth_opts);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "llmbench: %s (see llmbench --help)\n", e.what());
    return kExitUsage;
  }

  if (mock_cmd->parsed()) return run_mock_server(mock_cfg);
  if (merge_cmd->parsed()) return run_merge(merge_files, merge_output, merge_allow_missing);
  if (compare_cmd->parsed()) return run_compare(compare_opts);
  if (report_cmd->parsed()) return run_report(report_opts);
  if (selftest_cmd->parsed()) return run_selftest(selftest_opts);
  if (depth_cmd->parsed()) return run_depth_command(depth_opts, cli_settings, bound);
  return run_main_command(cli_settings, bound);
}

}  // namespace llmbench::cli
