// Finding the process that listens on a TCP port (process.hpp): the inode of
// the listening socket from /proc/net/tcp{,6}, then the fd that links to it.
#include <algorithm>
#include <charconv>
#include <system_error>

#include "llmbench/telemetry/proc_text.hpp"
#include "llmbench/telemetry/process.hpp"

namespace llmbench::telemetry {
namespace {

template <class T>
std::optional<T> hex(std::string_view s) noexcept {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// A row: "sl: local rem st tx:rx tr:when retrnsmt uid timeout inode ...",
// local = hex address (8 digits for IPv4, 32 for IPv6) ':' hex port.
std::optional<ListenSocket> row(const std::vector<std::string_view>& f, bool& listening) {
  listening = false;
  if (f.size() < 10 || f[0].empty() || f[0].back() != ':') return std::nullopt;
  const std::size_t colon = f[1].find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view addr = f[1].substr(0, colon);
  const std::optional<std::uint16_t> port = hex<std::uint16_t>(f[1].substr(colon + 1));
  const std::optional<std::uint8_t> state = hex<std::uint8_t>(f[3]);
  const std::optional<std::uint32_t> uid = proc::to_number<std::uint32_t>(f[7]);
  const std::optional<std::uint64_t> inode = proc::to_number<std::uint64_t>(f[9]);
  if ((addr.size() != 8 && addr.size() != 32) || !port || !state || !uid || !inode) return std::nullopt;
  constexpr std::uint8_t kListen = 0x0A;  // TCP_LISTEN in the kernel's tcp_states.h
  listening = *state == kListen;
  return ListenSocket{*port, *inode, *uid, addr.size() == 32};
}

void listening_inodes(const std::filesystem::path& proc, std::uint16_t port, std::vector<std::uint64_t>& out) {
  for (const char* table : {"net/tcp", "net/tcp6"}) {
    const std::optional<std::string> text = proc::read_file(proc / table, 64u << 20);
    if (!text) continue;  // no IPv6 in this kernel or namespace
    for (const ListenSocket& s : parse_proc_net_tcp(*text).listening) {
      // inode 0: a socket being torn down, owned by no fd.
      if (s.port == port && s.inode != 0) out.push_back(s.inode);
    }
  }
}

// Whether any fd of the process in `dir` links to one of `inodes`; false with
// *unreadable set when its fds cannot be listed.
bool holds_socket(const std::filesystem::path& dir, const std::vector<std::uint64_t>& inodes, bool& unreadable) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir / "fd", ec);
  // Another user's process (EACCES); a process that just exited (ENOENT) is
  // simply gone.
  unreadable = ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted;
  for (const std::filesystem::directory_iterator end; !ec && it != end; it.increment(ec)) {
    std::error_code link_ec;
    const std::filesystem::path target = std::filesystem::read_symlink(it->path(), link_ec);
    if (link_ec) continue;  // the fd closed while we looked
    const std::optional<std::uint64_t> inode = socket_inode(target.native());
    if (inode && std::find(inodes.begin(), inodes.end(), *inode) != inodes.end()) return true;
  }
  return false;
}

}  // namespace

ListenTable parse_proc_net_tcp(std::string_view text) {
  ListenTable out;
  proc::for_each_line(text, [&](std::string_view line) {
    const std::vector<std::string_view> f = proc::fields(line);
    if (f.empty() || f[0] == "sl") return;  // the header
    bool listening = false;
    const std::optional<ListenSocket> s = row(f, listening);
    if (!s) ++out.bad_lines;
    else if (listening) out.listening.push_back(*s);
  });
  return out;
}

std::optional<std::uint64_t> socket_inode(std::string_view link) noexcept {
  constexpr std::string_view kPrefix = "socket:[";
  if (link.size() <= kPrefix.size() + 1 || link.substr(0, kPrefix.size()) != kPrefix || link.back() != ']') {
    return std::nullopt;
  }
  return proc::to_number<std::uint64_t>(link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1));
}

PortOwners find_listening_processes(std::uint16_t port, const std::filesystem::path& proc) {
  PortOwners out;
  std::vector<std::uint64_t> inodes;
  listening_inodes(proc, port, inodes);
  out.sockets = inodes.size();
  if (inodes.empty()) return out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(proc, ec), end; !ec && it != end; it.increment(ec)) {
    const std::optional<int> pid = proc::to_number<int>(it->path().filename().native());
    if (!pid) continue;  // self, net, sys, ...
    bool unreadable = false;
    if (holds_socket(it->path(), inodes, unreadable)) out.pids.push_back(*pid);
    if (unreadable) ++out.unreadable_processes;
  }
  std::sort(out.pids.begin(), out.pids.end());
  return out;
}

}  // namespace llmbench::telemetry
