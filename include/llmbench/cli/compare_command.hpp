#pragma once
// `llmbench compare BASE.json NEW.json [NEW2.json ...]`: is the new run
// faster, with what confidence, and what else changed (report/compare.hpp).
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace llmbench::cli {

struct CompareOptions {
  std::vector<std::string> files;  // the first is the baseline
  std::string format = "terminal";
  double alpha = 0.05;
  double min_effect_pct = 1.0;
  std::optional<double> fail_if_slower_pct;
  std::string output;  // the JSON, whatever --format prints
  std::string html;
};

CLI::App* add_compare_command(CLI::App& app, CompareOptions& opts);

// Exit codes: 0 compared; 2 an input unreadable or not comparable; 1 an
// output could not be written; 5 --fail-if-slower tripped.
int run_compare(const CompareOptions& opts);

}  // namespace llmbench::cli
