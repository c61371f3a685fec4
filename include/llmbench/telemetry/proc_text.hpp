#pragma once
// Small pieces shared by the /proc and /sys parsers: whitespace fields,
// strict numbers, "Key:   value kB" lines, and reading a whole pseudo-file.
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmbench::telemetry::proc {

// Calls fn(line) for each line of `text` ('\n'-separated; a last line without
// '\n' included, empty lines too).
template <class F>
void for_each_line(std::string_view text, F&& fn) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    fn(text.substr(pos, eol - pos));
    pos = eol + 1;
  }
}

// The blank-separated (space, tab) fields of a line.
std::vector<std::string_view> fields(std::string_view line);

// The whole of `s` as a number, or nothing (no sign on unsigned, no blanks).
template <class T>
std::optional<T> to_number(std::string_view s) noexcept {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "Key:   123 kB" -> {"Key", 123 * 1024}; "Key: 123" -> {"Key", 123}. Units
// other than kB make the line unreadable (nullopt), as do missing numbers.
struct KeyValue {
  std::string_view key;
  std::uint64_t value = 0;
  bool kib = false;  // the number was in kB (value already multiplied)
};
std::optional<KeyValue> key_value(std::string_view line) noexcept;

// The bytes of a file, up to max_bytes, or nothing if it cannot be opened or
// read. /proc and /sys files report size 0, so this reads until EOF.
std::optional<std::string> read_file(const std::filesystem::path& p, std::size_t max_bytes = 4u << 20);

}  // namespace llmbench::telemetry::proc
