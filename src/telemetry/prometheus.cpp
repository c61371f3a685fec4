#include "llmbench/telemetry/prometheus.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace llmbench::telemetry {

std::optional<std::string_view> find_label(const std::vector<Label>& labels, std::string_view name) noexcept {
  for (const Label& l : labels) {
    if (l.name == name) return std::string_view(l.value);
  }
  return std::nullopt;
}

namespace prom {
namespace {

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool is_alpha_(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool metric_char(char c) noexcept { return is_alpha_(c) || is_digit(c) || c == ':'; }
constexpr bool label_char(char c) noexcept { return is_alpha_(c) || is_digit(c); }

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// A position in one line; every read stops at the line's end.
struct Cursor {
  std::string_view s;
  std::size_t pos = 0;

  [[nodiscard]] bool done() const noexcept { return pos >= s.size(); }
  [[nodiscard]] char peek() const noexcept { return done() ? '\0' : s[pos]; }
  void skip_blanks() noexcept {
    while (!done() && is_blank(s[pos])) ++pos;
  }
  std::string_view token() noexcept {  // up to the next blank
    const std::size_t from = pos;
    while (!done() && !is_blank(s[pos])) ++pos;
    return s.substr(from, pos - from);
  }
  template <class Pred>
  std::string_view take_while(Pred p) noexcept {
    const std::size_t from = pos;
    while (!done() && p(s[pos])) ++pos;
    return s.substr(from, pos - from);
  }
};

bool valid_metric_name(std::string_view n) noexcept {
  if (n.empty() || !(is_alpha_(n[0]) || n[0] == ':')) return false;
  for (char c : n) {
    if (!metric_char(c)) return false;
  }
  return true;
}

std::string_view read_metric_name(Cursor& c) noexcept {
  if (!(is_alpha_(c.peek()) || c.peek() == ':')) return {};
  return c.take_while(metric_char);
}

// HELP text: \\ and \n are the only escapes.
bool unescape_help(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out.push_back(in[i]);
      continue;
    }
    if (++i == in.size()) return false;
    if (in[i] == '\\') out.push_back('\\');
    else if (in[i] == 'n') out.push_back('\n');
    else return false;
  }
  return true;
}

std::optional<std::int64_t> parse_timestamp(std::string_view t) noexcept {
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  if (t.empty() || t[0] == '+') return std::nullopt;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return v;
}

std::optional<MetricType> parse_type(std::string_view t) noexcept {
  if (t == "counter") return MetricType::counter;
  if (t == "gauge") return MetricType::gauge;
  if (t == "histogram") return MetricType::histogram;
  if (t == "summary") return MetricType::summary;
  if (t == "untyped") return MetricType::untyped;
  return std::nullopt;
}

class Parser {
 public:
  Exposition run(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) eol = text.size();
      std::string_view l = text.substr(pos, eol - pos);
      while (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      ++out_.lines;
      if (!line(l)) bad();
      pos = eol + 1;
    }
    return std::move(out_);
  }

 private:
  void bad() {
    ++out_.bad_lines;
    if (out_.bad_line_numbers.size() < kKeptBadLines) out_.bad_line_numbers.push_back(out_.lines);
  }

  bool line(std::string_view l) {
    Cursor c{l};
    c.skip_blanks();
    if (c.done()) return true;
    if (c.peek() == '#') {
      ++c.pos;
      return comment(c);
    }
    return sample(c);
  }

  // "# HELP name text", "# TYPE name type"; any other comment is ignored.
  bool comment(Cursor& c) {
    c.skip_blanks();
    const std::string_view keyword = c.token();
    if (keyword != "HELP" && keyword != "TYPE") return true;
    c.skip_blanks();
    const std::string_view name = c.token();
    if (!valid_metric_name(name)) return false;
    c.skip_blanks();
    if (keyword == "HELP") return help(name, c.s.substr(c.pos));
    const std::optional<MetricType> t = parse_type(c.token());
    c.skip_blanks();
    if (!t || !c.done()) return false;
    return type(name, *t);
  }

  bool help(std::string_view name, std::string_view text) {
    std::string unescaped;
    if (!unescape_help(text, unescaped)) return false;
    const std::size_t f = family_index(name);
    if (help_seen_[f]) return false;
    help_seen_[f] = true;
    out_.families[f].help = std::move(unescaped);
    return true;
  }

  bool type(std::string_view name, MetricType t) {
    const std::size_t f = family_index(name);
    if (type_seen_[f] || !out_.families[f].samples.empty()) return false;
    type_seen_[f] = true;
    out_.families[f].type = t;
    return true;
  }

  bool sample(Cursor& c) {
    Sample s;
    s.name = std::string(read_metric_name(c));
    // The name ends at a blank or at its label set, not at any other byte.
    if (s.name.empty() || !(c.done() || is_blank(c.peek()) || c.peek() == '{')) return false;
    c.skip_blanks();
    if (c.peek() == '{') {
      ++c.pos;
      if (!labels(c, s.labels)) return false;
      c.skip_blanks();
    }
    const std::optional<double> v = parse_value(c.token());
    if (!v) return false;
    s.value = *v;
    c.skip_blanks();
    if (!c.done()) {
      s.timestamp_ms = parse_timestamp(c.token());
      c.skip_blanks();
      if (!s.timestamp_ms || !c.done()) return false;
    }
    return place(std::move(s));
  }

  bool labels(Cursor& c, std::vector<Label>& out) {
    for (;;) {
      c.skip_blanks();
      if (c.peek() == '}') {
        ++c.pos;
        return true;
      }
      if (!is_alpha_(c.peek())) return false;
      Label l;
      l.name = std::string(c.take_while(label_char));
      if (find_label(out, l.name)) return false;
      c.skip_blanks();
      if (c.peek() != '=') return false;
      ++c.pos;
      c.skip_blanks();
      if (c.peek() != '"' || !label_value(c, l.value)) return false;
      out.push_back(std::move(l));
      c.skip_blanks();
      if (c.peek() == ',') ++c.pos;
      else if (c.peek() != '}') return false;
    }
  }

  // After the opening quote; consumes the closing one.
  static bool label_value(Cursor& c, std::string& out) {
    for (++c.pos; !c.done(); ++c.pos) {
      const char ch = c.s[c.pos];
      if (ch == '"') {
        ++c.pos;
        return true;
      }
      if (ch != '\\') {
        out.push_back(ch);
        continue;
      }
      if (++c.pos == c.s.size()) return false;
      const char e = c.s[c.pos];
      if (e == '\\' || e == '"') out.push_back(e);
      else if (e == 'n') out.push_back('\n');
      else return false;
    }
    return false;
  }

  // The family a sample belongs to: its own name, else the histogram or
  // summary whose name it extends by a suffix, else a new untyped family.
  bool place(Sample s) {
    const std::string_view n = s.name;
    std::size_t f = lookup(n);
    if (f == kNone) f = owner_by_suffix(n);
    if (f == kNone) f = family_index(n);
    Family& fam = out_.families[f];
    if (!well_formed(fam, s)) return false;
    fam.samples.push_back(std::move(s));
    return true;
  }

  std::size_t owner_by_suffix(std::string_view n) const {
    for (const std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (n.size() <= suffix.size() || n.substr(n.size() - suffix.size()) != suffix) continue;
      const std::size_t f = lookup(n.substr(0, n.size() - suffix.size()));
      if (f == kNone) continue;
      const MetricType t = out_.families[f].type;
      if (t == MetricType::histogram || (t == MetricType::summary && suffix != "_bucket")) return f;
    }
    return kNone;
  }

  // Buckets need a numeric `le`, quantiles a numeric `quantile`.
  static bool well_formed(const Family& fam, const Sample& s) {
    std::string_view needed;
    const std::string_view n = s.name;
    if (fam.type == MetricType::histogram && n.size() > fam.name.size() && n.substr(fam.name.size()) == "_bucket") {
      needed = "le";
    }
    if (fam.type == MetricType::summary && s.name == fam.name) needed = "quantile";
    if (needed.empty()) return true;
    const std::optional<std::string_view> v = find_label(s.labels, needed);
    return v && parse_value(*v);
  }

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  std::size_t lookup(std::string_view name) const {
    const auto it = index_.find(std::string(name));
    return it == index_.end() ? kNone : it->second;
  }

  std::size_t family_index(std::string_view name) {
    const auto [it, inserted] = index_.try_emplace(std::string(name), out_.families.size());
    if (inserted) {
      out_.families.push_back(Family{std::string(name), MetricType::untyped, {}, {}});
      help_seen_.push_back(false);
      type_seen_.push_back(false);
    }
    return it->second;
  }

  Exposition out_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<bool> help_seen_;
  std::vector<bool> type_seen_;
};

}  // namespace

std::string_view to_string(MetricType t) noexcept {
  switch (t) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::histogram: return "histogram";
    case MetricType::summary: return "summary";
    case MetricType::untyped: break;
  }
  return "untyped";
}

std::optional<double> parse_value(std::string_view t) noexcept {
  bool negative = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
    if (iequals(t, "inf") || iequals(t, "infinity")) {
      return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    }
  } else if (iequals(t, "nan")) {
    return std::numeric_limits<double>::quiet_NaN();
  } else if (iequals(t, "inf") || iequals(t, "infinity")) {
    return std::numeric_limits<double>::infinity();
  }
  // from_chars would also take "inf" and "nan(...)": only digits may start.
  if (t.empty() || !(is_digit(t[0]) || t[0] == '.')) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return negative ? -v : v;
}

const Family* Exposition::find(std::string_view name) const noexcept {
  for (const Family& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::size_t Exposition::sample_count() const noexcept {
  std::size_t n = 0;
  for (const Family& f : families) n += f.samples.size();
  return n;
}

Exposition parse(std::string_view text) { return Parser().run(text); }

}  // namespace prom
}  // namespace llmbench::telemetry
