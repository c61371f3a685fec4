#pragma once
// Builds the CLI11 parser from the settings table.
#include <CLI/CLI.hpp>

#include <vector>

#include "llmbench/cli/settings.hpp"
#include "llmbench/mock/config.hpp"

namespace llmbench::cli {

struct BoundOptions {
  std::vector<CLI::Option*> by_field;  // parallel to settings_table()
  std::string config_path;
  bool dump_config = false;
};

// Adds every setting (and -v, -q, --config, --dump-config) to `app`.
void bind_settings(CLI::App& app, Settings& s, BoundOptions& bound);

// After parsing: the settings of --config, under the flags given explicitly.
Expected<Settings> resolve_settings(const Settings& from_cli, const BoundOptions& bound);

// `llmbench mock-server`: every row of mock_options() onto a MockConfig.
void bind_mock_options(CLI::App& cmd, mock::MockConfig& cfg);
// "--fault: unknown fault mode ..." for a problem validate() found, with the
// field named by its flag (`mock_server`: mock-server's spelling, else the
// main command's --mock-*).
std::string describe(const mock::ConfigProblem& p, bool mock_server);
// "http_500, http_503, ..." for help and errors.
std::string mock_fault_list();

}  // namespace llmbench::cli
