#pragma once
// Where a read's timestamp comes from (--timestamps): the kernel's receive
// stamp (http/rx_timestamp.hpp), or the clock read after the read returned.
// Its own header so that the plan can name it without pulling in Asio.
#include <cstdint>
#include <optional>
#include <string_view>

namespace llmbench::http {

enum class ReadTimestamps : std::uint8_t { kernel, user };

constexpr std::string_view to_string(ReadTimestamps t) noexcept {
  return t == ReadTimestamps::kernel ? "kernel" : "user";
}

constexpr std::optional<ReadTimestamps> parse_read_timestamps(std::string_view s) noexcept {
  if (s == "kernel") return ReadTimestamps::kernel;
  if (s == "user") return ReadTimestamps::user;
  return std::nullopt;
}

}  // namespace llmbench::http
