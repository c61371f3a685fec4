#pragma once
// Shared helpers for the test suites: fixture loading and byte splitting.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace llmbench::test {

// Bytes of tests/fixtures/llama-server/<name>, exactly as captured.
std::string fixture(std::string_view name);
// Names of every *.http fixture.
std::vector<std::string> fixture_names();
// The HTTP body of a captured response (after the blank line), still chunked.
std::string_view after_headers(std::string_view response);
// Removes HTTP/1.1 chunked framing from a body.
std::string dechunk(std::string_view chunked);

// A copy of bytes in its own heap block, so ASan catches reads past its end.
struct ExactBuffer {
  explicit ExactBuffer(std::string_view bytes);
  ~ExactBuffer();
  ExactBuffer(const ExactBuffer&) = delete;
  ExactBuffer& operator=(const ExactBuffer&) = delete;
  [[nodiscard]] std::string_view view() const { return {data, size}; }
  char* data;
  std::size_t size;
};

}  // namespace llmbench::test
