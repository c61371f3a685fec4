#include "llmbench/cli/compare_command.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>

#include "llmbench/cli/exit_codes.hpp"
#include "llmbench/report/compare.hpp"
#include "llmbench/report/compare_format.hpp"
#include "llmbench/report/html_report.hpp"
#include "llmbench/util/atomic_file.hpp"

namespace llmbench::cli {

CLI::App* add_compare_command(CLI::App& app, CompareOptions& opts) {
  CLI::App* cmd = app.add_subcommand("compare", "Is NEW faster than BASE? Deltas with confidence intervals and verdicts");
  cmd->add_option("files", opts.files, "BASE.json NEW.json [NEW2.json ...] (llmbench results files)")
      ->required()
      ->expected(2, -1)
      ->check(CLI::ExistingFile);
  cmd->add_option("--format", opts.format, "terminal (default), markdown or json")
      ->check(CLI::IsMember({"terminal", "markdown", "json"}));
  cmd->add_option("--alpha", opts.alpha, "Significance level (default: 0.05)")->check(CLI::Range(1e-6, 0.5));
  cmd->add_option("--min-effect", opts.min_effect_pct, "Smallest difference that matters, in % (default: 1)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--fail-if-slower", opts.fail_if_slower_pct,
                  "Exit 5 when the overall verdict is slower by more than PCT %, or a prompt that succeeded in BASE has no "
                  "successful run in NEW (failed every run, or absent)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--output", opts.output, "Also write the comparison as JSON to this file");
  cmd->add_option("--html", opts.html, "Write the comparison and overlaid charts as one HTML page");
  return cmd;
}

namespace {

Expected<std::vector<report::CompareResult>> compare_all(const std::vector<report::ResultsText>& in,
                                                         const stats::VerdictRule& rule) {
  std::vector<report::CompareResult> out;
  for (std::size_t i = 1; i < in.size(); ++i) {
    auto r = report::compare_results(in.front(), in[i], rule);
    if (!r) return Unexpected(r.error());
    out.push_back(std::move(*r));
  }
  return out;
}

int write_or_fail(const std::string& path, const std::string& text) {
  if (auto saved = util::write_file_atomically(path, text); !saved) {
    std::fprintf(stderr, "llmbench compare: %s\n", saved.error().c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

int run_compare(const CompareOptions& opts) {
  std::vector<report::ResultsText> inputs;
  for (const std::string& file : opts.files) {
    Expected<report::ResultsText> in = report::read_results_file(file);
    if (!in) {
      std::fprintf(stderr, "llmbench compare: %s\n", in.error().c_str());
      return kExitUsage;
    }
    inputs.push_back(std::move(*in));
  }
  const stats::VerdictRule rule{opts.alpha, opts.min_effect_pct / 100.0, stats::Better::higher};
  const auto results = compare_all(inputs, rule);
  if (!results) {
    std::fprintf(stderr, "llmbench compare: %s\n", results.error().c_str());
    return kExitUsage;
  }
  const std::string json = report::render_compare_json(*results, rule);
  if (opts.format == "json") {
    std::fputs(json.c_str(), stdout);
  } else {
    for (const report::CompareResult& r : *results) {
      std::fputs(report::render_compare_text(r, rule, opts.format == "markdown").c_str(), stdout);
    }
  }
  if (!opts.output.empty() && write_or_fail(opts.output, json) != kExitOk) return kExitFailure;
  if (!opts.html.empty()) {
    const Expected<std::string> html = report::render_html_report(inputs, json);
    if (!html) {
      std::fprintf(stderr, "llmbench compare: %s\n", html.error().c_str());
      return kExitUsage;
    }
    if (write_or_fail(opts.html, *html) != kExitOk) return kExitFailure;
  }
  if (opts.fail_if_slower_pct) {
    for (const report::CompareResult& r : *results) {
      if (!report::fails_gate(r, *opts.fail_if_slower_pct)) continue;
      if (r.new_lost_prompts) {
        std::string keys;
        for (const std::string& k : r.lost_prompts) {
          if (!keys.empty()) keys += ", ";
          keys += k;
        }
        std::fprintf(stderr, "llmbench compare: prompt(s) %s succeeded in %s and no run of them did in %s (--fail-if-slower)\n",
                     keys.c_str(), r.base_name.c_str(), r.new_name.c_str());
        return kExitSlower;
      }
      std::fprintf(stderr, "llmbench compare: %s is slower than %s by %.1f %% (more than --fail-if-slower %.1f %%)\n",
                   r.new_name.c_str(), r.base_name.c_str(), -r.overall->delta_pct, *opts.fail_if_slower_pct);
      return kExitSlower;
    }
  }
  return kExitOk;
}

}  // namespace llmbench::cli
