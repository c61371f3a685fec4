#pragma once
// The parts of the HTML report that are not C++: Chart.js (read from Debian's
// libjs-chart.js at build time) and our own script and style sheet
// (src/report/html/). cmake/EmbedFile.cmake generates their definitions, so
// the report needs neither the package nor the source tree at run time.
#include <string_view>

namespace llmbench::report::assets {

std::string_view chartjs() noexcept;     // Chart.js 3, minified
std::string_view report_js() noexcept;   // src/report/html/report.js
std::string_view report_css() noexcept;  // src/report/html/report.css

}  // namespace llmbench::report::assets
