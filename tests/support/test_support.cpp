#include "test_support.hpp"

#include <cstdio>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace llmbench::test {

std::string fixture(std::string_view name) {
  const std::filesystem::path p = std::filesystem::path(LLMBENCH_FIXTURE_DIR) / std::string(name);
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(LLMBENCH_FIXTURE_DIR)) {
    if (e.path().extension() == ".http") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string_view after_headers(std::string_view response) {
  const std::size_t p = response.find("\r\n\r\n");
  if (p == std::string_view::npos) throw std::runtime_error("no header end");
  return response.substr(p + 4);
}

std::string dechunk(std::string_view in) {
  std::string out;
  for (;;) {
    const std::size_t eol = in.find("\r\n");
    if (eol == std::string_view::npos) throw std::runtime_error("bad chunk line");
    const std::size_t n = std::stoul(std::string(in.substr(0, eol)), nullptr, 16);
    in.remove_prefix(eol + 2);
    if (n == 0) return out;
    out.append(in.substr(0, n));
    in.remove_prefix(n + 2);
  }
}

ExactBuffer::ExactBuffer(std::string_view bytes) : data(new char[bytes.empty() ? 1 : bytes.size()]), size(bytes.size()) {
  std::memcpy(data, bytes.data(), bytes.size());
}
ExactBuffer::~ExactBuffer() { delete[] data; }

FakeTree::FakeTree() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/llmbench-tree.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
  root_ = tmpl;
}

FakeTree::~FakeTree() {
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

void FakeTree::write(std::string_view relative, std::string_view text) const {
  const std::filesystem::path p = root_ / relative;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

void FakeTree::link(std::string_view relative, std::string_view target) const {
  const std::filesystem::path p = root_ / relative;
  std::filesystem::create_directories(p.parent_path());
  std::filesystem::create_symlink(std::string(target), p);
}

std::string chunked_sse(const std::vector<std::string>& events, std::string_view headers) {
  std::string out = "HTTP/1.1 200 OK\r\n";
  out.append(headers);
  out += "\r\n";
  for (const std::string& e : events) {
    const std::string data = "data: " + e + "\n\n";
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    out += size + data + "\r\n";
  }
  return out + "0\r\n\r\n";
}

}  // namespace llmbench::test
