#pragma once
// The bench server's command line.
#include <cstdint>
#include <string_view>

#include "flag_args.hpp"

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
  const bool ok = bench_args::for_each_flag(argc, argv, [&](std::string_view a, auto& num) {
    if (a == "--port") return num(o.port);
    if (a == "--tokens") return num(o.tokens);
    if (a == "--ttft-us") return num(o.ttft_us);
    if (a == "--gap-us") return num(o.gap_us);
    if (a == "--ttft-spread-us") return num(o.ttft_spread_us);
    if (a == "--events-per-write") return num(o.events_per_write) && o.events_per_write > 0;
    if (a == "--stamp") {
      o.stamp = true;
      return true;
    }
    return false;
  });
  return ok && o.port >= 0 && o.port < 65536 && o.ttft_us >= 0 && o.gap_us >= 0 && o.ttft_spread_us >= 0;
}

}  // namespace bench_stream
