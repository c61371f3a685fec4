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
    const auto it = std::find_if(table.begin(), table.end(), [&](const Field& f) { return f.name == key; });
    if (it == table.end()) {
      if (key == "verbosity" || key.starts_with("_")) continue;  // comments and --dump-config extras
      return Unexpected(path + line_of_key(*text, key) + ": unknown field \"" + std::string(key) +
                        "\" (valid fields: " + valid_names() + ")");
    }
    if (const Status st = assign(*it, kv.value, s); !st) {
      return Unexpected(path + line_of_key(*text, key) + ": field \"" + std::string(key) + "\": " + st.error());
    }
    fields_set.emplace_back(key);
  }
  return fields_set;
}

}  // namespace llmbench::cli
