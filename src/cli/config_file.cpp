// --config FILE: a JSON object of settings, keyed as the settings table's
// names (what --dump-config prints).
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "llmbench/cli/settings.hpp"

namespace llmbench::cli {

namespace {

// Built by appending: `"literal" + std::string&&` makes GCC 12 report a bogus
// -Wrestrict inside libstdc++ (GCC PR 105651).
std::string line_of_key(const std::string& text, std::string_view key) {
  std::string needle(1, '"');
  needle.append(key).push_back('"');
  const auto pos = text.find(needle);
  if (pos == std::string::npos) return "";
  std::string line(1, ':');
  line += std::to_string(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n') + 1);
  return line;
}

std::string valid_names() {
  std::string out;
  for (const Field& f : settings_table()) {
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out;
}

template <class T>
Status assign_integer(simdjson::dom::element v, T& dst) {
  if (!v.is_int64()) return Unexpected("expected an integer");
  const std::int64_t x = v.get_int64().value();
  if (x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max()) return Unexpected("integer out of range");
  dst = static_cast<T>(x);
  return {};
}

Status assign_strings(simdjson::dom::element v, std::vector<std::string>& dst) {
  dst.clear();
  if (v.is_string()) {  // "a,b,c" as on the command line
    std::string item;
    std::stringstream ss{std::string(v.get_string().value())};
    while (std::getline(ss, item, ',')) {
      if (!item.empty()) dst.push_back(item);
    }
    return {};
  }
  if (!v.is_array()) return Unexpected("expected an array of strings");
  for (simdjson::dom::element e : v.get_array()) {
    if (!e.is_string()) return Unexpected("expected an array of strings");
    dst.emplace_back(e.get_string().value());
  }
  return {};
}

// Sets one field from a JSON value.
Status assign(const Field& f, simdjson::dom::element v, Settings& s) {
  return visit_field(f, s, [&](auto& dst) -> Status {
    using T = std::remove_cvref_t<decltype(dst)>;
    if constexpr (std::is_same_v<T, bool>) {
      if (!v.is_bool()) return Unexpected("expected true or false");
      dst = v.get_bool().value();
    } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, std::uint16_t>) {
      return assign_integer(v, dst);
    } else if constexpr (std::is_same_v<T, std::uint64_t>) {
      if (!v.is_uint64()) return Unexpected("expected a non-negative integer");
      dst = v.get_uint64().value();
    } else if constexpr (std::is_same_v<T, double>) {
      if (!v.is_number()) return Unexpected("expected a number");
      const double d = v.get_double().value();
      if (!std::isfinite(d)) return Unexpected("expected a finite number");
      dst = d;
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!v.is_string()) return Unexpected("expected a string");
      dst = std::string(v.get_string().value());
    } else {
      return assign_strings(v, dst);
    }
    return {};
  });
}

// One number of a stage entry, checked: finite and not negative.
Status stage_number(simdjson::dom::element v, double& dst) {
  if (!v.is_number()) return Unexpected("expected a number");
  const double d = v.get_double().value();
  if (!std::isfinite(d) || d < 0) return Unexpected("expected a number of 0 or more");
  dst = d;
  return {};
}

Status stage_field(std::string_view key, simdjson::dom::element v, StageSetting& st) {
  if (key == "concurrency") {
    if (!v.is_int64() || v.get_int64().value() < 1 || v.get_int64().value() > 1'000'000) {
      return Unexpected("expected a whole number of clients, 1 or more");
    }
    st.concurrency = static_cast<int>(v.get_int64().value());
    return {};
  }
  if (key == "requests") {
    if (!v.is_uint64()) return Unexpected("expected a non-negative integer");
    st.requests = v.get_uint64().value();
    return {};
  }
  if (key == "ramp" || key == "ramp_shape") {
    if (!v.is_string()) return Unexpected("expected a string");
    (key == "ramp" ? st.ramp : st.ramp_shape) = std::string(v.get_string().value());
    return {};
  }
  // "duration" as the examples spell it; "duration_s" as the
  // top-level setting does.
  double* dst = key == "rate"                                ? &st.rate
                : key == "duration" || key == "duration_s"   ? &st.duration_s
                : key == "warmup" || key == "warmup_s"       ? &st.warmup_s
                : key == "cooldown" || key == "cooldown_s"   ? &st.cooldown_s
                                                             : nullptr;
  if (dst == nullptr) {
    return Unexpected("unknown key (valid: concurrency, rate, ramp, ramp_shape, duration, requests, warmup, cooldown)");
  }
  return stage_number(v, *dst);
}

// "stages": [{"concurrency": 4, "duration": 30}, {"rate": 10, "duration": 60}]:
// a step profile, each stage with its own load. Types are checked here;
// what each stage means (one load, a bound) when the settings are parsed.
Status read_stages(simdjson::dom::element v, std::vector<StageSetting>& out) {
  if (!v.is_array()) return Unexpected("expected an array of stage objects");
  out.clear();
  std::size_t i = 0;
  for (simdjson::dom::element e : v.get_array()) {
    if (!e.is_object()) return Unexpected("stages[" + std::to_string(i) + "]: expected an object");
    StageSetting st;
    for (const simdjson::dom::key_value_pair kv : e.get_object()) {
      if (const Status ok = stage_field(kv.key, kv.value, st); !ok) {
        return Unexpected("stages[" + std::to_string(i) + "]." + std::string(kv.key) + ": " + ok.error());
      }
    }
    out.push_back(std::move(st));
    ++i;
  }
  if (out.empty()) return Unexpected("expected at least one stage");
  return {};
}

Expected<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected("--config " + path + ": cannot open the file");
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Unexpected(path + ": the file is empty (expected a JSON object of settings)");
  }
  return text;
}

}  // namespace

Expected<std::vector<std::string>> load_config_file(const std::string& path, Settings& s) {
  const Expected<std::string> text = read_text(path);
  if (!text) return Unexpected(text.error());
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (const auto err = parser.parse(*text).get(root); err) {
    return Unexpected(path + ": not valid JSON (" + simdjson::error_message(err) + ")");
  }
  if (!root.is_object()) return Unexpected(path + ": expected a JSON object of settings at the top level");
  std::vector<std::string> fields_set;
  const auto& table = settings_table();
  for (const simdjson::dom::key_value_pair kv : root.get_object()) {
    const std::string_view key = kv.key;
    if (key == "stages") {
      if (const Status st = read_stages(kv.value, s.stages); !st) {
        return Unexpected(path + line_of_key(*text, key) + ": field \"stages\": " + st.error());
      }
      fields_set.emplace_back(key);
      continue;
    }
    const auto it = std::find_if(table.begin(), table.end(), [&](const Field& f) { return f.name == key; });
    if (it == table.end()) {
      if (key == "verbosity" || key.starts_with("_")) continue;  // comments and --dump-config extras
      return Unexpected(path + line_of_key(*text, key) + ": unknown field \"" + std::string(key) +
                        "\" (valid fields: " + valid_names() + ", stages)");
    }
    if (const Status st = assign(*it, kv.value, s); !st) {
      return Unexpected(path + line_of_key(*text, key) + ": field \"" + std::string(key) + "\": " + st.error());
    }
    fields_set.emplace_back(key);
  }
  return fields_set;
}

}  // namespace llmbench::cli
