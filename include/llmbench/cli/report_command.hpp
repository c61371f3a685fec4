#pragma once
// `llmbench report RESULTS.json [MORE.json ...] --html FILE`: one
// self-contained HTML page of charts from saved results files, several files
// overlaid (the first is the baseline). See report/html_report.hpp.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace llmbench::cli {

struct ReportOptions {
  std::vector<std::string> files;
  std::string html;
};

// Adds the `report` subcommand to `app`, bound to `opts`.
CLI::App* add_report_command(CLI::App& app, ReportOptions& opts);

// Exit codes: 0 written; 2 an input is unreadable or not a results file
// (one line naming it); 1 the page could not be written.
int run_report(const ReportOptions& opts);

}  // namespace llmbench::cli
