#include "llmbench/cli/app.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <asio/ssl.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fmt/format.h>
#include <mutex>
#include <optional>
#include <simdjson.h>
#include <thread>

#include "llmbench/cli/control_plane.hpp"
#include "llmbench/cli/exit_codes.hpp"
#include "llmbench/cli/options.hpp"
#include "llmbench/cli/signals.hpp"
#include "llmbench/http/request.hpp"
#include "llmbench/load/dataset.hpp"
#include "llmbench/load/engine.hpp"
#include "llmbench/load/prompts.hpp"
#include "llmbench/load/synthetic.hpp"
#include "llmbench/mock/server.hpp"
#include "llmbench/report/json_report.hpp"
#include "llmbench/report/terminal.hpp"
#include "llmbench/version.hpp"

namespace llmbench::cli {

namespace {

constexpr auto kGracePeriod = std::chrono::seconds(2);
constexpr std::size_t kSyntheticPrompts = 256;
constexpr int kDefaultLoadMaxTokens = 256;

struct Fail {
  int code;
  std::string message;
};

std::string local_timestamp(std::time_t t, bool utc) {
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

// The request headers every request carries: the API key and --header.
http::HeaderList request_headers(const Settings& s) {
  http::HeaderList h;
  std::string env = s.api_key_env;
  if (env.empty() && std::getenv("OPENAI_API_KEY") != nullptr) env = "OPENAI_API_KEY";
  if (!env.empty()) {
    if (const char* key = std::getenv(env.c_str()); key != nullptr && *key != '\0') {
      h.emplace_back("Authorization", std::string("Bearer ") + key);
    }
  }
  for (const std::string& line : s.headers) {
    const auto colon = line.find(':');
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    h.emplace_back(line.substr(0, colon), value);
  }
  return h;
}

std::optional<Fail> make_tls(const Settings& s, std::unique_ptr<asio::ssl::context>& tls) {
  tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  std::error_code ec;
  if (!s.ca_file.empty()) {
    tls->load_verify_file(s.ca_file, ec);
    if (ec) return Fail{kExitUsage, "--ca-file " + s.ca_file + ": " + ec.message()};
  } else {
    tls->set_default_verify_paths(ec);
  }
  if (s.insecure) {
    spdlog::warn("--insecure: the server's TLS certificate is NOT verified");
    tls->set_verify_mode(asio::ssl::verify_none);
  } else {
    tls->set_verify_mode(asio::ssl::verify_peer);
  }
  return std::nullopt;
}

PromptItem make_item(const RunPlan& plan, std::string key, std::string text, std::vector<protocol::ChatMessage> messages,
                     int max_tokens, bool ignore_eos, const http::HeaderList& headers, std::uint16_t group) {
  protocol::GenerationRequest g;
  g.flavor = plan.flavor;
  g.model = plan.model;
  g.messages = std::move(messages);
  g.prompt = text;
  g.max_tokens = max_tokens;
  g.stream = plan.stream;
  g.ignore_eos = ignore_eos;
  PromptItem item;
  item.key = std::move(key);
  item.text = std::move(text);
  item.max_tokens = max_tokens;
  item.group = group;
  item.request = http::build_request("POST", plan.target, plan.target.path(protocol::default_path(plan.flavor)), headers,
                                     protocol::build_body(g), plan.stream ? "text/event-stream" : "application/json");
  return item;
}

std::optional<Fail> build_prompts(const Settings& s, const http::HeaderList& headers, const http::FetchOptions& fopts,
                                  RunPlan& plan) {
  if (!s.dataset.empty()) {
    std::vector<DatasetEntry> entries;
    std::string error;
    if (!load_dataset(s.dataset, DatasetLimits{}, entries, error)) return Fail{kExitUsage, error};
    if (entries.empty()) return Fail{kExitUsage, s.dataset + ": no prompts in the file"};
    plan.groups.push_back(PromptGroup{"dataset", s.dataset, s.max_tokens});
    for (std::size_t i = 0; i < entries.size(); ++i) {
      DatasetEntry& e = entries[i];
      int mt = s.max_tokens > 0 ? s.max_tokens : e.max_tokens;
      if (mt <= 0) mt = e.reference_output_chars > 0 ? std::max(1, static_cast<int>(e.reference_output_chars / 4)) : kDefaultLoadMaxTokens;
      plan.prompts.push_back(make_item(plan, "dataset:" + std::to_string(i), e.prompt, std::move(e.messages), mt,
                                       s.ignore_eos, headers, 0));
    }
    return std::nullopt;
  }
  if (!s.input_tokens.empty()) {
    std::string error;
    const auto in = parse_length_spec(s.input_tokens, error);
    if (!in) return Fail{kExitUsage, "--input-tokens: " + error};
    std::optional<LengthSpec> out;
    if (!s.output_tokens.empty()) {
      out = parse_length_spec(s.output_tokens, error);
      if (!out) return Fail{kExitUsage, "--output-tokens: " + error};
    }
    const http::Target target = plan.target;
    const TokenCounter counter = [target, fopts](const std::string& text) -> std::optional<std::uint32_t> {
      std::string body = "{\"content\":";
      protocol::append_json_string(body, text);
      body += "}";
      const http::FetchResult r = http::fetch(target, "POST", target.path("/tokenize"), body, fopts);
      if (!r.ok || r.status != 200) return std::nullopt;
      simdjson::dom::parser p;
      simdjson::dom::array tokens;
      if (p.parse(r.body)["tokens"].get(tokens)) return std::nullopt;
      return static_cast<std::uint32_t>(tokens.size());
    };
    const auto prompts = make_synthetic_prompts(*in, out, kSyntheticPrompts, s.seed, counter);
    plan.groups.push_back(PromptGroup{"synthetic", "synthetic prompts, input tokens " + s.input_tokens, 0});
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      const DatasetEntry& e = prompts[i].entry;
      const int mt = s.max_tokens > 0 ? s.max_tokens : (e.max_tokens > 0 ? e.max_tokens : kDefaultLoadMaxTokens);
      PromptItem item = make_item(plan, "synthetic:" + std::to_string(i), e.prompt, {}, mt,
                                  s.ignore_eos || out.has_value(), headers, 0);
      item.input_tokens_hint = prompts[i].input_tokens;
      plan.prompts.push_back(std::move(item));
    }
    return std::nullopt;
  }
  std::vector<const BuiltinPrompt*> chosen;
  if (s.prompts.empty()) {
    for (const BuiltinPrompt& p : builtin_prompts()) chosen.push_back(&p);
  } else {
    for (const std::string& key : s.prompts) chosen.push_back(find_builtin_prompt(key));
  }
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const BuiltinPrompt& p = *chosen[i];
    const int mt = s.max_tokens > 0 ? s.max_tokens : p.max_tokens;
    plan.groups.push_back(PromptGroup{std::string(p.key), std::string(p.text), mt});
    plan.prompts.push_back(make_item(plan, std::string(p.key), std::string(p.text), {}, mt, s.ignore_eos, headers,
                                     static_cast<std::uint16_t>(i)));
  }
  return std::nullopt;
}

StagePlan base_stage(const Settings& s) {
  StagePlan st;
  st.requests = s.requests;
  st.duration_s = s.duration_s;
  st.warmup_s = s.warmup_s;
  st.cooldown_s = s.cooldown_s;
  st.max_concurrency = s.max_concurrency;
  return st;
}

StagePlan closed_stage(const Settings& s, int concurrency) {
  StagePlan st = base_stage(s);
  st.mode = LoadMode::closed;
  st.concurrency = concurrency;
  st.label = fmt::format("concurrency={}", concurrency);
  return st;
}

StagePlan open_stage(const Settings& s, double rate) {
  StagePlan st = base_stage(s);
  st.mode = LoadMode::open;
  st.rate_rps = rate;
  st.label = fmt::format("rate={:.4g}", rate);
  return st;
}

// Stages known before the run (an automatic sweep adds its rates later).
std::vector<StagePlan> plan_stages(const Settings& s, const SweepSpec& sweep) {
  std::vector<StagePlan> stages;
  if (!is_load_mode(s)) {
    StagePlan st;
    st.label = "spec";
    st.mode = LoadMode::spec;
    st.runs = s.runs;
    st.warmup_requests = s.warmup;
    stages.push_back(st);
    return stages;
  }
  switch (sweep.kind) {
    case SweepSpec::Kind::concurrency:
      for (const double c : sweep.values) stages.push_back(closed_stage(s, static_cast<int>(c)));
      break;
    case SweepSpec::Kind::rate:
      for (const double r : sweep.values) stages.push_back(open_stage(s, r));
      break;
    case SweepSpec::Kind::automatic: {
      stages.push_back(closed_stage(s, 1));
      StagePlan sat = closed_stage(s, s.concurrency > 1 ? s.concurrency : 64);
      sat.label = fmt::format("saturation (concurrency={})", sat.concurrency);
      stages.push_back(sat);
      break;
    }
    case SweepSpec::Kind::none:
      stages.push_back(s.rate > 0 ? open_stage(s, s.rate) : closed_stage(s, std::max(1, s.concurrency)));
      break;
  }
  return stages;
}

// Live progress on stderr: one updating line on a terminal, else a log line
// every few seconds.
class ProgressPrinter {
 public:
  ProgressPrinter(bool enabled, const StagePlan& stage, std::size_t index, std::size_t count)
      : enabled_(enabled), tty_(::isatty(STDERR_FILENO) == 1), stage_(stage), index_(index), count_(count) {}
  ~ProgressPrinter() {
    if (enabled_ && tty_ && printed_) std::fputs("\n", stderr);
  }
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;

  void operator()(const Progress& p) {
    if (!enabled_) return;
    const double total = stage_.warmup_s + stage_.duration_s + stage_.cooldown_s;
    const std::string when = stage_.duration_s > 0 ? fmt::format("{:.0f}/{:.0f} s", p.elapsed_s, total)
                                                   : fmt::format("{:.0f} s", p.elapsed_s);
    const std::string count =
        stage_.requests > 0 ? fmt::format("{}/{}", p.stage->phases.measured, stage_.requests) : fmt::format("{}", p.ended);
    const std::string line = fmt::format("[{}/{} {}] {}  done {}  in flight {}  {:.0f} tok/s  errors {}", index_ + 1,
                                         count_, stage_.label, when, count, p.in_flight, p.output_tokens_per_second,
                                         p.errors);
    if (tty_) {
      std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
      printed_ = true;
    } else if (p.elapsed_s - last_log_s_ >= 5.0) {
      std::fprintf(stderr, "%s\n", line.c_str());
      last_log_s_ = p.elapsed_s;
    }
  }

 private:
  bool enabled_;
  bool tty_;
  const StagePlan& stage_;
  std::size_t index_, count_;
  bool printed_ = false;
  double last_log_s_ = -10;
};

// Spec mode's per-run lines, as the guide's script prints while it runs.
class RunPrinter {
 public:
  RunPrinter(bool enabled, const RunPlan& plan, int runs) : enabled_(enabled), plan_(plan), runs_(runs) {
    done_.resize(plan.groups.size());
  }
  void operator()(const RequestRecord& r) {
    if (!enabled_) return;
    const std::uint16_t g = plan_.prompts[r.prompt].group;
    const std::string& key = plan_.groups[g].key;
    if (r.phase == Phase::warmup) {
      std::fprintf(stderr, "Warm-up (%s): %s\n", key.c_str(),
                   r.ok() ? "ok" : fmt::format("{}: {}", to_string(r.error), r.message()).c_str());
      return;
    }
    const int n = ++done_[g];
    if (r.ok()) {
      std::fprintf(stderr, "  %-20s run %d/%d: %7.2f tok/s  (%u tokens in %.2f s, TTFT %.1f ms)\n", key.c_str(), n, runs_,
                   report::run_tokens_per_second(r), r.completion_tokens, report::run_duration_s(r),
                   report::run_ttft_ms(r));
    } else {
      std::fprintf(stderr, "  %-20s run %d/%d: FAILED %s: %s\n", key.c_str(), n, runs_,
                   std::string(to_string(r.error)).c_str(), r.message().data());
    }
  }

 private:
  bool enabled_;
  const RunPlan& plan_;
  int runs_;
  std::vector<int> done_;
};

// Ends the grace period early when the run finishes first.
struct RunGate {
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
};

std::string signal_name(int signo) { return signo == SIGTERM ? "SIGTERM" : "SIGINT"; }

int run(const Settings& s) {
  SignalWatcher::block_signals();
  RunPlan plan;
  // --- target --------------------------------------------------------------
  std::unique_ptr<mock::MockServer> mock_server;
  std::string error;
  if (s.mock) {
    mock::MockConfig mc;
    mc.decode_tps = s.mock_decode_tps;
    mc.prompt_tps = s.mock_prompt_tps;
    mc.ttft_ms = s.mock_ttft_ms;
    mc.slots = s.mock_slots;
    mc.jitter = s.mock_jitter;
    mc.fault = s.mock_fault;
    mc.fault_every = s.mock_fault_every;
    mc.load_seconds = s.mock_load_seconds;
    mc.threads = s.mock_threads;
    mc.seed = s.seed;
    mock_server = std::make_unique<mock::MockServer>(mc);
    try {
      plan.target.host = "127.0.0.1";
      plan.target.port = mock_server->start();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "llmbench: %s\n", e.what());
      return kExitFailure;
    }
    spdlog::info("built-in server listening on {}", plan.target.origin());
  } else if (!s.url.empty()) {
    const auto t = http::parse_url(s.url, error);
    if (!t) {
      std::fprintf(stderr, "llmbench: --url: %s\n", error.c_str());
      return kExitUsage;
    }
    plan.target = *t;
  } else {
    plan.target.host = s.host;
    plan.target.port = static_cast<std::uint16_t>(s.port);
  }
  std::unique_ptr<asio::ssl::context> tls;
  if (plan.target.tls) {
    if (auto f = make_tls(s, tls)) {
      std::fprintf(stderr, "llmbench: %s\n", f->message.c_str());
      return f->code;
    }
  }
  const http::HeaderList headers = request_headers(s);
  http::FetchOptions fopts;
  fopts.headers = headers;
  fopts.tls = tls.get();
  fopts.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(std::min(s.timeout_s, 10.0) * 1000));

  // --- control plane -------------------------------------------------------
  if (s.wait_ready_s > 0) {
    std::string state;
    if (!wait_until_ready(plan.target, s.wait_ready_s, fopts, state)) {
      std::fprintf(stderr, "llmbench: the server at %s was not ready after %g s (last: %s)\n",
                   plan.target.origin().c_str(), s.wait_ready_s, state.c_str());
      return kExitUnreachable;
    }
  }
  const http::FetchResult models = http::fetch(plan.target, "GET", plan.target.path("/v1/models"), "", fopts);
  if (!models.ok) {
    std::fprintf(stderr, "llmbench: %s (%s)\n", unreachable_advice(plan.target).c_str(), models.error.c_str());
    return kExitUnreachable;
  }
  if (models.status == 503) {
    std::fprintf(stderr, "llmbench: the server at %s is still loading its model (HTTP 503); wait, or add --wait-ready SECONDS\n",
                 plan.target.origin().c_str());
    return kExitUnreachable;
  }
  if (models.status == 401 || models.status == 403) {
    std::fprintf(stderr, "llmbench: GET /v1/models answered HTTP %d: set the API key with --api-key-env NAME\n",
                 models.status);
    return kExitUnreachable;
  }
  plan.model = s.model;
  if (plan.model.empty()) {
    if (models.status == 200) plan.model = first_model_id(models.body).value_or("");
    if (plan.model.empty()) spdlog::warn("GET /v1/models gave no model id; requests name no model (use --model)");
  }
  report::RunReport rep;
  rep.plan = &plan;
  rep.system = report::collect_system_info();
  rep.system.model = plan.model;
  rep.system.llmbench_version = kVersion;
  if (const http::FetchResult props = http::fetch(plan.target, "GET", plan.target.path("/props"), "", fopts);
      props.ok && props.status == 200) {
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (!p.parse(props.body).get(e) && e.is_object()) rep.system.server_props_json = simdjson::minify(e);
  }

  // --- plan ----------------------------------------------------------------
  plan.flavor = *protocol::parse_flavor(s.endpoint);
  plan.stream = s.stream;
  plan.timeout_s = s.timeout_s;
  plan.idle_timeout_s = s.idle_timeout_s;
  plan.max_event_bytes = static_cast<std::size_t>(s.max_event_bytes);
  plan.stamp_lag = s.stamp_lag;
  plan.keepalive = s.keepalive;
  plan.threads = s.threads > 0 ? s.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  plan.seed = s.seed;
  plan.arrival = s.arrival == "constant" ? Arrival::constant : s.arrival == "gamma" ? Arrival::gamma : Arrival::poisson;
  plan.burstiness = s.burstiness;
  SweepSpec sweep;
  parse_sweep(s.sweep, sweep, error);
  parse_slo(s.slo, plan.slo, error);
  if (auto f = build_prompts(s, headers, fopts, plan)) {
    std::fprintf(stderr, "llmbench: %s\n", f->message.c_str());
    return f->code;
  }
  plan.stages = plan_stages(s, sweep);
  const bool spec = plan.stages.front().mode == LoadMode::spec;

  // --- run -----------------------------------------------------------------
  Engine engine(plan);
  if (!engine.prepare(error)) {
    std::fprintf(stderr, "llmbench: %s\n", error.c_str());
    return kExitUnreachable;
  }
  engine.set_tls_context(tls.get());
  RunGate gate;
  SignalWatcher watcher([&engine, &gate](int signo) {
    spdlog::warn("{}: no new requests; in-flight requests get {} s, then the results so far are written",
                 signal_name(signo), kGracePeriod.count());
    engine.interrupt();
    std::unique_lock lock(gate.mu);
    if (!gate.cv.wait_for(lock, kGracePeriod, [&gate] { return gate.finished; })) engine.cancel_in_flight();
  });
  rep.timestamp = local_timestamp(std::time(nullptr), false);
  rep.timestamp_utc = local_timestamp(std::time(nullptr), true);
  const bool quiet = s.verbosity < 0;
  if (spec && !quiet) {
    std::fprintf(stderr, "Benchmarking %s (%s) with %zu prompts x %d runs, %d warm-up request(s)\n",
                 plan.target.origin().c_str(), plan.model.c_str(), plan.groups.size(), s.runs, s.warmup);
  }
  for (std::size_t i = 0; i < plan.stages.size() && !engine.interrupted(); ++i) {
    const StagePlan& st = plan.stages[i];
    ProgressPrinter progress(!spec && !quiet && !s.no_progress, st, i, plan.stages.size());
    RunPrinter runs(spec && !quiet, plan, s.runs);
    Observers obs;
    if (!spec) obs.progress = [&progress](const Progress& p) { progress(p); };
    if (spec) obs.record = [&runs](const RequestRecord& r) { runs(r); };
    obs.progress_interval = std::chrono::milliseconds(::isatty(STDERR_FILENO) ? 250 : 1000);
    rep.stages.push_back(engine.run_stage(static_cast<std::uint32_t>(i), st, obs));
    // An automatic sweep: after the synchronous and the saturating stage,
    // evenly spaced rates between their throughputs.
    if (sweep.kind == SweepSpec::Kind::automatic && i == 1) {
      const double lo = rep.stages[0].overall.request_throughput();
      const double hi = rep.stages[1].overall.request_throughput();
      if (hi > lo && lo > 0) {
        for (int k = 1; k <= 4; ++k) plan.stages.push_back(open_stage(s, lo + (hi - lo) * k / 5.0));
      } else {
        spdlog::warn("--sweep auto: saturation gave no more throughput than one client; no rate stages");
      }
    }
  }
  {
    std::lock_guard lock(gate.mu);
    gate.finished = true;
  }
  gate.cv.notify_all();
  rep.interrupted = engine.interrupted() || watcher.received() != 0;
  if (rep.interrupted) rep.interrupted_by = signal_name(watcher.received());
  rep.config_json = settings_to_json(s, false);
  if (mock_server) mock_server->stop();

  // --- report --------------------------------------------------------------
  // The file first: a reader that closes stdout early (| head) must not cost
  // the results.
  int code = kExitOk;
  if (!s.output.empty()) {
    if (!report::write_file_atomically(s.output, report::render_json(rep), error)) {
      std::fprintf(stderr, "llmbench: %s\n", error.c_str());
      code = kExitFailure;
    } else if (!quiet) {
      std::fprintf(stderr, "Results saved to %s\n", s.output.c_str());
    }
  }
  const std::string text = spec ? report::render_spec_terminal(rep) : report::render_load_terminal(rep);
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  std::uint64_t succeeded = 0;
  for (const StageResult& st : rep.stages) succeeded += st.overall.succeeded;
  if (rep.interrupted) return watcher.received() == SIGTERM ? kExitSigterm : kExitSigint;
  if (code == kExitOk && succeeded == 0) {
    std::fprintf(stderr, "llmbench: no request succeeded\n");
    code = kExitNoSuccess;
  }
  return code;
}

}  // namespace

void setup_logging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("llmbench");
  logger->set_pattern("llmbench: %^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(verbosity < 0 ? spdlog::level::warn
                    : verbosity == 0 ? spdlog::level::info
                    : verbosity == 1 ? spdlog::level::debug
                                     : spdlog::level::trace);
}

int run_benchmark(const Settings& s) { return run(s); }

}  // namespace llmbench::cli
