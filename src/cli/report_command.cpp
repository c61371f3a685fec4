#include "llmbench/util/atomic_file.hpp"
#include "llmbench/cli/report_command.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>

#include "llmbench/cli/exit_codes.hpp"
#include "llmbench/report/html_report.hpp"
#include "llmbench/report/json_report.hpp"

namespace llmbench::cli {

CLI::App* add_report_command(CLI::App& app, ReportOptions& opts) {
  CLI::App* cmd = app.add_subcommand("report", "Draw saved results files as one self-contained HTML page of charts");
  cmd->add_option("files", opts.files, "llmbench results files (JSON); several are overlaid, the first as baseline")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--html", opts.html, "Write the page here (opens from disk, no network needed)")->required();
  return cmd;
}

int run_report(const ReportOptions& opts) {
  std::vector<report::ResultsText> inputs;
  for (const std::string& file : opts.files) {
    Expected<report::ResultsText> in = report::read_results_file(file);
    if (!in) {
      std::fprintf(stderr, "llmbench report: %s\n", in.error().c_str());
      return kExitUsage;
    }
    inputs.push_back(std::move(*in));
  }
  const Expected<std::string> html = report::render_html_report(inputs);
  if (!html) {
    std::fprintf(stderr, "llmbench report: %s\n", html.error().c_str());
    return kExitUsage;
  }
  if (auto saved = util::write_file_atomically(opts.html, *html); !saved) {
    std::fprintf(stderr, "llmbench report: %s\n", saved.error().c_str());
    return kExitFailure;
  }
  std::fprintf(stderr, "llmbench report: wrote %s (%zu results file%s)\n", opts.html.c_str(), inputs.size(),
               inputs.size() == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace llmbench::cli
