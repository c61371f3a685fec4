// The HTML report's view model, file by file: the header (what was measured,
// on what, how), the summary and, in spec mode, the per-prompt runs with
// their 95 % intervals. Load stages are in html_view_load.cpp.
#include "llmbench/report/html_view_model.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

#include "html_view_parts.hpp"
#include "llmbench/stats/confidence.hpp"
#include "llmbench/version.hpp"

namespace llmbench::report::html {

namespace {

using simdjson::dom::array;
using simdjson::dom::object;

// "Q4_K - Medium" beside the model path, when the server says so.
std::string model_text(element root) {
  std::string model = string_at(root["system_info"], "model");
  element props;
  if (!root["system_info"]["server_props"].get(props)) {
    const std::string ftype = string_at(props, "model_ftype");
    if (!ftype.empty()) model += model.empty() ? ftype : " (" + ftype + ")";
  }
  return model;
}

std::string system_text(element sys) {
  std::vector<std::string> parts;
  const auto add = [&parts](const std::string& s) {
    if (!s.empty()) parts.push_back(s);
  };
  add(string_at(sys, "cpu_model"));
  if (const double cores = number_at(sys, "cpu_cores"); cores > 0) add(fmt::format("{} cores", cores));
  add(string_at(sys, "kernel"));
  if (const std::string host = string_at(sys, "hostname"); !host.empty()) add("host " + host);
  const double total = number_at(sys, "hugepages_total"), free = number_at(sys, "hugepages_free");
  if (std::isfinite(total)) add(fmt::format("huge pages {}/{}", free, total));
  if (const std::string thp = string_at(sys, "transparent_hugepages"); !thp.empty()) add("THP " + thp);
  if (const std::string gov = string_at(sys, "scaling_governor"); !gov.empty()) add("governor " + gov);
  return fmt::format("{}", fmt::join(parts, " · "));
}

struct ConfigField {
  std::string_view key;
  std::string_view label;
  std::string_view unit;
};

// The settings that change what a run measured; the rest stay in the file.
constexpr std::array<ConfigField, 15> kConfigFields{{
    {"endpoint", "endpoint", ""},
    {"runs", "runs", ""},
    {"concurrency", "concurrency", ""},
    {"rate", "rate", " req/s"},
    {"sweep", "sweep", ""},
    {"duration_s", "duration", " s"},
    {"requests", "requests", ""},
    {"warmup_s", "warm-up", " s"},
    {"cooldown_s", "cool-down", " s"},
    {"max_tokens", "max_tokens", ""},
    {"dataset", "dataset", ""},
    {"input_tokens", "input tokens", ""},
    {"output_tokens", "output tokens", ""},
    {"slo", "SLO", ""},
    {"threads", "threads", ""},
}};

std::string target_text(element cfg) {
  bool mock = false;
  if (!cfg["mock"].get(mock) && mock) {
    return fmt::format("built-in server ({} tok/s, {} slots)", number_at(cfg, "mock_decode_tps"),
                       number_at(cfg, "mock_slots"));
  }
  if (std::string url = string_at(cfg, "url"); !url.empty()) return url;
  return fmt::format("{}:{}", string_at(cfg, "host"), number_at(cfg, "port"));
}

std::string config_text(element cfg, bool load) {
  if (!cfg.is_object()) return {};
  std::vector<std::string> parts{target_text(cfg)};
  for (const ConfigField& f : kConfigFields) {
    if (load && f.key == "runs") continue;  // spec mode's; load mode ignores it
    if (std::string s = string_at(cfg, f.key); !s.empty()) {
      parts.push_back(fmt::format("{} {}{}", f.label, s, f.unit));
    } else if (const double v = number_at(cfg, f.key); std::isfinite(v) && v != 0) {
      parts.push_back(fmt::format("{} {}{}", f.label, v, f.unit));
    }
  }
  bool stream = true;
  if (!cfg["stream"].get(stream) && !stream) parts.emplace_back("no stream");
  return fmt::format("{}", fmt::join(parts, " · "));
}

void write_header(JsonWriter& w, element root, bool load) {
  element sys, props, cfg;
  const bool has_sys = !root["system_info"].get(sys);
  w.key("header").begin_object();
  w.field("model", has_sys ? model_text(root) : std::string());
  if (has_sys && !sys["server_props"].get(props) && props.is_object()) {
    w.field("server_build", string_at(props, "build_info"));
    w.field("slots", number_at(props, "total_slots"));
  } else {
    w.field("server_build", "").key("slots").null();
  }
  w.field("system", has_sys ? system_text(sys) : std::string());
  w.field("config", root["config"].get(cfg) ? std::string() : config_text(cfg, load));
  w.field("date", string_at(root, "timestamp"));
  w.field("llmbench_version", has_sys ? string_at(sys, "llmbench_version") : std::string());
  bool interrupted = false;
  w.field("interrupted", !root["interrupted"].get(interrupted) && interrupted);
  w.end_object();
}

void write_summary(JsonWriter& w, element summary) {
  w.key("summary").begin_object();
  for (const std::string_view k : {"requests_succeeded", "requests_failed", "output_tokens_per_second",
                                   "request_throughput", "overall_avg_tokens_per_second"}) {
    w.field(k, number_at(summary, k));
  }
  w.end_object();
}

void write_interval(JsonWriter& w, std::string_view key, const std::vector<double>& values) {
  const stats::MeanInterval ci = stats::mean_interval_95(values);
  w.key(key).begin_object();
  w.key("values").begin_array();
  for (const double v : values) w.value(v);
  w.end_array();
  const bool any = ci.n > 0;
  w.field("mean", any ? ci.mean : kNaN).field("low", any ? ci.low : kNaN).field("high", any ? ci.high : kNaN);
  w.end_object();
}

// Every successful run's figures; a failed run has none to draw.
bool write_spec_prompt(JsonWriter& w, std::string_view key, element prompt, std::string& error) {
  std::vector<double> tps, ttft, decode;
  array results;
  if (const auto err = prompt["results"].get(results); err) {
    error = fmt::format("prompts.{}.results: {}", key,
                        err == simdjson::NO_SUCH_FIELD ? "missing (a spec-mode file has one per prompt)" : "not an array");
    return false;
  }
  for (element run : results) {
    bool ok = false;
    if (run["success"].get(ok) || !ok) continue;
    tps.push_back(number_at(run, "tokens_per_second"));
    ttft.push_back(number_at(run, "ttft_ms"));
    decode.push_back(number_at(run, "decode_tokens_per_second"));
  }
  w.begin_object();
  w.field("key", key).field("runs", results.size()).field("ok", tps.size());
  w.field("cv", number_at(prompt["stats"], "cv"));
  write_interval(w, "tps", tps);
  write_interval(w, "ttft_ms", ttft);
  write_interval(w, "decode_tps", decode);
  w.end_object();
  return true;
}

bool write_spec_view(JsonWriter& w, element root, std::string& error) {
  object prompts;
  if (root["prompts"].get(prompts)) {
    error = "not an llmbench results file (no prompts object and no stages)";
    return false;
  }
  w.key("prompts").begin_array();
  for (const auto field : prompts) {
    if (!write_spec_prompt(w, field.key, field.value, error)) return false;
  }
  w.end_array();
  return true;
}

bool write_file_view(JsonWriter& w, simdjson::dom::parser& parser, const ResultsText& in, const std::string& label,
                     std::string& error) {
  element root, summary;
  if (const auto err = parser.parse(in.json).get(root)) {
    error = fmt::format("not valid JSON ({})", simdjson::error_message(err));
    return false;
  }
  if (!root.is_object() || root["summary"].get(summary) || !summary.is_object()) {
    error = "not an llmbench results file (no summary object)";
    return false;
  }
  const bool load = root["stages"].error() == simdjson::SUCCESS;
  w.begin_object();
  w.field("name", label).field("mode", load ? "load" : "spec");
  write_header(w, root, load);
  write_summary(w, summary);
  if (!(load ? write_load_view(w, root, error) : write_spec_view(w, root, error))) return false;
  w.end_object();
  return true;
}

}  // namespace

std::vector<CdfPoint> cdf_points(const stats::Histogram& h, double scale) {
  std::vector<CdfPoint> out;
  if (h.empty() || !(scale > 0)) return out;
  const double n = static_cast<double>(h.count());
  const auto x_of = [scale](std::int64_t v) { return std::max(static_cast<double>(v) / scale, kCdfFloorMs); };
  out.push_back({x_of(h.min()), 0.0});
  std::uint64_t seen = 0;
  const std::size_t last = stats::Histogram::bucket_index(h.max());
  for (std::size_t i = stats::Histogram::bucket_index(h.min()); i <= last; ++i) {
    const std::uint64_t c = h.count_at(i);
    if (c == 0) continue;
    seen += c;
    out.push_back({x_of(std::min(stats::Histogram::bucket_highest(i), h.max())), static_cast<double>(seen) / n});
  }
  return out;
}

std::vector<std::string> file_labels(const std::vector<ResultsText>& inputs) {
  const auto base = [](const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  };
  std::vector<std::string> bases, labels;
  for (const ResultsText& in : inputs) bases.push_back(base(in.name));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const bool shared = std::count(bases.begin(), bases.end(), bases[i]) > 1;
    labels.push_back(shared ? inputs[i].name : bases[i]);
  }
  return labels;
}

Expected<std::string> build_view_model(const std::vector<ResultsText>& inputs, std::string_view compare_json) {
  simdjson::dom::parser parser;
  const std::vector<std::string> labels = file_labels(inputs);
  JsonWriter w(0);
  w.begin_object();
  w.field("generator", fmt::format("llmbench {}", kVersion));
  w.key("files").begin_array();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::string what;
    if (!write_file_view(w, parser, inputs[i], labels[i], what)) {
      return Unexpected(fmt::format("{}: {}", inputs[i].name, what));
    }
  }
  w.end_array();
  if (!compare_json.empty()) w.key("compare").raw(compare_json);
  w.end_object();
  return w.take();
}

}  // namespace llmbench::report::html
