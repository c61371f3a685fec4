#include "llmbench/load/trace.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace llmbench {

namespace {

namespace dom = simdjson::dom;

constexpr std::int64_t kMaxInputTokens = 10'000'000;
constexpr std::int64_t kMaxOutputTokens = 1'000'000;
constexpr std::uint64_t kMaxTraceBytes = 2ull << 30;
constexpr std::string_view kAzureHeader = "TIMESTAMP,ContextTokens,GeneratedTokens";

// Lines with their 1-based numbers; a trailing '\r' (CRLF files) is dropped.
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {}
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    const std::size_t nl = text_.find('\n', pos_);
    const std::size_t end = nl == std::string_view::npos ? text_.size() : nl;
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  [[nodiscard]] std::size_t number() const noexcept { return number_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t number_ = 0;
};

bool blank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

std::string at(const std::string& name, std::size_t line) { return name + ":" + std::to_string(line) + ": "; }

template <class T>
bool parse_int(std::string_view s, T& out) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
}

// Arrivals must not go back in time: a replay sends in the trace's order, and
// a row earlier than the one before it would be sent late by construction.
std::string check_order(std::vector<TraceRow>& rows) {
  const std::size_t n = rows.size();
  if (n >= 2 && rows[n - 1].at_ns < rows[n - 2].at_ns) {
    return "timestamp goes back in time from the row before (a trace must be in arrival order)";
  }
  return {};
}

// A JSON number that must be a whole number in [lo, hi].
std::string read_count(dom::element obj, const char* key, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
  dom::element v;
  if (obj[key].get(v)) return std::string("missing \"") + key + "\"";
  if (v.get_int64().get(out) || out < lo || out > hi) {
    return std::string("\"") + key + "\" must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
  }
  return {};
}

std::string read_hash_ids(dom::element obj, TraceRow& row) {
  dom::element v;
  if (obj["hash_ids"].get(v)) return {};  // optional: the prompt is then the row's own
  dom::array arr;
  if (v.get_array().get(arr)) return "\"hash_ids\" must be an array of whole numbers";
  for (dom::element id : arr) {
    std::uint64_t h = 0;
    if (id.get_uint64().get(h)) return "\"hash_ids\" must be an array of whole numbers";
    row.hash_ids.push_back(h);
  }
  return {};
}

std::string parse_mooncake_row(dom::element rec, TraceRow& row) {
  if (!rec.is_object()) return "expected a JSON object with \"timestamp\", \"input_length\", \"output_length\"";
  // Mooncake's timestamps are whole milliseconds; a fraction is kept if given.
  dom::element ts;
  double ms = 0;
  if (rec["timestamp"].get(ts)) return "missing \"timestamp\"";
  // The bound (31 years) keeps every time in nanoseconds inside an int64.
  if (ts.get_double().get(ms) || !std::isfinite(ms) || ms < 0 || ms > 1e12) {
    return "\"timestamp\" must be a number of milliseconds from 0 to 1e12";
  }
  row.at_ns = std::llround(ms * 1e6);
  std::int64_t in = 0, out = 0;
  if (auto e = read_count(rec, "input_length", 1, kMaxInputTokens, in); !e.empty()) return e;
  if (auto e = read_count(rec, "output_length", 1, kMaxOutputTokens, out); !e.empty()) return e;
  row.input_tokens = static_cast<std::uint32_t>(in);
  row.output_tokens = static_cast<std::uint32_t>(out);
  return read_hash_ids(rec, row);
}

Expected<Trace> parse_mooncake(std::string_view bytes, const std::string& name) {
  Trace t;
  t.format = TraceFormat::mooncake;
  dom::parser parser;
  Lines lines(bytes);
  std::string_view line;
  while (lines.next(line)) {
    if (blank(line)) continue;
    dom::element rec;
    if (auto err = parser.parse(line.data(), line.size(), true).get(rec)) {
      return Unexpected(at(name, lines.number()) + "not valid JSON (" + simdjson::error_message(err) + ")");
    }
    TraceRow row;
    if (auto e = parse_mooncake_row(rec, row); !e.empty()) return Unexpected(at(name, lines.number()) + e);
    t.rows.push_back(std::move(row));
    if (auto e = check_order(t.rows); !e.empty()) return Unexpected(at(name, lines.number()) + e);
  }
  return t;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// "2023-11-16 18:15:46.6805900" (or with 'T') -> ns since the epoch. The
// fraction may have 0 to 9 digits; the Azure traces have 7.
bool parse_datetime(std::string_view s, std::int64_t& ns) {
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':') {
    return false;
  }
  int y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!parse_int(s.substr(0, 4), y) || !parse_int(s.substr(5, 2), mo) || !parse_int(s.substr(8, 2), d) ||
      !parse_int(s.substr(11, 2), h) || !parse_int(s.substr(14, 2), mi) || !parse_int(s.substr(17, 2), se)) {
    return false;
  }
  // Years past 2200 would overflow nanoseconds since 1970 in an int64 (2262).
  if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  std::int64_t frac_ns = 0;
  if (s.size() > 19) {
    const std::string_view frac = s.substr(20);
    if (s[19] != '.' || frac.empty() || frac.size() > 9 || frac.find_first_not_of("0123456789") != std::string_view::npos ||
        !parse_int(frac, frac_ns)) {
      return false;
    }
    for (std::size_t i = frac.size(); i < 9; ++i) frac_ns *= 10;
  }
  const std::int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  ns = secs * 1'000'000'000 + frac_ns;
  return true;
}

std::string parse_azure_row(std::string_view line, TraceRow& row, std::int64_t& unix_ns) {
  const std::size_t c1 = line.find(',');
  const std::size_t c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
  if (c2 == std::string_view::npos || line.find(',', c2 + 1) != std::string_view::npos) {
    return "expected 3 fields: TIMESTAMP,ContextTokens,GeneratedTokens";
  }
  if (!parse_datetime(line.substr(0, c1), unix_ns)) {
    return "TIMESTAMP '" + std::string(line.substr(0, c1)) + "': expected a date-time like 2023-11-16 18:15:46.6805900";
  }
  std::int64_t in = 0, out = 0;
  if (!parse_int(line.substr(c1 + 1, c2 - c1 - 1), in) || in < 1 || in > kMaxInputTokens) {
    return "ContextTokens must be a whole number from 1 to " + std::to_string(kMaxInputTokens);
  }
  if (!parse_int(line.substr(c2 + 1), out) || out < 1 || out > kMaxOutputTokens) {
    return "GeneratedTokens must be a whole number from 1 to " + std::to_string(kMaxOutputTokens);
  }
  row.input_tokens = static_cast<std::uint32_t>(in);
  row.output_tokens = static_cast<std::uint32_t>(out);
  return {};
}

// Azure rows carry absolute date-times: arrivals count from the first row.
Expected<Trace> parse_azure(Lines& lines, const std::string& name) {
  Trace t;
  t.format = TraceFormat::azure;
  std::int64_t first_ns = 0;
  std::string_view line;
  while (lines.next(line)) {
    if (blank(line)) continue;
    TraceRow row;
    std::int64_t unix_ns = 0;
    if (auto e = parse_azure_row(line, row, unix_ns); !e.empty()) return Unexpected(at(name, lines.number()) + e);
    if (t.rows.empty()) first_ns = unix_ns;
    row.at_ns = unix_ns - first_ns;
    t.rows.push_back(row);
    if (auto e = check_order(t.rows); !e.empty()) return Unexpected(at(name, lines.number()) + e);
  }
  return t;
}

}  // namespace

std::string_view to_string(TraceFormat f) noexcept { return f == TraceFormat::azure ? "azure" : "mooncake"; }

Expected<Trace> parse_trace(std::string_view bytes, const std::string& name) {
  Lines lines(bytes);
  std::string_view first;
  while (lines.next(first) && blank(first)) {
  }
  if (blank(first)) return Unexpected(name + ": the trace is empty");
  if (first.front() != '{' && first != kAzureHeader) {
    return Unexpected(at(name, lines.number()) + "unknown trace format: expected Mooncake JSON Lines ({\"timestamp\": ...}) "
                      "or an Azure CSV with the header " + std::string(kAzureHeader));
  }
  Expected<Trace> t = first.front() == '{' ? parse_mooncake(bytes, name) : parse_azure(lines, name);
  if (!t) return t;
  if (t->rows.empty()) return Unexpected(name + ": the trace has a header but no rows");
  if (t->format == TraceFormat::mooncake) {
    // Mooncake's timestamps count from the trace's start; replay from its first arrival.
    const std::int64_t t0 = t->rows.front().at_ns;
    for (TraceRow& r : t->rows) r.at_ns -= t0;
  }
  return t;
}

Expected<Trace> load_trace(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Unexpected(path + ": cannot read trace (" + ec.message() + ")");
  if (size > kMaxTraceBytes) return Unexpected(path + ": trace is more than 2 GiB");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in.good() && !in.eof()) return Unexpected(path + ": cannot read trace");
  return parse_trace(ss.str(), path);
}

Expected<TraceWindow> parse_trace_window(std::string_view text) {
  const std::string why = "--trace-window '" + std::string(text) + "': expected START:END in seconds of the trace, 0 <= START < END";
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return Unexpected(why);
  const auto number = [](std::string_view s, double& v) {
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc{} && p == s.data() + s.size() && std::isfinite(v);
  };
  TraceWindow w;
  const std::string_view a = text.substr(0, colon), b = text.substr(colon + 1);
  if (a.empty() && b.empty()) return Unexpected(why);
  constexpr double kMaxSeconds = 1e9;  // in nanoseconds, well inside an int64
  if (!a.empty() && (!number(a, w.start_s) || w.start_s < 0 || w.start_s > kMaxSeconds)) return Unexpected(why);
  if (!b.empty()) {
    double end = 0;
    if (!number(b, end) || end <= w.start_s || end > kMaxSeconds) return Unexpected(why);
    w.end_s = end;
  }
  return w;
}

Expected<std::vector<TraceRow>> select_trace_rows(const Trace& trace, const std::string& name,
                                                  const TraceWindow& window, double speed) {
  const auto start_ns = static_cast<std::int64_t>(std::llround(window.start_s * 1e9));
  const std::int64_t end_ns = window.end_s ? std::llround(*window.end_s * 1e9) : INT64_MAX;
  std::vector<TraceRow> out;
  for (const TraceRow& r : trace.rows) {
    if (r.at_ns < start_ns || r.at_ns >= end_ns) continue;
    TraceRow s = r;
    s.at_ns = std::llround(static_cast<double>(r.at_ns - start_ns) / speed);
    out.push_back(std::move(s));
  }
  if (out.empty()) {
    const double span_s = static_cast<double>(trace.rows.back().at_ns) / 1e9;
    std::ostringstream m;
    m << name << ": no arrivals inside --trace-window " << window.start_s << ":";
    if (window.end_s) m << *window.end_s;
    m << " (the trace's arrivals span 0 to " << span_s
      << " s)";
    return Unexpected(m.str());
  }
  return out;
}

}  // namespace llmbench
