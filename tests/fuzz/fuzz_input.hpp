#pragma once
// The input layout shared by the fuzz targets, so that libFuzzer mutates the
// chunk boundaries as well as the bytes:
//
//   byte 0          options for the target (limits, padding, ...)
//   byte 1          number of cuts, modulo kMaxCuts + 1
//   2 bytes a cut   little-endian offsets into the payload, modulo its size + 1
//   the rest        the payload
//
// Seeds are the captured fixtures behind a two-byte "\0\0" prefix (no cuts);
// run_fuzzers.sh builds them. Every piece is copied into a heap block of its
// own, so ASan catches a parser that reads past the bytes it was handed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

namespace llmbench::fuzz {

inline constexpr std::size_t kMaxCuts = 7;

struct Input {
  std::uint8_t options = 0;
  std::vector<std::size_t> cuts;  // sorted, each <= payload.size()
  std::string_view payload;
};

inline std::optional<Input> parse_input(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return std::nullopt;
  Input in;
  in.options = data[0];
  const std::size_t n = data[1] % (kMaxCuts + 1);
  const std::size_t header = 2 + 2 * n;
  if (size < header) return std::nullopt;
  in.payload = std::string_view(reinterpret_cast<const char*>(data) + header, size - header);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t raw = data[2 + 2 * i] | static_cast<std::size_t>(data[3 + 2 * i]) << 8;
    in.cuts.push_back(raw % (in.payload.size() + 1));
  }
  std::sort(in.cuts.begin(), in.cuts.end());
  return in;
}

// The payload cut at the given offsets (empty pieces included: a read of zero
// bytes must be harmless too).
inline std::vector<std::string_view> pieces(std::string_view payload, const std::vector<std::size_t>& cuts) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  for (std::size_t cut : cuts) {
    out.push_back(payload.substr(pos, cut - pos));
    pos = cut;
  }
  out.push_back(payload.substr(pos));
  return out;
}

// A copy of some bytes in its own heap block, followed by `slack_bytes` of
// readable (but meaningless) memory.
class Buffer {
 public:
  Buffer(std::string_view bytes, std::size_t slack_bytes)
      : size_(bytes.size()), capacity_(bytes.size() + slack_bytes),
        data_(static_cast<char*>(std::malloc(capacity_ == 0 ? 1 : capacity_))) {
    if (size_ != 0) std::memcpy(data_, bytes.data(), size_);
    if (slack_bytes != 0) std::memset(data_ + size_, 'x', slack_bytes);
  }
  ~Buffer() { std::free(data_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  [[nodiscard]] std::string_view view() const noexcept { return {data_, size_}; }
  [[nodiscard]] const char* readable_limit() const noexcept { return data_ + capacity_; }
  [[nodiscard]] std::size_t slack() const noexcept { return capacity_ - size_; }

 private:
  std::size_t size_;
  std::size_t capacity_;
  char* data_;
};

// Reads the last byte a parser claims it may read, so that ASan objects if
// the claim is false.
inline void touch(const char* p, std::size_t n) noexcept {
  if (n == 0) return;
  const volatile char* last = p + n - 1;
  static_cast<void>(*last);
}

// Aborts with a message libFuzzer shows next to the crash.
[[noreturn]] inline void fail(const char* what) noexcept {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

}  // namespace llmbench::fuzz

// An invariant of the code under test; a failure is a crash libFuzzer keeps.
#define LLMBENCH_FUZZ_CHECK(cond)                 \
  do {                                            \
    if (!(cond)) ::llmbench::fuzz::fail(#cond);   \
  } while (false)
