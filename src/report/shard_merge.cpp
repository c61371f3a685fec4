// `llmbench merge` of a sharded run: checks that the files belong together,
// then walks their JSON trees side by side and writes one result in a single
// run's layout (the rules are in shard_merge.hpp).
#include "llmbench/report/shard_merge.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "llmbench/report/json_metrics.hpp"
#include "llmbench/report/json_writer.hpp"
#include "llmbench/stats/histogram.hpp"
#include "llmbench/stats/summary.hpp"
#include "llmbench/stats/time_series.hpp"

namespace llmbench::report {

namespace {

using simdjson::dom::element;
using Els = std::vector<element>;

struct ShardFile {
  std::string file;
  std::uint32_t index = 0;
  std::uint32_t count = 1;
  std::int64_t start_at_unix_ns = -1;
  std::int64_t run_start_unix_ns = 0;
  double start_offset_ms = NAN;
  element shard;
  double shift_s = 0;  // this file's times + shift_s = times on the merged axis
};

struct Ctx {
  std::vector<ShardFile> shards;
  std::vector<std::string> warnings;
  double prompts_mean_tps = 0;  // the last merged `prompts` object's mean of per-prompt means
};

// The figures whose histograms are saved, and their scales.
struct Figure {
  std::string_view figure, histogram;
  double scale;
};
constexpr Figure kFigures[] = {
    {"ttft_ms", "ttft_ns", 1e6},       {"itl_ms", "itl_ns", 1e6},
    {"tpot_ms", "tpot_ns", 1e6},       {"e2e_ms", "e2e_ns", 1e6},
    {"connect_ms", "connect_ns", 1e6}, {"tokens_per_second_per_request", "tps_milli", 1e3},
    {"schedule_lag_ms", "schedule_lag_ns", 1e6}, {"ttft_from_intended_ms", "ttft_intended_ns", 1e6},
    {"e2e_from_intended_ms", "e2e_intended_ns", 1e6}, {"ttfb_ms", "ttfb_ns", 1e6},
    {"ttfo_ms", "ttfo_ns", 1e6},       {"inter_event_ms", "inter_event_ns", 1e6},
    {"turnaround_ms", "turnaround_ns", 1e6}, {"client_read_lag_ms", "client_read_lag_ns", 1e6},
};

// Counters: summed over shards wherever they stand.
const std::set<std::string_view> kSummed = {
    "requests_scheduled", "requests_total", "requests_succeeded", "requests_failed", "requests_cancelled",
    "output_tokens", "input_tokens", "connections_opened", "ring_full_waits", "kernel_stamped_reads",
    "user_stamped_reads", "connections_without_kernel_stamps"};
const std::set<std::string_view> kSummedInside = {"errors", "phases", "token_sources"};
// Settings that differ between shards by design.
const std::set<std::string_view> kPerShardSettings = {"output", "csv", "html", "shard", "shards", "start_at",
                                                      "no_progress"};

double num(element e) {
  double d = 0;
  if (!e.get_double().get(d)) return d;
  std::int64_t i = 0;
  if (!e.get_int64().get(i)) return static_cast<double>(i);
  std::uint64_t u = 0;
  if (!e.get_uint64().get(u)) return static_cast<double>(u);
  return 0;
}

std::uint64_t u64(element e) {
  std::uint64_t u = 0;
  if (!e.get_uint64().get(u)) return u;
  return static_cast<std::uint64_t>(std::max(0.0, num(e)));
}

double field(element obj, std::string_view key, double fallback = 0) {
  element v;
  return obj[key].get(v) ? fallback : num(v);
}

Els children(const Els& els, std::string_view key) {
  Els out;
  for (const element& e : els) {
    element c;
    if (!e[key].get(c)) out.push_back(c);
  }
  return out;
}

bool is_distribution(element e) {
  element c;
  return e.is_object() && !e["count"].get(c) && !e["p50"].get(c) && !e["std"].get(c);
}

// ---------------------------------------------------------------- checks

std::string settings_fingerprint(element config, std::string* seed) {
  std::string out;
  simdjson::dom::object obj;
  if (config.get(obj)) return out;
  for (auto [k, v] : obj) {
    if (kPerShardSettings.count(k) != 0) continue;
    if (k == "seed") *seed = simdjson::minify(v);
    out += std::string(k) + "=" + simdjson::minify(v) + ";";
  }
  return out;
}

Status read_shard(const std::string& file, element root, ShardFile& out) {
  element sh;
  if (root["shard"].get(sh)) return Unexpected(file + ": no \"shard\" object (not a shard's results file)");
  out.file = file;
  out.shard = sh;
  out.index = static_cast<std::uint32_t>(field(sh, "index"));
  out.count = static_cast<std::uint32_t>(field(sh, "count", 1));
  out.start_at_unix_ns = static_cast<std::int64_t>(field(sh, "start_at_unix_ns", -1));
  std::int64_t rs = 0;
  if (sh["run_start_unix_ns"].get_int64().get(rs)) return Unexpected(file + ": shard.run_start_unix_ns missing");
  out.run_start_unix_ns = rs;
  out.start_offset_ms = field(sh, "start_offset_ms", NAN);
  return {};
}

Status check_together(const std::vector<element>& roots, Ctx& ctx, const ShardMergeOptions& opt) {
  std::string seed0;
  const std::string config0 = settings_fingerprint(roots[0]["config"], &seed0);
  std::set<std::uint32_t> seen;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    const ShardFile& s = ctx.shards[i];
    std::string seed;
    const std::string config = settings_fingerprint(roots[i]["config"], &seed);
    if (seed != seed0) return Unexpected(fmt::format("{} has seed {}, {} has {}: not one run", s.file, seed, ctx.shards[0].file, seed0));
    if (config != config0) return Unexpected(s.file + " and " + ctx.shards[0].file + " were run with different settings");
    if (s.count != ctx.shards[0].count) return Unexpected(fmt::format("{} is one of {} shards, {} one of {}", s.file, s.count, ctx.shards[0].file, ctx.shards[0].count));
    if (s.start_at_unix_ns != ctx.shards[0].start_at_unix_ns) return Unexpected(s.file + " and " + ctx.shards[0].file + " were given different --start-at instants");
    if (!seen.insert(s.index).second) return Unexpected(fmt::format("shard {} given twice ({})", s.index, s.file));
    simdjson::dom::array a, a0;
    if (roots[i]["stages"].get(a) || roots[0]["stages"].get(a0) || a.size() != a0.size()) {
      return Unexpected(s.file + ": its stage list differs from " + ctx.shards[0].file + "'s");
    }
  }
  std::string missing;
  for (std::uint32_t k = 0; k < ctx.shards[0].count; ++k) {
    if (seen.count(k) == 0) missing += (missing.empty() ? "" : ",") + std::to_string(k);
  }
  if (!missing.empty() && !opt.allow_missing) {
    return Unexpected(fmt::format("shard(s) {} of {} missing (--allow-missing merges anyway)", missing, ctx.shards[0].count));
  }
  if (!missing.empty()) ctx.warnings.push_back("merged without shard(s) " + missing + ": the result covers only part of the load");
  return {};
}

// ---------------------------------------------------------------- writers

void write_value(JsonWriter& w, std::string_view key, const Els& els, Ctx& ctx, std::string_view parent, const Els& owner);

void write_pooled(JsonWriter& w, std::string_view key, const Els& els) {
  // No histogram saved: count, mean, std, min and max pooled exactly;
  // percentiles as the count-weighted mean of the shards' (an estimate).
  double n = 0, sum = 0, sumsq = 0, lo = INFINITY, hi = -INFINITY;
  std::map<std::string, double> pct;
  for (const element& e : els) {
    const double c = field(e, "count"), m = field(e, "mean"), sd = field(e, "std");
    if (c <= 0) continue;
    n += c;
    sum += c * m;
    sumsq += (c > 1 ? (c - 1) * sd * sd : 0) + c * m * m;
    lo = std::min(lo, field(e, "min"));
    hi = std::max(hi, field(e, "max"));
    for (const char* p : {"p50", "p90", "p95", "p99", "p999"}) pct[p] += c * field(e, p);
  }
  stats::LatencySummary s{};
  s.count = static_cast<std::uint64_t>(n);
  if (n > 0) {
    s.mean = sum / n;
    s.std = n > 1 ? std::sqrt(std::max(0.0, (sumsq - n * s.mean * s.mean) / (n - 1))) : 0;
    s.min = lo, s.max = hi;
    s.p50 = pct["p50"] / n, s.p90 = pct["p90"] / n, s.p95 = pct["p95"] / n, s.p99 = pct["p99"] / n, s.p999 = pct["p999"] / n;
  }
  write_latency(w, key, s);
}

Expected<std::map<std::string, stats::Histogram, std::less<>>> merged_histograms(const Els& hists) {
  std::map<std::string, stats::Histogram, std::less<>> out;
  for (const element& h : hists) {
    simdjson::dom::object obj;
    if (h.get(obj)) continue;
    for (auto [k, v] : obj) {
      std::string_view text;
      if (v.get(text)) continue;
      auto parsed = stats::Histogram::from_compact(text);
      if (!parsed) return Unexpected("histogram " + std::string(k) + " is not a valid histogram");
      out[std::string(k)].merge(*parsed);
    }
  }
  return out;
}

// A number: summed, recomputed over the common window, or the first file's.
void write_number(JsonWriter& w, std::string_view key, const Els& els, Ctx& ctx, std::string_view parent, const Els& owner) {
  double total = 0, hi = -INFINITY, lo = INFINITY;
  for (std::size_t i = 0; i < els.size(); ++i) {
    const double v = num(els[i]);
    total += v;
    hi = std::max(hi, v);
    lo = std::min(lo, v);
  }
  const auto sum_of = [&](std::string_view k) {
    double s = 0;
    for (const element& o : owner) s += field(o, k);
    return s;
  };
  if (kSummed.count(key) != 0 || kSummedInside.count(parent) != 0 || (parent == "goodput" && key == "requests")) {
    std::uint64_t s = 0;
    for (const element& e : els) s += u64(e);
    w.field(key, s);
  } else if (key == "request_throughput" || key == "output_tokens_per_second" || key == "input_tokens_per_second") {
    // Each shard's rate times its own window gives the completions or tokens
    // inside that window; their sum over the common window is the rate.
    double inside = 0, window = 0;
    for (std::size_t i = 0; i < els.size() && i < owner.size(); ++i) {
      inside += num(els[i]) * field(owner[i], "measured_window_s");
      window = std::max(window, field(owner[i], "measured_window_s"));
    }
    w.field(key, window > 0 ? inside / window : 0.0);
  } else if (key == "measured_window_s" || key == "elapsed_s" || key == "start_late_ms" || key == "full_concurrency_span_s") {
    w.field(key, hi);
  } else if (key == "requests_per_second" || key == "full_concurrency_tokens_per_second") {
    w.field(key, total);
  } else if (key == "avg_tokens_per_second") {
    double weighted = 0, n = 0;
    for (std::size_t i = 0; i < els.size() && i < owner.size(); ++i) {
      const double c = field(owner[i], "requests_succeeded");
      weighted += c * num(els[i]);
      n += c;
    }
    w.field(key, n > 0 ? weighted / n : 0.0);
  } else if (key == "success_rate") {
    const double t = sum_of("requests_total");
    w.field(key, t > 0 ? sum_of("requests_succeeded") / t : 0.0);
  } else if (key == "overall_avg_tokens_per_second") {
    w.field(key, ctx.prompts_mean_tps);
  } else if (key == "start_s") {
    double first = INFINITY;
    for (std::size_t i = 0; i < els.size(); ++i) first = std::min(first, num(els[i]) + ctx.shards[i].shift_s);
    w.field(key, first);
  } else {
    w.key(key).raw(simdjson::minify(els[0]));
  }
  (void)lo;
}

struct Bucket {
  double output_tokens = 0;
  std::uint64_t started = 0, completed = 0, failed = 0, in_flight = 0;
  double ttft_weighted = 0, ttft_weight = 0;
  std::vector<double> ttft_by_shard;
  double offered_load = -1;  // every shard states the whole run's (the plan's), so any one will do
};

// Buckets of every shard on one wall-clock axis, keyed by their distance
// from the stage's earliest start in whole intervals.
std::vector<std::pair<double, Bucket>> merged_series(const Els& stages, const Ctx& ctx, double interval) {
  double base = INFINITY;
  for (std::size_t i = 0; i < stages.size(); ++i) base = std::min(base, field(stages[i], "start_s") + ctx.shards[i].shift_s);
  std::map<long long, Bucket> by_k;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    simdjson::dom::array series;
    if (stages[i]["timeseries"].get(series)) continue;
    for (element b : series) {
      const double t = field(b, "t_s") + ctx.shards[i].shift_s;
      Bucket& m = by_k[std::llround((t - base) / interval)];
      m.ttft_by_shard.resize(stages.size(), NAN);
      m.output_tokens += field(b, "output_tokens");
      m.started += u64(b["requests_started"]);
      m.completed += u64(b["requests_completed"]);
      m.failed += u64(b["requests_failed"]);
      m.in_flight += u64(b["in_flight"]);
      if (element o; !b["offered_load"].get(o) && o.is_number()) m.offered_load = std::max(m.offered_load, num(o));
      const double p50 = field(b, "ttft_p50_ms", -1);
      if (p50 >= 0) {
        const double wgt = std::max(1.0, field(b, "requests_completed"));
        m.ttft_weighted += wgt * p50;
        m.ttft_weight += wgt;
        m.ttft_by_shard[i] = p50;
      }
    }
  }
  std::vector<std::pair<double, Bucket>> out;
  for (auto& [k, b] : by_k) out.emplace_back(base + static_cast<double>(k) * interval, std::move(b));
  return out;
}

void write_series(JsonWriter& w, const std::vector<std::pair<double, Bucket>>& series) {
  w.key("timeseries").begin_array();
  for (const auto& [t, b] : series) {
    w.begin_object();
    w.field("t_s", t).field("output_tokens", b.output_tokens);
    w.field("requests_started", b.started).field("requests_completed", b.completed);
    w.field("requests_failed", b.failed).field("in_flight", b.in_flight);
    w.key("ttft_p50_ms");
    if (b.ttft_weight > 0) {
      w.value(b.ttft_weighted / b.ttft_weight);
    } else {
      w.null();
    }
    w.key("offered_load");
    if (b.offered_load >= 0) {
      w.value(b.offered_load);
    } else {
      w.null();
    }
    w.key("ttft_p50_ms_by_shard").begin_array();
    for (const double v : b.ttft_by_shard) {
      if (std::isnan(v)) {
        w.null();
      } else {
        w.value(v);
      }
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
}

// The stage's window (the span of every shard's), the steadiness judged
// again on the merged series, and the series.
void write_timeline_parts(JsonWriter& w, std::string_view key, const Els& els, Ctx& ctx, const Els& stages) {
  const double interval = field(stages[0], "timeseries_interval_s", 1);
  double start = INFINITY, end = -INFINITY;
  bool exact = true;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    element win = stages[i]["window"];
    std::string_view rule;
    if (win["rule"].get(rule) || rule != "exact") {
      exact = false;
      continue;
    }
    start = std::min(start, field(win, "start_s") + ctx.shards[i].shift_s);
    end = std::max(end, field(win, "end_s") + ctx.shards[i].shift_s);
  }
  const auto series = merged_series(stages, ctx, interval);
  if (key == "window") {
    w.key("window").begin_object();
    if (exact) {
      w.field("rule", "exact").field("start_s", start).field("end_s", end);
    } else {
      w.field("rule", "span");
    }
    w.end_object();
  } else if (key == "steady") {
    std::vector<stats::TimeBucket> plain;
    for (const auto& [t, b] : series) {
      plain.push_back(stats::TimeBucket{t, b.output_tokens, b.started, b.completed, b.failed, b.in_flight, -1});
    }
    const stats::SteadyState st = exact ? stats::steady_state(plain, start, end) : stats::SteadyState{};
    w.key("steady").begin_object();
    w.field("judged", st.judged);
    if (st.judged) {
      w.field("steady", st.steady);
      w.field("test", "first vs second half and least-squares trend of per-bucket output tok/s, each within 10 %");
      w.field("first_half_tokens_per_second", st.first_half_tps).field("second_half_tokens_per_second", st.second_half_tps);
      w.field("change_pct", st.change_pct).field("trend_pct_over_window", st.trend_pct_over_window);
    }
    w.field("buckets", static_cast<std::uint64_t>(st.buckets));
    w.end_object();
  } else {
    write_series(w, series);
  }
  (void)els;
}

void write_object(JsonWriter& w, std::string_view key, const Els& els, Ctx& ctx) {
  if (key == "config" || key == "system_info" || key == "load") {
    w.key(key).raw(simdjson::minify(els[0]));
    return;
  }
  auto hists = merged_histograms(children(els, "histograms"));
  simdjson::dom::object first;
  if (els[0].get(first)) {}
  const bool stage = !children(els, "timeseries").empty();
  if (!key.empty()) w.key(key);
  w.begin_object();
  for (auto [k, v] : first) {
    const Els kids = children(els, k);
    if (k == "histograms" && hists) {
      w.key("histograms").begin_object();
      for (auto& [name, h] : *hists) w.field(name, h.to_compact());
      w.end_object();
    } else if (stage && (k == "window" || k == "steady" || k == "timeseries")) {
      write_timeline_parts(w, k, kids, ctx, els);
    } else if (is_distribution(v)) {
      const auto* fig = std::find_if(std::begin(kFigures), std::end(kFigures), [&](const Figure& f) { return f.figure == k; });
      const auto h = fig != std::end(kFigures) && hists ? hists->find(fig->histogram) : decltype(hists->end()){};
      if (fig != std::end(kFigures) && hists && h != hists->end()) {
        write_latency(w, k, stats::summarize(h->second, fig->scale));
      } else {
        write_pooled(w, k, kids);
      }
    } else {
      write_value(w, k, kids, ctx, key, els);
    }
  }
  w.end_object();
  if (key == "prompts") {
    // The guide's Overall: the mean over prompts of each one's mean tok/s.
    double sum = 0;
    int n = 0;
    for (auto [pk, pv] : first) {
      double weighted = 0, c = 0;
      for (const element& p : children(els, pk)) {
        element st;
        if (p["stats"].get(st)) continue;
        weighted += field(st, "requests_succeeded") * field(st, "avg_tokens_per_second");
        c += field(st, "requests_succeeded");
      }
      if (c > 0) sum += weighted / c, ++n;
      (void)pv;
    }
    ctx.prompts_mean_tps = n > 0 ? sum / n : 0;
  }
}

void write_array(JsonWriter& w, std::string_view key, const Els& els, Ctx& ctx) {
  if (key == "stages") {
    simdjson::dom::array a0;
    if (els[0].get(a0)) {}
    w.key(key).begin_array();
    for (std::size_t j = 0; j < a0.size(); ++j) {
      Els stage;
      for (const element& e : els) stage.push_back(e.at(j));
      write_object(w, "", stage, ctx);
    }
    w.end_array();
    return;
  }
  if (key == "timeseries") return;  // written with its stage
  // error_messages' lists and the like: every shard's distinct entries.
  std::vector<std::string> seen;
  for (const element& e : els) {
    simdjson::dom::array a;
    if (e.get(a)) continue;
    for (element x : a) {
      std::string text = simdjson::minify(x);
      if (std::find(seen.begin(), seen.end(), text) == seen.end()) seen.push_back(std::move(text));
    }
  }
  w.key(key).begin_array();
  for (const std::string& s : seen) w.raw(s);
  w.end_array();
}

void write_value(JsonWriter& w, std::string_view key, const Els& els, Ctx& ctx, std::string_view parent, const Els& owner) {
  if (els.empty()) return;
  switch (els[0].type()) {
    case simdjson::dom::element_type::OBJECT: write_object(w, key, els, ctx); break;
    case simdjson::dom::element_type::ARRAY: write_array(w, key, els, ctx); break;
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: write_number(w, key, els, ctx, parent, owner); break;
    case simdjson::dom::element_type::BOOL: {
      bool any = false;
      for (const element& e : els) any = any || e.get_bool().value_unsafe();
      w.field(key, any);
      break;
    }
    default: {
      element pick = els[0];
      for (const element& e : els) {
        if (!e.is_null()) {
          pick = e;
          break;
        }
      }
      w.key(key).raw(simdjson::minify(pick));
    }
  }
}

}  // namespace

namespace {

// Per stage, over every shard: scheduled against what became of them.
std::string check_accounting(const std::vector<element>& roots, JsonWriter& w, bool& balanced) {
  std::string lines;
  simdjson::dom::array a0;
  if (roots[0]["stages"].get(a0)) {}
  w.key("accounting").begin_array();
  balanced = true;
  for (std::size_t j = 0; j < a0.size(); ++j) {
    std::uint64_t scheduled = 0, accounted = 0;
    for (const element& r : roots) {
      const element st = r["stages"].at(j);
      scheduled += u64(st["requests_scheduled"]);
      for (const char* k : {"requests_succeeded", "requests_failed", "requests_cancelled"}) accounted += u64(st["summary"][k]);
      accounted += u64(st["phases"]["warmup"]) + u64(st["phases"]["cooldown"]);
    }
    std::string_view label;
    if (a0.at(j)["label"].get(label)) {}
    w.begin_object().field("stage", label).field("scheduled", scheduled).field("accounted", accounted);
    w.field("balanced", scheduled == accounted).end_object();
    balanced = balanced && scheduled == accounted;
    lines += fmt::format("  {}: scheduled {} = succeeded + failed + cancelled + warm-up + cool-down {}{}\n", label,
                         scheduled, accounted, scheduled == accounted ? "" : "  MISMATCH");
  }
  w.end_array();
  return lines;
}

void write_shards(JsonWriter& w, const Ctx& ctx) {
  w.key("shards").begin_array();
  for (const ShardFile& s : ctx.shards) {
    w.begin_object().field("file", s.file).field("index", s.index).field("count", s.count);
    w.key("shard").raw(simdjson::minify(s.shard));
    w.end_object();
  }
  w.end_array();
}

double start_spread_ms(const Ctx& ctx) {
  double lo = INFINITY, hi = -INFINITY;
  for (const ShardFile& s : ctx.shards) {
    if (std::isnan(s.start_offset_ms)) return NAN;
    lo = std::min(lo, s.start_offset_ms);
    hi = std::max(hi, s.start_offset_ms);
  }
  return hi - lo;
}

std::string render_table(const std::string& json) {
  simdjson::dom::parser p;
  element root;
  std::string out;
  if (p.parse(json).get(root)) return out;
  simdjson::dom::array stages;
  if (root["stages"].get(stages)) return out;
  out += fmt::format("{:<22}{:>10}{:>10}{:>8}{:>10}{:>12}{:>10}{:>10}\n", "stage", "scheduled", "succeeded", "failed",
                     "req/s", "out tok/s", "TTFT p50", "TTFT p99");
  for (element st : stages) {
    std::string_view label;
    if (st["label"].get(label)) {}
    const element s = st["summary"];
    out += fmt::format("{:<22}{:>10}{:>10}{:>8}{:>10.2f}{:>12.1f}{:>10.2f}{:>10.2f}\n", label, u64(st["requests_scheduled"]),
                       u64(s["requests_succeeded"]), u64(s["requests_failed"]), field(s, "request_throughput"),
                       field(s, "output_tokens_per_second"), field(s["ttft_ms"], "p50"), field(s["ttft_ms"], "p99"));
  }
  return out;
}

}  // namespace

bool any_sharded(const std::vector<std::string>& files) {
  simdjson::dom::parser parser;
  for (const std::string& f : files) {
    element root, sh;
    if (!parser.load(f).get(root) && !root["shard"].get(sh)) return true;
  }
  return false;
}

namespace {

// Puts every shard on the earliest one's clock (its shift_s) and returns the
// spread of their starts in ms (NaN without --start-at), warning when wide.
double align_shards(Ctx& ctx, const ShardMergeOptions& opt) {
  std::int64_t ref = ctx.shards[0].run_start_unix_ns;
  for (const ShardFile& s : ctx.shards) ref = std::min(ref, s.run_start_unix_ns);
  for (ShardFile& s : ctx.shards) s.shift_s = static_cast<double>(s.run_start_unix_ns - ref) / 1e9;
  const double spread = start_spread_ms(ctx);
  if (spread > opt.max_start_spread_ms) {
    ctx.warnings.push_back(fmt::format("the shards started {:.1f} ms apart (more than {:g} ms): their load was not one schedule",
                                       spread, opt.max_start_spread_ms));
  }
  if (std::isnan(spread)) ctx.warnings.push_back("no --start-at: the shards' start spread is unknown");
  return spread;
}

}  // namespace

Expected<MergedResults> merge_shards(const std::vector<std::string>& files, const ShardMergeOptions& opt) {
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers;
  std::vector<element> roots;
  Ctx ctx;
  for (const std::string& f : files) {
    parsers.push_back(std::make_unique<simdjson::dom::parser>());
    element root;
    if (const auto err = parsers.back()->load(f).get(root); err) return Unexpected(f + ": " + simdjson::error_message(err));
    ShardFile s;
    if (Status st = read_shard(f, root, s); !st) return Unexpected(st.error());
    roots.push_back(root);
    ctx.shards.push_back(s);
  }
  if (Status st = check_together(roots, ctx, opt); !st) return Unexpected(st.error());
  const double spread = align_shards(ctx, opt);
  JsonWriter w;
  w.begin_object();
  simdjson::dom::object first;
  if (roots[0].get(first)) {}
  std::string accounting;
  bool balanced = true;
  for (auto [k, v] : first) {
    if (k != "shard") {
      write_value(w, k, children(roots, k), ctx, "", roots);
      continue;
    }
    write_shards(w, ctx);
    w.key("merge").begin_object();
    w.field("shards_expected", ctx.shards[0].count).field("shards_merged", static_cast<std::uint64_t>(ctx.shards.size()));
    w.field("allow_missing", opt.allow_missing);
    w.key("start_spread_ms");
    if (std::isnan(spread)) {
      w.null();
    } else {
      w.value(spread);
    }
    accounting = check_accounting(roots, w, balanced);
    w.key("warnings").begin_array();
    for (const std::string& s : ctx.warnings) w.value(s);
    w.end_array();
    w.end_object();
    (void)v;
  }
  w.end_object();
  if (!balanced) return Unexpected("the shards' requests do not add up:\n" + accounting);
  MergedResults out;
  out.json = w.take();
  out.table = fmt::format("Merged {} of {} shards (start spread {})\n", ctx.shards.size(), ctx.shards[0].count,
                          std::isnan(spread) ? std::string("unknown") : fmt::format("{:.1f} ms", spread));
  out.table += accounting + render_table(out.json);
  for (const std::string& s : ctx.warnings) out.warnings.push_back(s);
  return out;
}

}  // namespace llmbench::report
