#pragma once
// The server process, seen from /proc: CPU time, threads, memory, and how much
// of that memory sits on huge pages; and finding the process from the TCP port
// it listens on.
//
// As in host.hpp: pure parsers of each file's text, thin readers taking the
// /proc directory. Several of these files (smaps_rollup, numa_maps, fd/) can
// only be read for processes of our own user (or as root): for anyone else's
// process the reader leaves those parts empty. That is normal, not an error.
//
// Huge pages, the question this answers ("did enabling huge pages take effect
// for the model?"): hugetlbfs pages (llama.cpp on a hugetlbfs mount, or
// MAP_HUGETLB) are listed in numa_maps as `huge` mappings with their
// kernelpagesize_kB, and are NOT counted in Rss / VmRSS (the kernel keeps them
// in Shared_Hugetlb / Private_Hugetlb for historical reasons); transparent huge
// pages are ordinary memory that the kernel happened to map 2 MiB at a time
// (AnonHugePages, FilePmdMapped, ShmemPmdMapped in smaps_rollup).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmbench::telemetry {

// /proc/PID/stat. The command name sits in parentheses and may itself hold
// spaces and parentheses, so the fields are counted after the LAST ')'.
struct PidStat {
  int pid = 0;
  std::string comm;
  char state = '?';
  std::uint64_t utime_ticks = 0;  // user CPU, in clock ticks (sysconf(_SC_CLK_TCK))
  std::uint64_t stime_ticks = 0;  // system CPU, in clock ticks
  std::int64_t num_threads = 0;
  std::uint64_t starttime_ticks = 0;  // since boot
  std::uint64_t vsize_bytes = 0;
  std::int64_t rss_pages = 0;
};
[[nodiscard]] std::optional<PidStat> parse_pid_stat(std::string_view text);

// /proc/PID/status (the fields we use; a known field that does not read is
// counted in bad_lines).
struct PidStatus {
  std::string name;
  std::optional<std::uint64_t> threads;
  std::optional<std::uint64_t> vm_rss_bytes;
  std::optional<std::uint64_t> vm_hwm_bytes;       // peak RSS
  std::optional<std::uint64_t> hugetlb_bytes;      // HugetlbPages (kernel 4.4+)
  std::size_t bad_lines = 0;
};
[[nodiscard]] std::optional<PidStatus> parse_pid_status(std::string_view text);

// /proc/PID/smaps_rollup (kernel 4.14+): the sum over every mapping.
struct SmapsRollup {
  std::optional<std::uint64_t> rss_bytes;
  std::optional<std::uint64_t> pss_bytes;
  std::optional<std::uint64_t> anonymous_bytes;
  std::optional<std::uint64_t> anon_huge_pages_bytes;   // transparent huge pages
  std::optional<std::uint64_t> file_pmd_mapped_bytes;   // file THP (a mapped model)
  std::optional<std::uint64_t> shmem_pmd_mapped_bytes;
  std::optional<std::uint64_t> shared_hugetlb_bytes;    // hugetlbfs, outside Rss
  std::optional<std::uint64_t> private_hugetlb_bytes;
  std::optional<std::uint64_t> swap_bytes;
  std::size_t bad_lines = 0;
};
[[nodiscard]] std::optional<SmapsRollup> parse_smaps_rollup(std::string_view text);

// /proc/PID/numa_maps: one line per mapping, "addr policy [item...]". A
// hugetlb mapping carries the item `huge`; its pages are the sum of its
// N<node>=<pages> items and their size kernelpagesize_kB (both printed only
// once a page has been faulted in).
struct HugePageUse {
  std::uint64_t page_size_bytes = 0;  // 2 MiB, 1 GiB, ...
  std::uint64_t pages = 0;
  std::size_t mappings = 0;
};
struct NumaMaps {
  std::size_t mappings = 0;
  std::size_t hugetlb_mappings = 0;   // including ones with no page yet
  std::vector<HugePageUse> hugetlb;   // by page size, ascending
  std::size_t bad_lines = 0;
  [[nodiscard]] std::uint64_t hugetlb_bytes() const noexcept;
};
[[nodiscard]] NumaMaps parse_numa_maps(std::string_view text);

// One look at a process, in seconds and bytes.
struct ProcessSample {
  int pid = 0;
  std::string name;
  double cpu_user_s = 0;
  double cpu_system_s = 0;
  std::int64_t threads = 0;
  std::uint64_t rss_bytes = 0;  // VmRSS, else stat's rss pages; hugetlb not included
  std::optional<std::uint64_t> rss_peak_bytes;
  std::optional<std::uint64_t> hugetlb_bytes;  // numa_maps, else status HugetlbPages
  std::optional<std::uint64_t> thp_bytes;      // AnonHugePages + FilePmdMapped + ShmemPmdMapped
  std::optional<SmapsRollup> smaps;            // our own user's processes only
  std::optional<NumaMaps> numa;                // idem
};

// Puts the parsed files together; ticks_per_s and page_bytes come from
// sysconf in real use.
[[nodiscard]] ProcessSample combine_process(const PidStat& stat, const std::optional<PidStatus>& status,
                                            const std::optional<SmapsRollup>& smaps,
                                            const std::optional<NumaMaps>& numa, long ticks_per_s,
                                            long page_bytes);

// nullopt when the process does not exist (or its stat does not read).
[[nodiscard]] std::optional<ProcessSample> read_process(int pid, const std::filesystem::path& proc = "/proc");

// /proc/net/tcp and tcp6: the sockets in state LISTEN (0A).
struct ListenSocket {
  std::uint16_t port = 0;
  std::uint64_t inode = 0;
  std::uint32_t uid = 0;
  bool v6 = false;
};
struct ListenTable {
  std::vector<ListenSocket> listening;
  std::size_t bad_lines = 0;
};
[[nodiscard]] ListenTable parse_proc_net_tcp(std::string_view text);

// "socket:[12345]" -> 12345; any other fd link target -> nothing.
[[nodiscard]] std::optional<std::uint64_t> socket_inode(std::string_view link) noexcept;

// The local processes listening on a TCP port: the listening sockets' inodes
// from net/tcp and net/tcp6, then every process whose fd links to one of them.
// Only this network namespace is seen (a server in a container without host
// networking is not found), and processes of other users cannot have their fds
// listed unless we are root: those are counted, not errors.
struct PortOwners {
  std::vector<int> pids;                  // ascending
  std::size_t sockets = 0;                // listening sockets on the port
  std::size_t unreadable_processes = 0;   // fd/ not listable
};
[[nodiscard]] PortOwners find_listening_processes(std::uint16_t port, const std::filesystem::path& proc = "/proc");

}  // namespace llmbench::telemetry
