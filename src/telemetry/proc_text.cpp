#include "llmbench/telemetry/proc_text.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

namespace llmbench::telemetry::proc {

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    const std::size_t from = pos;
    while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t') ++pos;
    if (pos > from) out.push_back(line.substr(from, pos - from));
  }
  return out;
}

std::optional<KeyValue> key_value(std::string_view line) noexcept {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  KeyValue kv;
  kv.key = line.substr(0, colon);
  std::string_view rest = line.substr(colon + 1);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  if (rest.size() > 3 && rest.substr(rest.size() - 3) == " kB") {
    rest.remove_suffix(3);
    kv.kib = true;
  }
  const std::optional<std::uint64_t> n = to_number<std::uint64_t>(rest);
  if (!n || (kv.kib && *n > UINT64_MAX / 1024)) return std::nullopt;
  kv.value = kv.kib ? *n * 1024 : *n;
  return kv;
}

std::optional<std::string> read_file(const std::filesystem::path& p, std::size_t max_bytes) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[16384];
  bool ok = true;
  while (out.size() < max_bytes) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    if (n <= 0) break;
    out.append(buf, std::min(static_cast<std::size_t>(n), max_bytes - out.size()));
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace llmbench::telemetry::proc
