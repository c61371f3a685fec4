#pragma once
// Builds the CLI11 parser from the settings table.
#include <CLI/CLI.hpp>

#include <vector>

#include "llmbench/cli/settings.hpp"
#include "llmbench/load/plan.hpp"

namespace llmbench::cli {

struct BoundOptions {
  std::vector<CLI::Option*> by_field;  // parallel to settings_table()
  std::string config_path;
  bool dump_config = false;
};

// Adds every setting (and -v, -q, --config, --dump-config) to `app`.
void bind_settings(CLI::App& app, Settings& s, BoundOptions& bound);

// After parsing: applies --config under the flags given explicitly.
bool resolve_settings(const Settings& from_cli, const BoundOptions& bound, Settings& out, std::string& error);

struct SweepSpec {
  enum class Kind : std::uint8_t { none, concurrency, rate, automatic } kind = Kind::none;
  std::vector<double> values;
};
// Parses --sweep; an empty text is Kind::none.
bool parse_sweep(const std::string& text, SweepSpec& out, std::string& error);
// Parses --slo "ttft_ms=..,tpot_ms=..,e2e_ms=..".
bool parse_slo(const std::string& text, Slo& out, std::string& error);

// Checks ranges and combinations; a one-line error naming the flag.
bool validate_settings(const Settings& s, std::string& error);

}  // namespace llmbench::cli
namespace llmbench::mock {
struct MockConfig;
}
namespace llmbench::cli {

// `llmbench mock-server` options onto a MockConfig.
void bind_mock_options(CLI::App& cmd, mock::MockConfig& cfg);
// "http_500, http_503, ..." for help and errors.
std::string mock_fault_list();

// The flag spelling of a field name, e.g. "timeout_s" -> "--timeout".
std::string flag_of(std::string_view field_name);

}  // namespace llmbench::cli
