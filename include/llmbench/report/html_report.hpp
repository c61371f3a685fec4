#pragma once
// `--html FILE`: one self-contained page of charts from results files.
//
// The page opens from disk with no network: Chart.js (embedded in the binary
// at build time), our script and style sheet, and the view model
// (html_view_model.hpp, every figure computed here) are all inline. The
// script draws every chart from the view model and then sets
// `window.llmbenchReady = true`; tests/browser/ checks the result in Chromium.
//
// For a run just finished, or for `compare`, pass the results JSON text
// (render_json) as a ResultsText and write the page with
// util::write_file_atomically; `llmbench report` reads saved
// files with read_results_file.
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/report/html_view_model.hpp"

namespace llmbench::report {

// Reads a saved results file (its name is the path, which errors quote; the
// page labels it by base name). A read error is "<path>: <reason>".
Expected<ResultsText> read_results_file(const std::string& path);

// The whole page for `inputs` (the first is drawn as the baseline). An input
// that is not a usable results file is one line "<name>: <what was wrong>".
// With compare_json (render_compare_json's text), the page is a comparison:
// the delta table with verdicts and "what changed" first, then the charts.
Expected<std::string> render_html_report(const std::vector<ResultsText>& inputs, std::string_view compare_json = {});

// JSON made safe as the text of a <script> element: every '<' becomes
// \u003c, so neither "</script" nor "<!--" (which would change how the HTML
// parser reads the rest of the script) can occur. Valid JSON stays valid and
// means the same: outside strings JSON has no '<' at all.
std::string escape_json_for_script(std::string_view json);

}  // namespace llmbench::report
