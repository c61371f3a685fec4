// The server process: /proc/PID/{stat,status,smaps_rollup,numa_maps} as text,
// the listening-socket lookup on a fake tree, and live on our own process.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "llmbench/telemetry/process.hpp"
#include "test_support.hpp"

namespace llmbench::telemetry {
namespace {

// A command name with spaces and parentheses: the fields count from the last ')'.
constexpr std::string_view kStat =
    "4242 (llama (srv) x) S 1 4242 4242 0 -1 4194560 182716 0 12 0 "
    "51234 8765 0 0 20 0 9 0 1234567 8589934592 262144 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 "
    "0 0 0 0 0 0 0 0 0\n";

TEST(ProcessParse, Stat) {
  const std::optional<PidStat> s = parse_pid_stat(kStat);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->pid, 4242);
  EXPECT_EQ(s->comm, "llama (srv) x");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->utime_ticks, 51234u);
  EXPECT_EQ(s->stime_ticks, 8765u);
  EXPECT_EQ(s->num_threads, 9);
  EXPECT_EQ(s->starttime_ticks, 1234567u);
  EXPECT_EQ(s->vsize_bytes, 8589934592u);
  EXPECT_EQ(s->rss_pages, 262144);
  for (const char* bad : {"", "4242 llama S 1", "4242 (x) S 1 2 3", "x (y) S 1 4242 4242 0 -1 4194560 1 0 1 0 a 1 0 0 20 0 9 0 1 1 1"}) {
    EXPECT_FALSE(parse_pid_stat(bad)) << bad;
  }
}

constexpr std::string_view kStatus =
    "Name:\tllama-server\n"
    "Umask:\t0022\n"
    "State:\tS (sleeping)\n"
    "Tgid:\t4242\n"
    "Uid:\t1000\t1000\t1000\t1000\n"
    "VmPeak:\t 9437184 kB\n"
    "VmHWM:\t 1310720 kB\n"
    "VmRSS:\t 1048576 kB\n"
    "RssAnon:\t   65536 kB\n"
    "HugetlbPages:\t 4194304 kB\n"
    "Threads:\t9\n"
    "Cpus_allowed_list:\t0-15\n";

TEST(ProcessParse, Status) {
  const std::optional<PidStatus> s = parse_pid_status(kStatus);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "llama-server");
  EXPECT_EQ(s->threads, 9u);
  EXPECT_EQ(s->vm_rss_bytes, 1048576ull * 1024);
  EXPECT_EQ(s->vm_hwm_bytes, 1310720ull * 1024);
  EXPECT_EQ(s->hugetlb_bytes, 4194304ull * 1024);
  EXPECT_EQ(s->bad_lines, 0u);
  const std::optional<PidStatus> bad = parse_pid_status("Name:\tx\nThreads:\tmany\nVmRSS:\t1 MB\n");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->bad_lines, 2u);
  EXPECT_FALSE(bad->threads);
  EXPECT_FALSE(parse_pid_status("garbage\n"));
}

constexpr std::string_view kSmapsRollup =
    "55c8f29d1000-7ffeb3e72000 ---p 00000000 00:00 0                          [rollup]\n"
    "Rss:             1048576 kB\n"
    "Pss:             1000000 kB\n"
    "Pss_Anon:          65536 kB\n"
    "Anonymous:         65536 kB\n"
    "LazyFree:              0 kB\n"
    "AnonHugePages:     61440 kB\n"
    "ShmemPmdMapped:        0 kB\n"
    "FilePmdMapped:    524288 kB\n"
    "Shared_Hugetlb:        0 kB\n"
    "Private_Hugetlb: 4194304 kB\n"
    "Swap:                  0 kB\n"
    "SwapPss:               0 kB\n"
    "Locked:                0 kB\n";

TEST(ProcessParse, SmapsRollup) {
  const std::optional<SmapsRollup> s = parse_smaps_rollup(kSmapsRollup);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->bad_lines, 0u);
  EXPECT_EQ(s->rss_bytes, 1048576ull * 1024);
  EXPECT_EQ(s->pss_bytes, 1000000ull * 1024);
  EXPECT_EQ(s->anonymous_bytes, 65536ull * 1024);
  EXPECT_EQ(s->anon_huge_pages_bytes, 61440ull * 1024);
  EXPECT_EQ(s->file_pmd_mapped_bytes, 524288ull * 1024);
  EXPECT_EQ(s->shmem_pmd_mapped_bytes, 0u);
  EXPECT_EQ(s->private_hugetlb_bytes, 4194304ull * 1024);
  EXPECT_EQ(s->swap_bytes, 0u);
  EXPECT_FALSE(parse_smaps_rollup("Pss: 1 kB\n"));  // no Rss: not a rollup
}

// A model on 2 MiB hugetlbfs pages over two nodes, a 1 GiB page mapping, a
// hugetlb mapping not yet touched, ordinary mappings, one garbled line.
constexpr std::string_view kNumaMaps =
    "55d421b63000 default file=/usr/bin/llama-server mapped=2 mapmax=3 N0=2 kernelpagesize_kB=4\n"
    "7f4680000000 default file=/dev/hugepages/model.gguf huge dirty=1536 N0=1024 N1=512 kernelpagesize_kB=2048\n"
    "7f7600000000 bind:1 file=/anon_hugepage\\040(deleted) huge anon=2 dirty=2 N1=2 kernelpagesize_kB=1048576\n"
    "7f7700000000 default file=/dev/hugepages/kv huge\n"
    "7f8000000000 default anon=16384 dirty=16384 N0=16384 kernelpagesize_kB=4\n"
    "7ff000000000 default heap anon=3 dirty=3 active=0 kernelpagesize_kB=4\n"
    "zzzz default anon=1\n"
    "7fff8d425000 default stack anon=5 dirty=5 N0=5 kernelpagesize_kB=4\n";

TEST(ProcessParse, NumaMapsHugetlbPages) {
  const NumaMaps m = parse_numa_maps(kNumaMaps);
  EXPECT_EQ(m.bad_lines, 1u);
  EXPECT_EQ(m.mappings, 7u);
  EXPECT_EQ(m.hugetlb_mappings, 3u);
  ASSERT_EQ(m.hugetlb.size(), 2u);
  EXPECT_EQ(m.hugetlb[0].page_size_bytes, 2048u * 1024);
  EXPECT_EQ(m.hugetlb[0].pages, 1536u);
  EXPECT_EQ(m.hugetlb[0].mappings, 1u);
  EXPECT_EQ(m.hugetlb[1].page_size_bytes, 1ull << 30);
  EXPECT_EQ(m.hugetlb[1].pages, 2u);
  EXPECT_EQ(m.hugetlb_bytes(), 1536ull * (2u << 20) + (2ull << 30));
  EXPECT_EQ(parse_numa_maps("").mappings, 0u);
  EXPECT_EQ(parse_numa_maps("7f00 default N0=x\n").bad_lines, 1u);
}

TEST(ProcessParse, CombinedIntoSecondsAndBytes) {
  const ProcessSample p = combine_process(*parse_pid_stat(kStat), parse_pid_status(kStatus),
                                          parse_smaps_rollup(kSmapsRollup), parse_numa_maps(kNumaMaps), 100, 4096);
  EXPECT_EQ(p.pid, 4242);
  EXPECT_EQ(p.name, "llama-server");  // status's name is not cut to 15 bytes
  EXPECT_DOUBLE_EQ(p.cpu_user_s, 512.34);
  EXPECT_DOUBLE_EQ(p.cpu_system_s, 87.65);
  EXPECT_EQ(p.threads, 9);
  EXPECT_EQ(p.rss_bytes, 1048576ull * 1024);
  EXPECT_EQ(p.rss_peak_bytes, 1310720ull * 1024);
  EXPECT_EQ(p.hugetlb_bytes, 1536ull * (2u << 20) + (2ull << 30));
  EXPECT_EQ(p.thp_bytes, (61440ull + 524288) * 1024);

  // Another user's process: only stat and status read.
  const ProcessSample q = combine_process(*parse_pid_stat(kStat), std::nullopt, std::nullopt, std::nullopt, 100, 4096);
  EXPECT_EQ(q.name, "llama (srv) x");
  EXPECT_EQ(q.rss_bytes, 262144ull * 4096);
  EXPECT_FALSE(q.hugetlb_bytes);
  EXPECT_FALSE(q.thp_bytes);
}

constexpr std::string_view kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5551 1 0 100 0 0 10 0\n"
    "   1: 0100007F:B1AD 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 64523 1 0 100 0 0 10 0\n"
    "   2: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000  1000        0 7777 1 0 20 4 30 10 -1\n"
    "   3: garbage\n";
constexpr std::string_view kTcp6 =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5552 1 0 100 0 0 10 0\n";

TEST(ProcessPort, ParsesListeningRows) {
  const ListenTable t = parse_proc_net_tcp(kTcp);
  EXPECT_EQ(t.bad_lines, 1u);
  ASSERT_EQ(t.listening.size(), 2u);  // the established row is not listening
  EXPECT_EQ(t.listening[0].port, 8080);
  EXPECT_EQ(t.listening[0].inode, 5551u);
  EXPECT_EQ(t.listening[0].uid, 1000u);
  EXPECT_FALSE(t.listening[0].v6);
  EXPECT_EQ(t.listening[1].port, 0xB1AD);
  const ListenTable t6 = parse_proc_net_tcp(kTcp6);
  ASSERT_EQ(t6.listening.size(), 1u);
  EXPECT_TRUE(t6.listening[0].v6);
  EXPECT_EQ(t6.listening[0].inode, 5552u);
}

TEST(ProcessPort, SocketLinks) {
  EXPECT_EQ(socket_inode("socket:[5551]"), 5551u);
  for (const char* other : {"pipe:[5551]", "socket:[]", "socket:[55", "/dev/null", "anon_inode:[eventfd]", "socket:[x]"}) {
    EXPECT_FALSE(socket_inode(other)) << other;
  }
}

TEST(ProcessPort, FindsOwnersOnAFakeTree) {
  test::FakeTree tree;
  tree.write("net/tcp", kTcp);
  tree.write("net/tcp6", kTcp6);
  tree.link("300/fd/0", "/dev/null");
  tree.link("300/fd/7", "socket:[5551]");  // IPv4 listener
  tree.link("100/fd/4", "socket:[5552]");  // IPv6 listener on the same port
  tree.link("200/fd/3", "socket:[7777]");  // a connection to the port, not listening
  tree.write("400/fd", "not a directory");
  tree.link("self", "300");
  const PortOwners o = find_listening_processes(8080, tree.root());
  EXPECT_EQ(o.sockets, 2u);
  EXPECT_EQ(o.pids, (std::vector<int>{100, 300}));
  EXPECT_EQ(o.unreadable_processes, 0u);
  const PortOwners none = find_listening_processes(9, tree.root());
  EXPECT_EQ(none.sockets, 0u);
  EXPECT_TRUE(none.pids.empty());
}

// A socket listening on the loopback, closed when the test ends.
class Listener {
 public:
  Listener(int family, const char* addr) : fd_(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      ::inet_pton(AF_INET, addr, &a->sin_addr);
      len = sizeof(sockaddr_in);
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      ::inet_pton(AF_INET6, addr, &a->sin6_addr);
      len = sizeof(sockaddr_in6);
    }
    auto* sa = reinterpret_cast<sockaddr*>(&ss);
    ok_ = fd_ >= 0 && ::bind(fd_, sa, len) == 0 && ::listen(fd_, 4) == 0 && ::getsockname(fd_, sa, &len) == 0;
    if (ok_) port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                             : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  }
  ~Listener() {
    if (fd_ >= 0) ::close(fd_);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  int fd_;
  bool ok_ = false;
  std::uint16_t port_ = 0;
};

TEST(ProcessLive, FindsItselfByPort) {
  const Listener l(AF_INET, "127.0.0.1");
  ASSERT_TRUE(l.ok());
  const PortOwners o = find_listening_processes(l.port());
  EXPECT_EQ(o.sockets, 1u);
  EXPECT_NE(std::find(o.pids.begin(), o.pids.end(), ::getpid()), o.pids.end());
}

TEST(ProcessLive, FindsItselfByIpv6Port) {
  const Listener l(AF_INET6, "::1");
  if (!l.ok()) GTEST_SKIP() << "no IPv6 loopback here";
  const PortOwners o = find_listening_processes(l.port());
  EXPECT_NE(std::find(o.pids.begin(), o.pids.end(), ::getpid()), o.pids.end());
}

TEST(ProcessLive, ReadsItself) {
  const std::optional<ProcessSample> p = read_process(::getpid());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->pid, ::getpid());
  EXPECT_FALSE(p->name.empty());
  EXPECT_GE(p->threads, 1);
  EXPECT_GT(p->rss_bytes, 0u);
  EXPECT_GE(p->cpu_user_s + p->cpu_system_s, 0.0);
  // Our own process: smaps_rollup reads (kernel 4.14+).
  ASSERT_TRUE(p->smaps);
  EXPECT_GT(p->smaps->rss_bytes.value_or(0), 0u);
  EXPECT_TRUE(p->thp_bytes);
  EXPECT_FALSE(read_process(-5));
}

}  // namespace
}  // namespace llmbench::telemetry
