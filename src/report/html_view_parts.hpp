#pragma once
// Private to the HTML view model (html_view_model.cpp reads a file's header
// and spec prompts, html_view_load.cpp its load stages): reading optional
// fields from simdjson's DOM and the two halves' entry points.
#include <simdjson.h>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include "llmbench/report/json_writer.hpp"

namespace llmbench::report::html {

using simdjson::dom::element;
// A field lookup that may already have failed: chained lookups
// (root["system_info"]["model"]) carry a missing parent's error along.
using maybe_element = simdjson::simdjson_result<element>;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A number field, or NaN when absent, null or not a number: the writer
// turns NaN into null, so a missing figure stays missing on the page.
// `e` is an element or a maybe_element.
template <class E>
double number_at(const E& e, std::string_view key) {
  double v = kNaN;
  if (e[key].get_double().get(v)) return kNaN;
  return v;
}

template <class E>
std::string string_at(const E& e, std::string_view key) {
  std::string_view v;
  if (e[key].get_string().get(v)) return {};
  return std::string(v);
}

// `v` rounded to `digits` significant digits: chart points need no more
// than a screen can show, and 17-digit doubles would triple the page.
inline double round_significant(double v, int digits) {
  if (!std::isfinite(v) || v == 0) return v;
  const double magnitude = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::fabs(v)))));
  return std::round(v * magnitude) / magnitude;
}

// Writes "load" and "stages" for a results file with `stages` (load mode).
// False with `error` set to "<where>: <what>" (the caller adds the file).
bool write_load_view(JsonWriter& w, element root, std::string& error);

// Writes "telemetry" for a stage: null, or an array of charts {"key",
// "title", "unit", "t_s", "values"} cut from `series` (the file's
// telemetry.series) to the stage's span (html_view_telemetry.cpp).
void write_stage_telemetry(JsonWriter& w, maybe_element series, element stage);

}  // namespace llmbench::report::html
