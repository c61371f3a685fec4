// Combining the shards' telemetry (merge_telemetry.hpp). The shards of one
// run watch one server, so its rates are one figure seen several times:
// means, not sums; only the client's counts and the process's CPU add up.
#include "merge_telemetry.hpp"

#include <algorithm>
#include <string_view>

namespace llmbench::report {

namespace {

bool is_count(std::string_view field) {
  return field == "client_generated_tokens" || field == "server_generated_tokens" ||
         field == "process_cpu_seconds";
}

bool is_max(std::string_view field) { return field.ends_with("_max") || field == "hugepages_in_use_max"; }

}  // namespace

void TelemetryMerge::add_summary(simdjson::dom::object summary, Shard& shard) {
  shard.stage_summaries.push_back(simdjson::minify(summary));
  for (const auto field : summary) {
    double v = 0;
    if (field.value.get_double().get(v) != simdjson::SUCCESS) continue;
    if (field.key == "window_start_s" || field.key == "window_end_s") continue;
    Figure& f = figures_[std::string(field.key)];
    f.max = f.n == 0 ? v : std::max(f.max, v);
    f.sum += v;
    ++f.n;
  }
}

void TelemetryMerge::add(const std::string& file, simdjson::dom::element root) {
  simdjson::dom::object telemetry;
  if (root["telemetry"].get(telemetry) != simdjson::SUCCESS) return;
  Shard shard{file, simdjson::minify(telemetry), {}};
  simdjson::dom::array stages;
  simdjson::dom::object summary;
  if (root["stages"].get(stages) == simdjson::SUCCESS) {
    for (simdjson::dom::element st : stages) {
      if (st["telemetry_summary"].get(summary) == simdjson::SUCCESS) add_summary(summary, shard);
    }
  } else if (root["summary"]["telemetry_summary"].get(summary) == simdjson::SUCCESS) {
    add_summary(summary, shard);
  }
  shards_.push_back(std::move(shard));
}

void TelemetryMerge::write(JsonWriter& w) const {
  w.key("telemetry");
  if (shards_.empty()) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("shards").begin_array();
  for (const Shard& s : shards_) {
    w.begin_object();
    w.field("file", s.file);
    w.key("telemetry").raw(s.telemetry);
    w.key("stage_summaries").begin_array();
    for (const std::string& st : s.stage_summaries) w.raw(st);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void TelemetryMerge::write_summary(JsonWriter& w) const {
  w.key("telemetry_summary");
  if (figures_.empty()) {
    w.null();
    return;
  }
  w.begin_object();
  for (const auto& [field, f] : figures_) {
    if (is_count(field)) {
      w.field(field, f.sum);
    } else if (is_max(field)) {
      w.field(field, f.max);
    } else {
      w.field(field, f.sum / static_cast<double>(f.n));
    }
  }
  w.end_object();
}

}  // namespace llmbench::report
