#pragma once
// The bench server's command line.
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace bench_stream {

struct Options {
  int port = 0;
  std::uint32_t tokens = 256;
  std::int64_t ttft_us = 0;
  std::int64_t gap_us = 0;
  std::int64_t ttft_spread_us = 0;
  std::uint32_t events_per_write = 1;
  bool stamp = false;
};

constexpr const char* kUsage =
    "usage: llmbench_bench_server [--port P] [--tokens N] [--ttft-us US] [--ttft-spread-us US]\n"
    "                             [--gap-us US] [--events-per-write K] [--stamp]\n"
    "  --port P              listen on 127.0.0.1:P (0, the default: any free port)\n"
    "  --tokens N            content events per chat completion (default 256; max_tokens is ignored)\n"
    "  --ttft-us US          delay before the first event\n"
    "  --ttft-spread-us US   plus 0..US more, spread evenly over successive streams (desynchronises\n"
    "                        paced streams that start together)\n"
    "  --gap-us US           time per token; K events leave every K*US (0: as fast as the reader drains)\n"
    "  --events-per-write K  events per chunk and per write (default 1)\n"
    "  --stamp               each event carries \"stamp_ns\": CLOCK_MONOTONIC at send time\n"
    "SIGINT/SIGTERM print a JSON line of counters and CPU time on stderr.\n";

inline bool parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    auto num = [&](auto& out) {
      if (v == nullptr) return false;
      const auto r = std::from_chars(v, v + std::strlen(v), out);
      ++i;
      return r.ec == std::errc() && *r.ptr == '\0';
    };
    bool ok = true;
    if (a == "--port") ok = num(o.port);
    else if (a == "--tokens") ok = num(o.tokens);
    else if (a == "--ttft-us") ok = num(o.ttft_us);
    else if (a == "--gap-us") ok = num(o.gap_us);
    else if (a == "--ttft-spread-us") ok = num(o.ttft_spread_us);
    else if (a == "--events-per-write") ok = num(o.events_per_write) && o.events_per_write > 0;
    else if (a == "--stamp") o.stamp = true;
    else ok = false;
    if (!ok) return false;
  }
  return o.port >= 0 && o.port < 65536 && o.ttft_us >= 0 && o.gap_us >= 0 && o.ttft_spread_us >= 0;
}

}  // namespace bench_stream
