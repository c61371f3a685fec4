#include "llmbench/cli/options.hpp"

#include <algorithm>

namespace llmbench::cli {

namespace {

// Adds one option for `dst` to `app`; flags that default to true also get a
// --no- form.
template <class T>
CLI::Option* add_option(CLI::App& app, const std::string& flag, T& dst, const std::string& help) {
  if constexpr (std::is_same_v<T, bool>) {
    if (dst) return app.add_flag(flag + ",!--no-" + flag.substr(2), dst, help);
    return app.add_flag(flag, dst, help);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    return app.add_option(flag, dst, help);
  } else {
    return app.add_option(flag, dst, help);
  }
}

}  // namespace

void bind_settings(CLI::App& app, Settings& s, BoundOptions& bound) {
  bound.by_field.clear();
  for (const Field& f : settings_table()) {
    CLI::Option* opt =
        visit_field(f, s, [&](auto& dst) { return add_option(app, std::string(f.flag), dst, std::string(f.help)); });
    if (f.name == "prompts") opt->delimiter(',');
    if (f.name == "export") opt->expected(2)->type_name("vllm FILE");
    opt->group(std::string(f.group));
    bound.by_field.push_back(opt);
  }
  app.add_flag("-v,--verbose", [&s](std::int64_t n) { s.verbosity += static_cast<int>(n); }, "More log output (repeatable)")
      ->group("Output");
  app.add_flag("-q,--quiet", [&s](std::int64_t n) { s.verbosity -= static_cast<int>(n); },
               "Only the report and errors; no progress")
      ->group("Output");
  app.add_option("--config", bound.config_path, "Load settings from a JSON file (flags given here override it)")
      ->group("Configuration");
  app.add_flag("--dump-config", bound.dump_config, "Print the effective settings as JSON (for --config) and exit")
      ->group("Configuration");
}

Expected<Settings> resolve_settings(const Settings& from_cli, const BoundOptions& bound) {
  Settings out;
  if (!bound.config_path.empty()) {
    if (auto loaded = load_config_file(bound.config_path, out); !loaded) return Unexpected(loaded.error());
  }
  const auto& table = settings_table();
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (bound.by_field[i]->count() == 0) continue;
    visit_field(table[i], out, [&](auto& dst) {
      visit_field(table[i], from_cli, [&](const auto& src) {
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(dst)>, std::remove_cvref_t<decltype(src)>>) dst = src;
      });
    });
  }
  out.verbosity = from_cli.verbosity;
  return out;
}

std::string mock_fault_list() {
  std::string out;
  for (const std::string_view f : mock::fault_modes()) {
    if (!out.empty()) out += ", ";
    out += f;
  }
  return out;
}

void bind_mock_options(CLI::App& cmd, mock::MockConfig& cfg) {
  for (const MockOption& o : mock_options()) {
    std::string help(o.help);
    if (o.field == "fault") help = "Inject a fault (several, comma-separated, are taken in turn): " + mock_fault_list();
    std::visit(
        [&](auto ptr) {
          if constexpr (requires { cfg.*ptr; }) add_option(cmd, std::string(o.flag), cfg.*ptr, help);
        },
        o.ptr);
  }
  cmd.add_flag("!--keep-streams-open", cfg.close_after_stream,
               "Keep connections open after streamed responses (llama-server closes them)");
}

std::string describe(const mock::ConfigProblem& p, bool mock_server) {
  for (const MockOption& o : mock_options()) {
    if (o.field != p.field) continue;
    const std::string flag = mock_server ? std::string(o.flag) : "--mock-" + std::string(o.flag.substr(2));
    return flag + ": " + p.message;
  }
  return std::string(p.field) + ": " + p.message;
}

}  // namespace llmbench::cli
