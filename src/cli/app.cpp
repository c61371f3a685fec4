// `llmbench [flags]`: the benchmark as a short script of named steps —
// resolve the target, probe the server, build the plan, run the stages,
// report. Each step lives in a file named after it and fails with an exit
// code and a one-line message (failure.hpp).
#include "llmbench/util/atomic_file.hpp"
#include "llmbench/cli/app.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>

#include "llmbench/cli/exit_codes.hpp"
#include "llmbench/cli/plan_builder.hpp"
#include "llmbench/cli/probe.hpp"
#include "llmbench/cli/progress.hpp"
#include "llmbench/cli/signals.hpp"
#include "llmbench/cli/slot_eraser.hpp"
#include "llmbench/cli/target.hpp"
#include "llmbench/cli/telemetry_step.hpp"
#include "llmbench/load/engine.hpp"
#include "llmbench/report/csv_report.hpp"
#include "llmbench/report/vllm_export.hpp"
#include "llmbench/report/html_report.hpp"
#include "llmbench/report/json_report.hpp"
#include "llmbench/report/terminal.hpp"
#include "llmbench/util/clock.hpp"
#include "llmbench/util/realtime_offset.hpp"
#include <fmt/format.h>
#include "llmbench/version.hpp"

namespace llmbench::cli {

namespace {

constexpr auto kGracePeriod = std::chrono::seconds(2);

std::string iso_timestamp(std::time_t t, bool utc) {
  std::tm tm{};
  if (utc) {
    gmtime_r(&t, &tm);
  } else {
    localtime_r(&t, &tm);
  }
  char buf[32];
  std::strftime(buf, sizeof buf, utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

std::string signal_name(int signo) { return signo == SIGTERM ? "SIGTERM" : "SIGINT"; }

int report_failure(const Failure& f) {
  std::fprintf(stderr, "llmbench: %s\n", f.message.c_str());
  return f.exit_code;
}

// Ends the grace period early when the run finishes first.
struct RunGate {
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;

  void finish() {
    {
      std::lock_guard lock(mu);
      finished = true;
    }
    cv.notify_all();
  }
};

// --csv: every record, as the aggregator sees it end, after the stage's own
// observers (the spec per-run lines).
StageObserversFn with_csv(StageObserversFn inner, report::CsvWriter* csv, const RunPlan& plan, std::int64_t start_ns) {
  if (csv == nullptr) return inner;
  return [inner = std::move(inner), csv, &plan, start_ns](std::size_t i, const StagePlan& st, std::size_t n) {
    Observers o = inner(i, st, n);
    csv->begin_stage(st.label);
    o.record = [before = std::move(o.record), csv, &plan, start_ns](const RequestRecord& r) {
      if (before) before(r);
      csv->write(r, plan, start_ns);
    };
    return o;
  };
}

report::ShardReport shard_report(const ParsedSettings& p) {
  report::ShardReport sh;
  sh.shard = p.scale.shard;
  sh.source = p.scale.source;
  sh.start_at_utc = p.scale.start_at_utc;
  sh.start_at_unix_ns = p.scale.start_at_unix_ns.value_or(-1);
  const OffsetSample off = sample_realtime_offset(RealtimeOffset::kSampleTries);
  sh.realtime_offset_ns = off.offset_ns;
  sh.offset_uncertainty_ns = off.uncertainty_ns;
  return sh;
}

// Step 4: every stage, under a signal watcher. The first SIGINT/SIGTERM
// stops new requests and gives the ones in flight a grace period.
Step<report::RunReport> run_stages(const ParsedSettings& p, const TargetSetup& t, const RunPlan& plan,
                                   SlotEraser* eraser) {
  Engine engine(plan);
  if (Status st = engine.prepare(); !st) return fail(kExitUnreachable, st.error());
  engine.set_tls_context(t.tls.get());
  if (eraser != nullptr) engine.set_before_measured_run([eraser] { eraser->erase_all(); });
  RunGate gate;
  SignalWatcher watcher([&engine, &gate](int signo) {
    spdlog::warn("{}: no new requests; in-flight requests get {} s, then the results so far are written",
                 signal_name(signo), kGracePeriod.count());
    engine.interrupt();
    std::unique_lock lock(gate.mu);
    if (!gate.cv.wait_for(lock, kGracePeriod, [&gate] { return gate.finished; })) engine.cancel_in_flight();
  });
  report::RunReport rep;
  rep.plan = &plan;
  rep.timestamp = iso_timestamp(std::time(nullptr), false);
  rep.timestamp_utc = iso_timestamp(std::time(nullptr), true);
  if (!p.load_mode && p.raw.verbosity >= 0) {
    std::fprintf(stderr, "Benchmarking %s (%s) with %zu prompts x %d runs, %d warm-up request(s) per prompt%s\n",
                 plan.target.origin().c_str(), plan.model.c_str(), plan.groups.size(), p.raw.runs, p.raw.warmup,
                 eraser != nullptr ? "; slots erased before each run" : "");
  }
  if (p.raw.verbosity >= 0 && (p.scale.shard.count > 1 || p.scale.start_at_unix_ns)) {
    const double wait_s = plan.start_at_ns >= 0 ? static_cast<double>(plan.start_at_ns - now_ns()) / 1e9 : 0;
    std::fprintf(stderr, "Shard %u/%u (%s)%s%s%s\n", p.scale.shard.index, p.scale.shard.count,
                 p.scale.source.empty() ? "not sharded" : p.scale.source.c_str(),
                 p.scale.start_at_unix_ns ? "; stages start at " : "", p.scale.start_at_utc.c_str(),
                 wait_s > 0 ? fmt::format(" (in {:.1f} s)", wait_s).c_str()
                 : p.scale.start_at_unix_ns ? fmt::format(" ({:.3f} s ago: starting now)", -wait_s).c_str() : "");
  }
  report::CsvWriter csv;
  if (!p.raw.csv.empty()) {
    if (Status st = csv.open(p.raw.csv); !st) return fail(kExitUsage, st.error());
  }
  TelemetryStep telemetry(p, t, engine.run_start_ns());
  rep.stages = engine.run(telemetry.wrap(with_csv(progress_observers(p, plan), p.raw.csv.empty() ? nullptr : &csv,
                                                  plan, engine.run_start_ns())));
  gate.finish();
  telemetry.finish(rep);
  if (Status st = csv.close(); !st) spdlog::error("{}", st.error());
  rep.interrupted = engine.interrupted() || watcher.received() != 0;
  rep.run_start_ns = engine.run_start_ns();
  if (eraser != nullptr) rep.slot_erasure = eraser->counts();
  if (p.scale.shard.count > 1 || p.scale.start_at_unix_ns) rep.shard = shard_report(p);
  if (rep.interrupted) rep.interrupted_by = signal_name(watcher.received());
  return rep;
}

// Step 5: the results file first (a reader that closes stdout early, as
// `| head` does, must not cost the results), then the terminal report.
// One output file, atomically; false (with the reason on stderr) if it failed.
bool save(const std::string& path, const std::string& content, bool quiet, std::string_view what) {
  if (auto saved = util::write_file_atomically(path, content); !saved) {
    std::fprintf(stderr, "llmbench: %s\n", saved.error().c_str());
    return false;
  }
  if (!quiet) std::fprintf(stderr, "%.*s saved to %s\n", static_cast<int>(what.size()), what.data(), path.c_str());
  return true;
}

int report_run(const ParsedSettings& p, const report::RunReport& rep) {
  int code = kExitOk;
  const bool quiet = p.raw.verbosity < 0;
  const std::string json = report::render_json(rep);
  if (!p.raw.output.empty() && !save(p.raw.output, json, quiet, "Results")) code = kExitFailure;
  if (!p.raw.html.empty()) {
    const auto html = report::render_html_report({{p.raw.output.empty() ? "this run" : p.raw.output, json}});
    if (!html) {
      std::fprintf(stderr, "llmbench: --html: %s\n", html.error().c_str());
      code = kExitFailure;
    } else if (!save(p.raw.html, *html, quiet, "Report")) {
      code = kExitFailure;
    }
  }
  if (p.raw.export_to.size() == 2) {
    const auto vllm = report::render_vllm_export(json);
    if (!vllm) {
      std::fprintf(stderr, "llmbench: %s\n", vllm.error().c_str());
      code = kExitFailure;
    } else if (!save(p.raw.export_to[1], *vllm, quiet, "vLLM export")) {
      code = kExitFailure;
    }
  }
  const std::string text = rep.spec_mode() ? report::render_spec_terminal(rep) : report::render_load_terminal(rep);
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  return code;
}

int exit_code(const report::RunReport& rep, int report_code, bool strict) {
  if (rep.interrupted) return rep.interrupted_by == "SIGTERM" ? kExitSigterm : kExitSigint;
  for (const StageResult& st : rep.stages) {
    if (!st.stopped_early) continue;
    std::fprintf(stderr, "llmbench: %s\n", st.stopped_early->message.c_str());
    return st.stopped_early->kind == StopKind::unreachable ? kExitUnreachable : kExitErrorRate;
  }
  std::uint64_t succeeded = 0;
  for (const StageResult& st : rep.stages) succeeded += st.overall.succeeded;
  if (report_code == kExitOk && succeeded == 0) {
    std::fprintf(stderr, "llmbench: no request succeeded\n");
    return kExitNoSuccess;
  }
  if (report_code == kExitOk && strict) {
    for (const StageResult& st : rep.stages) {
      if (!st.client_limited()) continue;
      std::fprintf(stderr, "llmbench: --strict: the client was the bottleneck in stage %s\n", st.plan.label.c_str());
      return kExitClientLimited;
    }
  }
  return report_code;
}

}  // namespace

int run_benchmark(const ParsedSettings& p) {
  SignalWatcher::block_signals();
  Step<TargetSetup> target = resolve_target(p);
  if (!target) return report_failure(target.error());
  const Step<ServerInfo> server = probe_server(p, *target);
  if (!server) return report_failure(server.error());
  const Step<RunPlan> plan = build_plan(p, *target, *server);
  if (!plan) return report_failure(plan.error());
  report::SystemInfo system = report::collect_system_info();  // before the load changes it
  system.model = server->model;
  system.llmbench_version = kVersion;
  system.server_props_json = server->props_json;
  std::optional<SlotEraser> eraser;
  if (p.raw.erase_slots) {
    Step<SlotEraser> started = SlotEraser::start(*target, *server);
    if (!started) return report_failure(started.error());
    eraser.emplace(std::move(*started));
  }
  Step<report::RunReport> rep = run_stages(p, *target, *plan, eraser ? &*eraser : nullptr);
  if (!rep) return report_failure(rep.error());
  if (target->mock) target->mock->stop();
  rep->system = std::move(system);
  if (!server->props_json.empty()) rep->server = telemetry::parse_server_props(server->props_json);
  rep->config_json = settings_to_json(p.raw, false);
  return exit_code(*rep, report_run(p, *rep), p.raw.strict);
}

void setup_logging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("llmbench");
  logger->set_pattern("llmbench: %^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(verbosity < 0 ? spdlog::level::warn
                    : verbosity == 0 ? spdlog::level::info
                    : verbosity == 1 ? spdlog::level::debug
                                     : spdlog::level::trace);
}

}  // namespace llmbench::cli
