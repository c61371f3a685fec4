// llmbench depth (depth.hpp): for each concurrency and depth, `runs` rounds
// of: every client fills its slot with its own d-token prefix, then all send
// that prefix and pp new tokens at once and generate tg. The figures are the
// server's timings of the second request (prompt_n / prompt_ms is prefill at
// depth d, predicted_n / predicted_ms decode at depth d), the client's E2E
// beside them.
#include "llmbench/cli/depth.hpp"

#include "llmbench/load/response_consumer.hpp"

#include <fmt/format.h>

#include <barrier>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <thread>
#include <vector>

#include "llmbench/cli/exit_codes.hpp"
#include "llmbench/cli/plan_builder.hpp"
#include "llmbench/cli/probe.hpp"
#include "llmbench/cli/target.hpp"
#include "llmbench/http/fetch.hpp"
#include "llmbench/load/synthetic.hpp"
#include "llmbench/protocol/api.hpp"
#include "llmbench/protocol/event_decoder.hpp"
#include "llmbench/report/run_report.hpp"
#include "llmbench/stats/inference.hpp"
#include "llmbench/util/atomic_file.hpp"
#include "llmbench/util/clock.hpp"
#include "llmbench/util/json_escape.hpp"
#include "llmbench/util/splitmix64.hpp"

#include <spdlog/spdlog.h>

namespace llmbench::cli {

namespace {

// Seeds the word streams of one (depth, client, run) cell apart.
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t salt, std::uint64_t depth, std::uint64_t client) {
  SplitMix64 r(seed ^ (salt * 0x9e3779b97f4a7c15ull) ^ (depth * 0xbf58476d1ce4e5b9ull) ^ (client * 0x94d049bb133111ebull));
  return r.next();
}

// Each depth client is a thread of its own and holds a server slot: past
// this many, a typo (--concurrency 10000) would start threads by the
// thousand against a server that has tens of slots.
constexpr std::uint32_t kMaxDepthClients = 1024;

Expected<std::vector<std::uint32_t>> parse_list(const std::string& text, const char* flag, std::uint32_t min,
                                                std::uint32_t max = std::numeric_limits<std::uint32_t>::max()) {
  std::vector<std::uint32_t> out;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    std::uint32_t v = 0;
    const auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc{} || p != item.data() + item.size() || v < min || v > max) {
      const std::string range = max == std::numeric_limits<std::uint32_t>::max() ? fmt::format(">= {}", min)
                                                                                  : fmt::format("from {} to {}", min, max);
      return Unexpected(fmt::format("{} '{}': expected a comma-separated list of integers {}", flag, text, range));
    }
    out.push_back(v);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  if (out.empty()) return Unexpected(fmt::format("{} '{}': expected at least one value", flag, text));
  return out;
}

// One measured request: the server's timings and the client's E2E.
struct Sample {
  bool ok = false;
  std::string error;
  double e2e_ms = 0;
  ServerTimings timings;
  // The client's view of the same streamed reply: its TTFT and the time
  // from its first to its last token, with the tokens it counted.
  double ttft_ms = -1;
  double decode_ms = -1;
  std::uint32_t tokens = 0;
};

struct Cell {
  std::uint32_t clients = 0;
  std::uint32_t depth = 0;
  std::vector<Sample> samples;
};

struct Context {
  const ParsedSettings& p;
  const TargetSetup& t;
  std::string model;
  std::string path;
  http::FetchOptions fetch;
  TokenCounter counter;
  double words_per_token = 1;
  std::uint32_t around = 0;  // the template's tokens around a text (chat), with the BOS
};

std::string body_for(const Context& c, const std::string& text, int max_tokens, bool stream = false) {
  protocol::GenerationRequest g;
  g.flavor = c.p.flavor;
  g.model = c.model;
  g.prompt = text;
  g.max_tokens = max_tokens;
  g.ignore_eos = true;
  g.stream = stream;
  g.cache_prompt = true;
  return protocol::build_body(g);
}

std::string fetch_error(const http::FetchResult& r) {
  if (!r.ok) return r.error;
  return fmt::format("HTTP {}: {}", r.status, r.body.substr(0, 200));
}

// The measured request, streamed: the server's timings from its last event,
// the client's TTFT and decode time from the reads that carried the tokens
// (the load path's parser, fed the fetch's reads with their times).
Sample measure(const Context& c, const std::string& measured, int tg, Sample s) {
  protocol::EventDecoder decoder;
  ResponseConsumer consumer(decoder, 1u << 20);
  RequestRecord rec;
  consumer.start(rec, true, c.p.flavor);
  http::FetchOptions opts = c.fetch;
  opts.on_read = [&consumer](std::string_view bytes, std::int64_t t_ns) {
    ReadTokens tokens;
    consumer.on_read(bytes, t_ns, tokens);
  };
  const std::int64_t t0 = now_ns();
  const http::FetchResult r = http::fetch(c.t.target, "POST", c.path, body_for(c, measured, tg, true), opts);
  s.e2e_ms = static_cast<double>(now_ns() - t0) / 1e6;
  if (!r.ok || r.status != 200) {
    s.error = fetch_error(r);
    return s;
  }
  if (!consumer.done()) consumer.on_eof(now_ns());
  if (!rec.ok()) {
    s.error = std::string(rec.message());
    return s;
  }
  s.timings = rec.timings;
  if (rec.first_token_ns >= 0) s.ttft_ms = static_cast<double>(rec.first_token_ns - t0) / 1e6;
  if (rec.last_token_ns > rec.first_token_ns) s.decode_ms = static_cast<double>(rec.last_token_ns - rec.first_token_ns) / 1e6;
  s.tokens = rec.completion_tokens;
  s.ok = true;
  return s;
}

// One client's round: fill (depth > 0), wait for the others, measure.
Sample client_round(const Context& c, const std::string& prefix, const std::string& measured, int tg,
                    std::barrier<>& sync) {
  Sample s;
  if (!prefix.empty()) {
    const http::FetchResult fill = http::fetch(c.t.target, "POST", c.path, body_for(c, prefix, 1), c.fetch);
    if (!fill.ok || fill.status != 200) s.error = "filling the context: " + fetch_error(fill);
  }
  sync.arrive_and_wait();
  if (!s.error.empty()) return s;
  return measure(c, measured, tg, s);
}

Cell run_cell(const Context& c, std::uint32_t clients, std::uint32_t depth, const DepthOptions& o) {
  Cell cell{clients, depth, {}};
  std::vector<std::string> prefixes(clients);
  std::vector<std::uint32_t> prefix_counts(clients, c.around);
  for (std::uint32_t i = 0; i < clients && depth > 0; ++i) {
    const std::uint64_t seed = mix_seed(c.p.raw.seed, 0xdeb7, depth, i);
    FittedText f = fitted_text(depth + c.around, seed, c.words_per_token, c.counter);
    prefixes[i] = std::move(f.text);
    prefix_counts[i] = f.count.value_or(depth + c.around);
  }
  for (int run = 0; run < o.runs; ++run) {
    std::vector<std::string> measured(clients);
    for (std::uint32_t i = 0; i < clients; ++i) {
      // New words every run and every cell: a request seen before would be
      // served from the cache.
      const std::uint64_t salt = 0x9e11 + static_cast<std::uint64_t>(run) + (std::uint64_t{clients} << 20);
      const std::uint64_t seed = mix_seed(c.p.raw.seed, salt, depth, i);
      // At depth 0 the whole prompt is pp tokens (template included); deeper,
      // pp more than the prefix as the server counts it.
      const std::uint32_t target =
          depth == 0 ? static_cast<std::uint32_t>(o.pp) : prefix_counts[i] + static_cast<std::uint32_t>(o.pp);
      measured[i] = fitted_text(target, seed, c.words_per_token, c.counter, prefixes[i], prefix_counts[i]).text;
    }
    std::vector<Sample> round(clients);
    std::barrier sync(static_cast<std::ptrdiff_t>(clients));
    std::vector<std::thread> threads;
    threads.reserve(clients);
    for (std::uint32_t i = 0; i < clients; ++i) {
      threads.emplace_back([&, i] { round[i] = client_round(c, prefixes[i], measured[i], o.tg, sync); });
    }
    for (std::thread& th : threads) th.join();
    cell.samples.insert(cell.samples.end(), round.begin(), round.end());
  }
  return cell;
}

// Mean and sample standard deviation of a figure over the cell's successful
// samples that have it.
template <class F>
stats::SampleSummary summary(const Cell& cell, F figure) {
  std::vector<double> v;
  for (const Sample& s : cell.samples) {
    if (!s.ok) continue;
    if (const std::optional<double> x = figure(s)) v.push_back(*x);
  }
  return stats::summarize_sample(v);
}

std::optional<double> pp_rate(const Sample& s) {
  if (!s.timings.present || s.timings.prompt_ms <= 0) return std::nullopt;
  return s.timings.prompt_n / s.timings.prompt_ms * 1e3;
}
std::optional<double> tg_rate(const Sample& s) {
  if (!s.timings.present || s.timings.predicted_ms <= 0) return std::nullopt;
  return s.timings.predicted_n / s.timings.predicted_ms * 1e3;
}

// The client's rates: prefill as the new prompt tokens (the server's count,
// else pp) over its TTFT, which also holds the queue and the network;
// decode as the tokens after the first over the time from first to last.
std::optional<double> client_pp_rate(const Sample& s, double pp) {
  if (s.ttft_ms <= 0) return std::nullopt;
  return (s.timings.present ? s.timings.prompt_n : pp) / s.ttft_ms * 1e3;
}
std::optional<double> client_tg_rate(const Sample& s) {
  if (s.decode_ms <= 0 || s.tokens < 2) return std::nullopt;
  return static_cast<double>(s.tokens - 1) / s.decode_ms * 1e3;
}

std::string mean_std(const stats::SampleSummary& s, int decimals) {
  if (s.n == 0) return "n/a";
  return fmt::format("{:.{}f} ± {:.{}f}", s.mean, decimals, std::sqrt(s.variance), decimals);
}

struct Row {
  std::uint32_t clients = 0;
  std::uint32_t depth = 0;
  std::string test;
  stats::SampleSummary tps;
  stats::SampleSummary client_tps;
  stats::SampleSummary new_tokens;
  stats::SampleSummary cached;
  stats::SampleSummary e2e_ms;
};

std::vector<Row> rows_of(const std::vector<Cell>& cells, const DepthOptions& o) {
  std::vector<Row> rows;
  for (const Cell& cell : cells) {
    const auto prompt_n = [](const Sample& s) -> std::optional<double> {
      return s.timings.present ? std::optional(s.timings.prompt_n) : std::nullopt;
    };
    const auto cache_n = [](const Sample& s) -> std::optional<double> {
      return s.timings.present ? std::optional(s.timings.cache_n) : std::nullopt;
    };
    const auto e2e = [](const Sample& s) -> std::optional<double> { return s.e2e_ms; };
    const auto client_pp = [&o](const Sample& s) { return client_pp_rate(s, o.pp); };
    rows.push_back(Row{cell.clients, cell.depth, fmt::format("pp{} @ d{}", o.pp, cell.depth), summary(cell, pp_rate),
                       summary(cell, client_pp), summary(cell, prompt_n), summary(cell, cache_n), {}});
    rows.push_back(Row{cell.clients, cell.depth, fmt::format("tg{} @ d{}", o.tg, cell.depth), summary(cell, tg_rate),
                       summary(cell, client_tg_rate), {}, {}, summary(cell, e2e)});
  }
  return rows;
}

std::string render_table(const Context& c, const std::vector<Row>& rows, const DepthOptions& o) {
  std::string out = fmt::format(
      "Depth matrix: {} at {} ({}), pp {}, tg {}, {} run(s); t/s per request from the server's timings, client t/s "
      "from the stream as the client read it (pp: new tokens / TTFT; tg: tokens after the first / first to last "
      "token), mean ± std over runs and clients\n\n",
      report::display_model(c.model), c.t.target.origin(), protocol::to_string(c.p.flavor), o.pp, o.tg, o.runs);
  out += fmt::format("| {:>7} | {:<16} | {:>18} | {:>16} | {:>18} | {:>14} | {:>14} | {:>18} |\n", "clients", "test",
                     "t/s", "t/s all clients", "client t/s", "new tokens", "cached tokens", "E2E ms");
  out += "|--------:|:-----------------|-------------------:|-----------------:|-------------------:|---------------:|"
         "---------------:|-------------------:|\n";
  for (const Row& r : rows) {
    const std::string all = r.tps.n == 0 ? "n/a" : fmt::format("{:.1f}", r.tps.mean * r.clients);
    const std::string fresh = r.new_tokens.n == 0 ? "" : fmt::format("{:.0f}", r.new_tokens.mean);
    const std::string cached = r.cached.n == 0 ? "" : fmt::format("{:.0f}", r.cached.mean);
    const std::string e2e = r.e2e_ms.n == 0 ? "" : mean_std(r.e2e_ms, 1);
    out += fmt::format("| {:>7} | {:<16} | {:>18} | {:>16} | {:>18} | {:>14} | {:>14} | {:>18} |\n", r.clients,
                       r.test, mean_std(r.tps, 2), all, mean_std(r.client_tps, 2), fresh, cached, e2e);
  }
  return out;
}

std::string render_json(const Context& c, const std::vector<Row>& rows, const DepthOptions& o, std::size_t failed,
                        const std::string& first_error) {
  const auto num = [](const stats::SampleSummary& s, double v) { return s.n == 0 ? std::string("null") : fmt::format("{}", v); };
  std::string j = "{\n  \"depth\": {\n    \"model\": ";
  util::append_json_string(j, c.model);
  j += ",\n    \"url\": ";
  util::append_json_string(j, c.t.target.origin());
  j += fmt::format(",\n    \"endpoint\": \"{}\",\n    \"pp\": {},\n    \"tg\": {},\n    \"runs\": {},\n",
                   protocol::to_string(c.p.flavor), o.pp, o.tg, o.runs);
  j += fmt::format("    \"requests_failed\": {},\n    \"first_error\": ", failed);
  util::append_json_string(j, first_error);
  j += ",\n    \"rows\": [";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    j += i ? ",\n      " : "\n      ";
    j += fmt::format(
        R"({{"clients": {}, "depth": {}, "test": "{}", "n": {}, "tokens_per_second_mean": {}, )"
        R"("tokens_per_second_std": {}, "tokens_per_second_all_clients": {}, "new_tokens_mean": {}, )"
        R"("cached_tokens_mean": {}, "e2e_ms_mean": {}, "client_tokens_per_second_mean": {}, )"
        R"("client_tokens_per_second_std": {}}})",
        r.clients, r.depth, r.test, r.tps.n, num(r.tps, r.tps.mean), num(r.tps, std::sqrt(r.tps.variance)),
        num(r.tps, r.tps.mean * r.clients), num(r.new_tokens, r.new_tokens.mean), num(r.cached, r.cached.mean),
        num(r.e2e_ms, r.e2e_ms.mean), num(r.client_tps, r.client_tps.mean),
        num(r.client_tps, std::sqrt(r.client_tps.variance)));
  }
  j += "\n    ]\n  }\n}\n";
  return j;
}

// The table, a JSON file with --output, and the exit code: 4 when no
// measured request succeeded.
int report_depth(const Context& c, const std::vector<Cell>& cells, const DepthOptions& o) {
  std::size_t failed = 0;
  std::string first_error;
  for (const Cell& cell : cells) {
    for (const Sample& s : cell.samples) {
      if (s.ok) continue;
      if (failed++ == 0) first_error = s.error;
    }
  }
  const std::vector<Row> rows = rows_of(cells, o);
  std::fputs(render_table(c, rows, o).c_str(), stdout);
  if (failed > 0) std::printf("\n%zu request(s) failed; first failure: %s\n", failed, first_error.c_str());
  bool timings = false;
  for (const Row& r : rows) timings = timings || r.tps.n > 0;
  if (!timings && failed == 0) std::printf("\nThe server sent no timings (llama-server does): no server figures.\n");
  if (!o.output.empty()) {
    if (auto saved = util::write_file_atomically(o.output, render_json(c, rows, o, failed, first_error)); !saved) {
      std::fprintf(stderr, "llmbench depth: %s\n", saved.error().c_str());
      return kExitFailure;
    }
  }
  std::size_t ok = 0;
  for (const Cell& cell : cells) {
    for (const Sample& s : cell.samples) ok += s.ok;
  }
  return ok == 0 ? kExitNoSuccess : kExitOk;
}

}  // namespace

CLI::App* add_depth_command(CLI::App& app, DepthOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "depth", "llama-bench's table over HTTP: prefill (pp) and decode (tg) tokens/s at each context depth, with "
               "concurrency (the target options, e.g. --url or --mock, go beside it)");
  cmd->fallthrough();
  cmd->add_option("--depths", o.depths, "Context depths in tokens, comma-separated (default: 0,1024,4096)");
  cmd->add_option("--pp", o.pp, "New prompt tokens at each depth (default: 512)")->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--tg", o.tg, "Generated tokens at each depth (default: 128)")->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--concurrency", o.concurrency,
                  "Clients at once, comma-separated, 1 to 1024 (default: 1); each keeps its own slot and prefix");
  cmd->add_option("--runs", o.runs, "Rounds per depth and concurrency (default: 3)")->check(CLI::Range(1, 1000));
  cmd->add_option("--output", o.output, "Also write the table as JSON");
  return cmd;
}

int run_depth(const DepthOptions& o, const ParsedSettings& p) {
  const auto depths = parse_list(o.depths, "--depths", 0);
  const auto clients = parse_list(o.concurrency, "--concurrency", 1, kMaxDepthClients);
  for (const auto* list : {&depths, &clients}) {
    if (!*list) {
      std::fprintf(stderr, "llmbench depth: %s\n", list->error().c_str());
      return kExitUsage;
    }
  }
  if (!protocol::generates(p.flavor)) {
    std::fprintf(stderr, "llmbench depth: --endpoint %s generates no tokens: the table is prefill and decode rates\n",
                 std::string(protocol::to_string(p.flavor)).c_str());
    return kExitUsage;
  }
  Step<TargetSetup> target = resolve_target(p);
  if (!target) {
    std::fprintf(stderr, "llmbench depth: %s\n", target.error().message.c_str());
    return target.error().exit_code;
  }
  const Step<ServerInfo> server = probe_server(p, *target);
  if (!server) {
    std::fprintf(stderr, "llmbench depth: %s\n", server.error().message.c_str());
    return server.error().exit_code;
  }
  Context c{p, *target, server->model, std::string(protocol::default_path(p.flavor)), target->fetch, {}, 1, 0};
  c.fetch.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(p.raw.timeout_s * 1000));
  c.counter = server_token_counter(*target, p.flavor);
  c.words_per_token = calibrate_words_per_token(p.raw.seed, c.counter);
  if (c.counter) {
    if (const auto n = c.counter("the"); n && *n >= 1) c.around = *n - 1;
  }
  std::vector<Cell> cells;
  for (const std::uint32_t n : *clients) {
    for (const std::uint32_t d : *depths) {
      spdlog::info("depth {} with {} client(s)", d, n);
      cells.push_back(run_cell(c, n, d, o));
    }
  }
  if (target->mock) target->mock->stop();
  return report_depth(c, cells, o);
}

}  // namespace llmbench::cli
