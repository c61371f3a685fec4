// The HTML page: a fixed shell around four inline parts, the style sheet,
// the view model (as inert JSON), Chart.js and our drawing script. The page
// itself is built by report.js from the view model, so the only text from
// the results that C++ writes into markup is the title.
#include "llmbench/report/html_report.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "llmbench/report/html_assets.hpp"

namespace llmbench::report {

namespace {

// The page's title: the files' names, so tabs and printouts say what they show.
std::string page_title(const std::vector<ResultsText>& inputs) {
  std::string names;
  for (const std::string& label : html::file_labels(inputs)) names += (names.empty() ? "" : ", ") + label;
  return "llmbench report: " + names;
}

// Minimal HTML text escaping for the <title>, the one place C++ writes text.
std::string escape_html_text(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string escape_json_for_script(std::string_view json) {
  std::string out;
  out.reserve(json.size() + json.size() / 16);
  for (const char c : json) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Expected<ResultsText> read_results_file(const std::string& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  // An empty file inserts nothing, which marks `text` failed: not an error
  // here, the JSON parser will say what is wrong with it.
  if (in) text << in.rdbuf();
  if (!in.is_open() || in.bad()) {
    return Unexpected(fmt::format("{}: cannot read ({})", path, errno ? std::strerror(errno) : "I/O error"));
  }
  return ResultsText{path, text.str()};
}

Expected<std::string> render_html_report(const std::vector<ResultsText>& inputs, std::string_view compare_json) {
  const Expected<std::string> view_model = html::build_view_model(inputs, compare_json);
  if (!view_model) return Unexpected(view_model.error());
  // The view model goes first: report.js reads it when it runs, after
  // Chart.js has defined window.Chart.
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n"
      "<noscript>This report draws its charts with JavaScript.</noscript>\n"
      "<main id=\"llmbench-report\"></main>\n"
      "<script type=\"application/json\" id=\"llmbench-data\">{}</script>\n"
      "<script>\n{}\n</script>\n<script>\n{}\n</script>\n</body>\n</html>\n",
      escape_html_text(page_title(inputs)), assets::report_css(), escape_json_for_script(*view_model),
      assets::chartjs(), assets::report_js());
}

}  // namespace llmbench::report
