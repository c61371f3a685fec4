#pragma once
// Shared helpers for the test suites: fixture loading and byte splitting.
#include <cstddef>
#include <filesystem>
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
// A 200 SSE response whose events (the text after "data: ") each come in
// one HTTP chunk, as llama-server writes them; `headers` are the lines
// after the status line, each ending in CRLF, without the blank line.
std::string chunked_sse(const std::vector<std::string>& events,
                        std::string_view headers = "Content-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n");

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

// A private directory tree under $TMPDIR, removed with its contents: stands
// in for /proc or /sys when testing their readers.
class FakeTree {
 public:
  FakeTree();
  ~FakeTree();
  FakeTree(const FakeTree&) = delete;
  FakeTree& operator=(const FakeTree&) = delete;

  [[nodiscard]] const std::filesystem::path& root() const { return root_; }
  // Writes root/relative (parents created).
  void write(std::string_view relative, std::string_view text) const;
  // Makes root/relative a symlink to `target` (parents created).
  void link(std::string_view relative, std::string_view target) const;

 private:
  std::filesystem::path root_;
};

}  // namespace llmbench::test
