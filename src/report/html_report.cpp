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

bool read_results_file(const std::string& path, ResultsText& out, std::string& error) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  // An empty file inserts nothing, which marks `text` failed: not an error
  // here, the JSON parser will say what is wrong with it.
  if (in) text << in.rdbuf();
  if (!in.is_open() || in.bad()) {
    error = fmt::format("{}: cannot read ({})", path, errno ? std::strerror(errno) : "I/O error");
    return false;
  }
  out.name = path;
  out.json = text.str();
  return true;
}

bool render_html_report(const std::vector<ResultsText>& inputs, std::string& html, std::string& error) {
  std::string view_model;
  if (!html::build_view_model(inputs, view_model, error)) return false;
  // The view model goes first: report.js reads it when it runs, after
  // Chart.js has defined window.Chart.
  html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n"
      "<noscript>This report draws its charts with JavaScript.</noscript>\n"
      "<main id=\"llmbench-report\"></main>\n"
      "<script type=\"application/json\" id=\"llmbench-data\">{}</script>\n"
      "<script>\n{}\n</script>\n<script>\n{}\n</script>\n</body>\n</html>\n",
      escape_html_text(page_title(inputs)), assets::report_css(), escape_json_for_script(view_model),
      assets::chartjs(), assets::report_js());
  return true;
}

}  // namespace llmbench::report
