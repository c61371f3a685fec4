#pragma once
// llmbench depth: llama-bench's prefill/decode-at-depth table over HTTP, with
// concurrency. For each depth d, each client first fills its slot's context
// with d tokens (a request of max_tokens 1, which leaves them in the server's
// prompt cache), then, all clients at once, sends those d tokens and pp new
// ones and generates tg: the server's timings of that request give prefill
// tokens/s at depth d (pp) and decode tokens/s at depth d (tg).
#include <CLI/CLI.hpp>

#include <string>

#include "llmbench/cli/parsed_settings.hpp"

namespace llmbench::cli {

struct DepthOptions {
  std::string depths = "0,1024,4096";
  int pp = 512;
  int tg = 128;
  std::string concurrency = "1";
  int runs = 3;
  std::string output;  // JSON
};

// The subcommand; the main command's target options (--url, --mock, --endpoint,
// --header, ...) are given beside it.
CLI::App* add_depth_command(CLI::App& app, DepthOptions& opts);

// Runs it against the target of `p`; returns the exit code.
int run_depth(const DepthOptions& opts, const ParsedSettings& p);

}  // namespace llmbench::cli
