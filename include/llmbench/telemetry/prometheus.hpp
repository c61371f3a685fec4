#pragma once
// A parser of the Prometheus text exposition format, version 0.0.4 (what
// llama-server, vLLM, SGLang and TGI answer on GET /metrics).
//
// A pure function of the bytes: parse() reads a whole scrape body and returns
// every family with its samples; it never throws and never gives up. A line it
// cannot read is counted (and the first few line numbers are kept, 1-based)
// and skipped, the way the Prometheus server's own parser would reject it:
// a bad metric or label name, an unterminated label set, an escape other than
// \\ \" \n, a duplicate label, a value or timestamp that is not a number, text
// after the timestamp, an unknown TYPE, a second HELP or TYPE for one family,
// a TYPE after that family's first sample, a histogram bucket without a
// numeric `le`, a summary quantile without a numeric `quantile`.
//
// Grouping follows the format: a `# TYPE x histogram` (or summary) family owns
// the samples x_bucket, x_sum and x_count (x and x_sum, x_count for summary);
// any other sample name is its own family, untyped unless a TYPE line named it
// first. Samples of one family need not be contiguous. Lines may end in CRLF.
//
// format() writes an Exposition back as text that parse() reads into an equal
// Exposition (the fuzzer holds it to that), so the built-in server can expose
// metrics with the same code that reads them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmbench::telemetry {

// A label of a series (also used by the host and process series).
struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
};

// The value of label `name` in `labels`, if there is one.
[[nodiscard]] std::optional<std::string_view> find_label(const std::vector<Label>& labels,
                                                         std::string_view name) noexcept;

namespace prom {

enum class MetricType : std::uint8_t { untyped, counter, gauge, histogram, summary };

[[nodiscard]] std::string_view to_string(MetricType t) noexcept;

struct Sample {
  std::string name;           // as written: x, or x_bucket / x_sum / x_count
  std::vector<Label> labels;  // in written order, values unescaped
  double value = 0;           // NaN and +-Inf are legal values
  std::optional<std::int64_t> timestamp_ms;
};

struct Family {
  std::string name;
  MetricType type = MetricType::untyped;
  std::string help;  // unescaped; empty when there was no HELP line
  std::vector<Sample> samples;
};

// How many bad line numbers an Exposition keeps (the count is always exact).
inline constexpr std::size_t kKeptBadLines = 8;

struct Exposition {
  std::vector<Family> families;  // in order of first mention
  std::size_t lines = 0;         // lines read, a last line without '\n' included
  std::size_t bad_lines = 0;
  std::vector<std::size_t> bad_line_numbers;  // 1-based, the first kKeptBadLines

  // The family called exactly `name`, or nullptr.
  [[nodiscard]] const Family* find(std::string_view name) const noexcept;
  [[nodiscard]] std::size_t sample_count() const noexcept;
};

[[nodiscard]] Exposition parse(std::string_view text);

// One number as the format spells it: NaN, +Inf, -Inf, or decimal/exponent
// notation; a leading '+' is allowed. Nothing else, not even blanks.
[[nodiscard]] std::optional<double> parse_value(std::string_view token) noexcept;

// The exposition as text: per family a HELP line, a TYPE line unless untyped,
// then its samples; values in the shortest form that reads back exactly.
[[nodiscard]] std::string format(const Exposition& e);

}  // namespace prom
}  // namespace llmbench::telemetry
