#pragma once
// Reading llmbench's JSON in the end-to-end tests: simdjson's DOM, fields
// addressed by JSON pointer, a missing field or wrong type a test failure.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "e2e_files.hpp"

namespace llmbench::e2e {

// One parsed document; the elements it hands out live as long as it does.
class Json {
 public:
  ::testing::AssertionResult load(const std::string& path) {
    text_ = read_file(path);
    if (text_.empty()) return ::testing::AssertionFailure() << path << " is missing or empty";
    return parse(text_, path);
  }
  ::testing::AssertionResult parse(const std::string& text, const std::string& what = "text") {
    text_ = text;
    if (const auto err = parser_.parse(text_).get(root_); err) {
      return ::testing::AssertionFailure() << what << ": not valid JSON: " << simdjson::error_message(err);
    }
    return ::testing::AssertionSuccess();
  }
  [[nodiscard]] simdjson::dom::element root() const { return root_; }
  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  std::string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

// Readers by JSON pointer ("/prompts/cache_loops/stats/success_rate"): a
// missing field or a wrong type is a test failure naming the pointer.
inline bool has(simdjson::dom::element e, std::string_view ptr) {
  simdjson::dom::element x;
  return e.at_pointer(ptr).get(x) == simdjson::SUCCESS;
}

inline simdjson::dom::element at(simdjson::dom::element e, std::string_view ptr) {
  simdjson::dom::element x;
  if (e.at_pointer(ptr).get(x) != simdjson::SUCCESS) ADD_FAILURE() << "JSON has no " << ptr;
  return x;
}

inline double num(simdjson::dom::element e, std::string_view ptr) {
  simdjson::dom::element x;
  if (e.at_pointer(ptr).get(x) != simdjson::SUCCESS || !x.is_number()) {
    ADD_FAILURE() << "JSON " << ptr << ": missing or not a number";
    return std::numeric_limits<double>::quiet_NaN();
  }
  return x.get_double().value();
}

inline std::int64_t integer(simdjson::dom::element e, std::string_view ptr) {
  simdjson::dom::element x;
  if (e.at_pointer(ptr).get(x) != simdjson::SUCCESS || !x.is_int64()) {
    ADD_FAILURE() << "JSON " << ptr << ": missing or not an integer";
    return std::numeric_limits<std::int64_t>::min();
  }
  return x.get_int64().value();
}

inline std::string str(simdjson::dom::element e, std::string_view ptr) {
  simdjson::dom::element x;
  if (e.at_pointer(ptr).get(x) != simdjson::SUCCESS || !x.is_string()) {
    ADD_FAILURE() << "JSON " << ptr << ": missing or not a string";
    return "<missing>";
  }
  return std::string(x.get_string().value());
}

inline bool boolean(simdjson::dom::element e, std::string_view ptr) {
  simdjson::dom::element x;
  if (e.at_pointer(ptr).get(x) != simdjson::SUCCESS || !x.is_bool()) {
    ADD_FAILURE() << "JSON " << ptr << ": missing or not a boolean";
    return false;
  }
  return x.get_bool().value();
}

inline bool is_null(simdjson::dom::element e, std::string_view ptr) {
  simdjson::dom::element x;
  return e.at_pointer(ptr).get(x) == simdjson::SUCCESS && x.is_null();
}

inline std::size_t array_size(simdjson::dom::element e, std::string_view ptr) {
  simdjson::dom::array a;
  if (e.at_pointer(ptr).get(a) != simdjson::SUCCESS) {
    ADD_FAILURE() << "JSON " << ptr << ": missing or not an array";
    return 0;
  }
  return a.size();
}

}  // namespace llmbench::e2e
