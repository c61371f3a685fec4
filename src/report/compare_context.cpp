// What changed between two results files besides the figures: config,
// system_info and the server's /props. See report/compare.hpp.
#include <simdjson.h>

#include <array>
#include <set>
#include <string_view>

#include "llmbench/report/compare.hpp"

namespace llmbench::report {

namespace {

// Where the output went, and which names the runs had, is not context.
constexpr std::array<std::string_view, 4> kIgnoredConfig{"output", "csv", "html", "no_progress"};

std::string text_of(const simdjson::dom::element& e) {
  std::string_view s;
  if (e.is_string() && !e.get(s)) return std::string(s);
  return simdjson::minify(e);
}

std::string text_at(const simdjson::dom::element& root, std::string_view pointer) {
  simdjson::dom::element e;
  if (root.at_pointer(pointer).get(e)) return "(absent)";
  return text_of(e);
}

void add_if_changed(ContextDiff& diff, std::string field, std::string base, std::string cand) {
  if (base != cand) diff.changes.push_back({std::move(field), std::move(base), std::move(cand)});
}

void diff_config(const simdjson::dom::element& a, const simdjson::dom::element& b, ContextDiff& diff) {
  simdjson::dom::object cfg;
  if (a["config"].get(cfg)) return;
  for (const auto field : cfg) {
    const std::string_view key = field.key;
    if (std::find(kIgnoredConfig.begin(), kIgnoredConfig.end(), key) != kIgnoredConfig.end()) continue;
    const std::string pointer = "/config/" + std::string(key);
    add_if_changed(diff, "config." + std::string(key), text_of(field.value), text_at(b, pointer));
  }
}

std::string hugepages_used(const simdjson::dom::element& root) {
  std::int64_t total = 0, free_pages = 0;
  if (root["system_info"]["hugepages_total"].get(total) || root["system_info"]["hugepages_free"].get(free_pages)) {
    return "(absent)";
  }
  return std::to_string(total - free_pages);
}

void diff_system(const simdjson::dom::element& a, const simdjson::dom::element& b, ContextDiff& diff) {
  static constexpr std::array<std::string_view, 9> kFields{
      "model", "hugepages_total", "hugepage_size_kb", "transparent_hugepages", "scaling_governor",
      "cpu_model", "cpu_cores", "kernel", "llmbench_version"};
  for (const std::string_view f : kFields) {
    const std::string pointer = "/system_info/" + std::string(f);
    add_if_changed(diff, "system_info." + std::string(f), text_at(a, pointer), text_at(b, pointer));
    if (f == "hugepages_total") add_if_changed(diff, "system_info.hugepages_used", hugepages_used(a), hugepages_used(b));
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kProps{{
      {"server_props.build_info", "/system_info/server_props/build_info"},
      {"server_props.total_slots", "/system_info/server_props/total_slots"},
      {"server_props.n_ctx", "/system_info/server_props/default_generation_settings/n_ctx"},
      {"server_props.model_path", "/system_info/server_props/model_path"},
  }};
  for (const auto& [name, pointer] : kProps) add_if_changed(diff, std::string(name), text_at(a, pointer), text_at(b, pointer));
}

// Prompt keys and texts, from prompts.<key>.prompt_text.
std::set<std::string> prompt_set(const simdjson::dom::element& root) {
  std::set<std::string> out;
  simdjson::dom::object prompts;
  if (root["prompts"].get(prompts)) return out;
  for (const auto p : prompts) {
    std::string_view text;
    if (p.value["prompt_text"].get(text)) text = "";
    out.insert(std::string(p.key) + '\n' + std::string(text));
  }
  return out;
}

void add_warnings(ContextDiff& diff, const simdjson::dom::element& a, const simdjson::dom::element& b) {
  for (const ContextChange& c : diff.changes) {
    if (c.field == "system_info.model" || c.field == "server_props.model_path" || c.field == "config.model") {
      diff.warnings.push_back("different model: " + c.base + " vs " + c.new_value + " (" + c.field + ")");
      break;
    }
  }
  if (prompt_set(a) != prompt_set(b)) diff.warnings.push_back("different prompts: the files did not measure the same prompt texts");
}

}  // namespace

Expected<ContextDiff> diff_context(std::string_view base_json, std::string_view new_json) {
  simdjson::dom::parser pa, pb;
  simdjson::dom::element a, b;
  if (const auto err = pa.parse(base_json.data(), base_json.size()).get(a); err) {
    return Unexpected(std::string("base: ") + simdjson::error_message(err));
  }
  if (const auto err = pb.parse(new_json.data(), new_json.size()).get(b); err) {
    return Unexpected(std::string("new: ") + simdjson::error_message(err));
  }
  ContextDiff diff;
  diff_config(a, b, diff);
  diff_system(a, b, diff);
  add_warnings(diff, a, b);
  return diff;
}

}  // namespace llmbench::report
