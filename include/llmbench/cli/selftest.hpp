#pragma once
// `llmbench selftest`: how far llmbench's own timestamps are from the truth
// on this machine. The built-in server runs in-process with a known TTFT and
// token rate and stamps every token event with its send time; llmbench's
// request path streams from it at 1, 100 and 1,000 streams, with kernel and
// with user timestamps, and the differences between its read timestamps and
// those send stamps are its own error (see src/cli/selftest.cpp).
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace llmbench::cli {

struct SelftestOptions {
  std::vector<int> streams{1, 100, 1000};
};

// Adds the `selftest` subcommand to `app`, bound to `opts`.
CLI::App* add_selftest_command(CLI::App& app, SelftestOptions& opts);

// Prints the table and a verdict on the TTFT error target. Exit codes: 0
// figures printed (whether or not the target was met: the verdict says);
// 1 the built-in server could not start or no request succeeded.
int run_selftest(const SelftestOptions& opts);

}  // namespace llmbench::cli
