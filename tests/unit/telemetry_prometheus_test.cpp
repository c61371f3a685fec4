// The Prometheus text format parser: captured llama-server bodies, the
// format's corners (types, grouping, values, escapes), bad lines, the writer.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "llmbench/telemetry/prometheus.hpp"
#include "test_support.hpp"

namespace llmbench::telemetry::prom {
namespace {

std::string body(const char* fixture) { return std::string(test::after_headers(test::fixture(fixture))); }

bool same_value(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// Equal families and samples (NaN equal to NaN); the line counts may differ.
void expect_same(const Exposition& a, const Exposition& b) {
  ASSERT_EQ(a.families.size(), b.families.size());
  for (std::size_t i = 0; i < a.families.size(); ++i) {
    const Family& x = a.families[i];
    const Family& y = b.families[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type) << x.name;
    EXPECT_EQ(x.help, y.help) << x.name;
    ASSERT_EQ(x.samples.size(), y.samples.size()) << x.name;
    for (std::size_t j = 0; j < x.samples.size(); ++j) {
      EXPECT_EQ(x.samples[j].name, y.samples[j].name);
      EXPECT_EQ(x.samples[j].labels, y.samples[j].labels) << x.samples[j].name;
      EXPECT_TRUE(same_value(x.samples[j].value, y.samples[j].value)) << x.samples[j].name;
      EXPECT_EQ(x.samples[j].timestamp_ms, y.samples[j].timestamp_ms) << x.samples[j].name;
    }
  }
}

double only_value(const Exposition& e, std::string_view family) {
  const Family* f = e.find(family);
  if (f == nullptr || f->samples.size() != 1) {
    ADD_FAILURE() << "no single sample in " << family;
    return NAN;
  }
  return f->samples[0].value;
}

TEST(PrometheusParse, LlamaServerCapture) {
  const Exposition e = parse(body("metrics.http"));
  EXPECT_EQ(e.bad_lines, 0u);
  EXPECT_EQ(e.lines, 45u);
  ASSERT_EQ(e.families.size(), 15u);
  EXPECT_EQ(e.sample_count(), 15u);
  EXPECT_EQ(e.families[0].name, "llamacpp:prompt_tokens_total");
  EXPECT_EQ(e.families[0].type, MetricType::counter);
  EXPECT_EQ(e.families[0].help, "Number of prompt tokens processed, excluding cached tokens");
  EXPECT_EQ(e.find("llamacpp:requests_deferred")->type, MetricType::gauge);
  EXPECT_EQ(only_value(e, "llamacpp:prompt_tokens_total"), 163);
  EXPECT_EQ(only_value(e, "llamacpp:tokens_predicted_seconds_total"), 0.744295);
  EXPECT_EQ(only_value(e, "llamacpp:n_busy_slots_per_decode"), 1.00352);
  EXPECT_TRUE(e.families[3].samples[0].labels.empty());
  EXPECT_FALSE(e.families[3].samples[0].timestamp_ms);
}

TEST(PrometheusParse, OlderBuildCapture) {
  const Exposition e = parse(test::fixture("metrics_b9928_body.txt"));
  EXPECT_EQ(e.bad_lines, 0u);
  EXPECT_EQ(e.families.size(), 11u);
  EXPECT_EQ(e.find("llamacpp:prompt_tokens_cached_total"), nullptr);
  EXPECT_EQ(only_value(e, "llamacpp:prompt_seconds_total"), 13.782);
  EXPECT_EQ(e.find("llamacpp:prompt_tokens_total")->help, "Number of prompt tokens processed.");
}

TEST(PrometheusParse, CrLfLinesReadLikeLf) {
  const std::string lf = body("metrics_busy.http");
  std::string crlf;
  for (char c : lf) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const Exposition a = parse(lf);
  const Exposition b = parse(crlf);
  EXPECT_EQ(b.bad_lines, 0u);
  expect_same(a, b);
}

TEST(PrometheusParse, EmptyInputAndLastLineWithoutNewline) {
  const Exposition empty = parse("");
  EXPECT_EQ(empty.lines, 0u);
  EXPECT_TRUE(empty.families.empty());
  const Exposition e = parse("\n\n  \t\na 1\nb 2");
  EXPECT_EQ(e.lines, 5u);
  EXPECT_EQ(e.bad_lines, 0u);
  EXPECT_EQ(only_value(e, "b"), 2);
}

TEST(PrometheusParse, Values) {
  const Exposition e = parse(
      "a +Inf\nb -Inf\nc NaN\nd 1.5e+06\ne -0.25\nf .5\ng +3\nh 8.128902e+06\ni 1E-3\nj inf\nk 7 1700000000000\n"
      "l 2 -5\nm 0 +12\n");
  EXPECT_EQ(e.bad_lines, 0u);
  EXPECT_TRUE(std::isinf(only_value(e, "a")) && only_value(e, "a") > 0);
  EXPECT_TRUE(std::isinf(only_value(e, "b")) && only_value(e, "b") < 0);
  EXPECT_TRUE(std::isnan(only_value(e, "c")));
  EXPECT_EQ(only_value(e, "d"), 1.5e6);
  EXPECT_EQ(only_value(e, "e"), -0.25);
  EXPECT_EQ(only_value(e, "f"), 0.5);
  EXPECT_EQ(only_value(e, "g"), 3);
  EXPECT_EQ(only_value(e, "h"), 8128902);
  EXPECT_EQ(only_value(e, "i"), 0.001);
  EXPECT_TRUE(std::isinf(only_value(e, "j")));
  EXPECT_EQ(e.find("k")->samples[0].timestamp_ms, 1700000000000);
  EXPECT_EQ(e.find("l")->samples[0].timestamp_ms, -5);
  EXPECT_EQ(e.find("m")->samples[0].timestamp_ms, 12);
}

TEST(PrometheusParse, ValueTokensThatAreNotNumbers) {
  for (const char* t : {"", "x", "0x10", "1e", "--1", "+-1", "1,5", "nan(1)", "-NaN", "1_000", "1e999", " 1"}) {
    EXPECT_FALSE(parse_value(t)) << t;
  }
}

TEST(PrometheusParse, HistogramAndSummaryOwnTheirSuffixedSamples) {
  const Exposition e = parse(
      "# TYPE lat histogram\n"
      "lat_bucket{le=\"0.1\"} 1\nlat_bucket{le=\"+Inf\"} 3\nlat_sum 0.7\nlat_count 3\n"
      "# TYPE q summary\nq{quantile=\"0.5\"} 0.2\nq_sum 9\nq_count 4\n"
      "other_bucket 1\nq_bucket 2\n");
  EXPECT_EQ(e.bad_lines, 0u);
  ASSERT_EQ(e.families.size(), 4u);
  EXPECT_EQ(e.find("lat")->samples.size(), 4u);
  EXPECT_EQ(e.find("lat")->samples[1].labels[0].value, "+Inf");
  EXPECT_EQ(e.find("q")->samples.size(), 3u);
  // Without a histogram called "other", other_bucket is a family of its own;
  // a summary has no buckets, so q_bucket is too.
  EXPECT_EQ(e.find("other_bucket")->type, MetricType::untyped);
  EXPECT_EQ(e.find("q_bucket")->samples.size(), 1u);
}

TEST(PrometheusParse, InterleavedSamplesJoinTheirFamily) {
  const Exposition e = parse("a{x=\"1\"} 1\nb 2\na{x=\"2\"} 3\n");
  ASSERT_EQ(e.families.size(), 2u);
  EXPECT_EQ(e.families[0].samples.size(), 2u);
  EXPECT_EQ(e.families[0].samples[1].value, 3);
}

TEST(PrometheusParse, LabelSyntax) {
  const Exposition e = parse(
      "a{x=\"1\",y=\"2\",} 1\n"
      "b { x = \"1\" , y=\"\" } 2\n"
      "c{} 3\n"
      "d{v=\"a}b,c=d#e{\"} 4\n"
      "e\t{x=\"1\"}\t5\t6\n");
  EXPECT_EQ(e.bad_lines, 0u);
  EXPECT_EQ(e.find("a")->samples[0].labels, (std::vector<Label>{{"x", "1"}, {"y", "2"}}));
  EXPECT_EQ(e.find("b")->samples[0].labels, (std::vector<Label>{{"x", "1"}, {"y", ""}}));
  EXPECT_TRUE(e.find("c")->samples[0].labels.empty());
  EXPECT_EQ(find_label(e.find("d")->samples[0].labels, "v"), "a}b,c=d#e{");
  EXPECT_EQ(e.find("e")->samples[0].timestamp_ms, 6);
  EXPECT_FALSE(find_label(e.find("a")->samples[0].labels, "z"));
}

TEST(PrometheusEscapes, LabelValues) {
  const Exposition e = parse(R"(a{p="C:\\dir\\",q="say \"hi\"",r="two\nlines",s="\\n is not a newline"} 1)");
  ASSERT_EQ(e.bad_lines, 0u);
  const std::vector<Label>& l = e.find("a")->samples[0].labels;
  EXPECT_EQ(find_label(l, "p"), "C:\\dir\\");
  EXPECT_EQ(find_label(l, "q"), "say \"hi\"");
  EXPECT_EQ(find_label(l, "r"), "two\nlines");
  EXPECT_EQ(find_label(l, "s"), "\\n is not a newline");
}

TEST(PrometheusEscapes, HelpText) {
  const Exposition e = parse("# HELP a back\\\\slash and\\nnewline, \"quotes\" stay\n# HELP b\n");
  EXPECT_EQ(e.bad_lines, 0u);
  EXPECT_EQ(e.find("a")->help, "back\\slash and\nnewline, \"quotes\" stay");
  EXPECT_EQ(e.find("b")->help, "");
}

TEST(PrometheusEscapes, UnknownEscapesAreBadLines) {
  for (const char* line : {R"(a{x="\t"} 1)", R"(a{x="\"} 1)", R"(a{x="ab\)", "# HELP a tab\\t", "# HELP a ends\\"}) {
    const Exposition e = parse(line);
    EXPECT_EQ(e.bad_lines, 1u) << line;
    EXPECT_EQ(e.sample_count(), 0u) << line;
  }
}

TEST(PrometheusBadLines, EachIsCountedAndSkipped) {
  const char* bad[] = {
      "1abc 1",                          // name starts with a digit
      "a-b 1",                           // name runs into a dash
      "a",                               // no value
      "a{x=\"1\" 1",                     // unterminated label set
      "a{x=1} 1",                        // unquoted label value
      "a{1x=\"1\"} 1",                   // bad label name
      "a{x=\"1\",x=\"2\"} 1",            // duplicate label
      "a{x=\"1\"y=\"2\"} 1",             // missing comma
      "a one",                           // value not a number
      "a 1 2 3",                         // text after the timestamp
      "a 1 1.5",                         // timestamp not an integer
      "# TYPE a",                        // TYPE without a type
      "# TYPE a countr",                 // unknown type
      "# TYPE a gauge extra",            // text after the type
      "# HELP 9a text",                  // bad metric name
      "# TYPE",                          // no name
  };
  for (const char* line : bad) {
    const Exposition e = parse(std::string("ok 1\n") + line + "\nok2 2\n");
    EXPECT_EQ(e.bad_lines, 1u) << line;
    EXPECT_EQ(e.bad_line_numbers, std::vector<std::size_t>{2}) << line;
    EXPECT_EQ(e.sample_count(), 2u) << line;
  }
}

TEST(PrometheusBadLines, TypeAndHelpRules) {
  const Exposition e = parse(
      "# TYPE a gauge\n# TYPE a counter\n"  // second TYPE: line 2
      "b 1\n# TYPE b gauge\n"               // TYPE after a sample: line 4
      "# HELP c one\n# HELP c two\n"        // second HELP: line 6
      "# TYPE h histogram\nh_bucket 1\nh_bucket{le=\"x\"} 1\nh_bucket{le=\"1\"} 1\n"  // 8, 9
      "# TYPE s summary\ns 1\ns{quantile=\"0.9\"} 2\n"  // 12
      "# just a comment\n#\n# HELPER a b\n");
  EXPECT_EQ(e.bad_lines, 6u);
  EXPECT_EQ(e.bad_line_numbers, (std::vector<std::size_t>{2, 4, 6, 8, 9, 12}));
  EXPECT_EQ(e.find("a")->type, MetricType::gauge);
  EXPECT_EQ(e.find("b")->type, MetricType::untyped);
  EXPECT_EQ(e.find("c")->help, "one");
  EXPECT_EQ(e.find("h")->samples.size(), 1u);
  EXPECT_EQ(e.find("s")->samples.size(), 1u);
}

TEST(PrometheusBadLines, CountIsExactAndTheFirstFewAreKept) {
  std::string text;
  for (int i = 0; i < 20; ++i) text += "good 1\n???\n";
  const Exposition e = parse(text);
  EXPECT_EQ(e.bad_lines, 20u);
  ASSERT_EQ(e.bad_line_numbers.size(), kKeptBadLines);
  EXPECT_EQ(e.bad_line_numbers.front(), 2u);
  EXPECT_EQ(e.bad_line_numbers.back(), 2u * kKeptBadLines);
  EXPECT_EQ(e.sample_count(), 20u);
}

TEST(PrometheusParse, NonMetricsBodyIsAllBadLines) {
  // What a JSON error (llama-server's 501 without --metrics) reads as.
  const Exposition e = parse(body("metrics_disabled.http"));
  EXPECT_EQ(e.lines, 1u);
  EXPECT_EQ(e.bad_lines, 1u);
  EXPECT_TRUE(e.families.empty());
}

TEST(PrometheusFormat, WritesTheCanonicalForm) {
  Exposition e;
  e.families.push_back(Family{"a", MetricType::gauge, "x\\y\nz", {}});
  e.families[0].samples.push_back(Sample{"a", {{"l", "q\"\\\n"}, {"m", ""}}, 1.5, 10});
  e.families[0].samples.push_back(Sample{"a", {}, -INFINITY, std::nullopt});
  e.families.push_back(Family{"b", MetricType::untyped, "", {Sample{"b", {}, NAN, std::nullopt}}});
  EXPECT_EQ(format(e),
            "# HELP a x\\\\y\\nz\n# TYPE a gauge\na{l=\"q\\\"\\\\\\n\",m=\"\"} 1.5 10\na -Inf\n"
            "# HELP b \nb NaN\n");
}

TEST(PrometheusFormat, ReadsBackEqual) {
  for (const std::string& text :
       {body("metrics.http"), test::fixture("metrics_b9928_body.txt"),
        std::string("# TYPE h histogram\nh_bucket{le=\"0.5\"} 1\nh_sum 0.1\nh_count 1\n# HELP h_sum late\n"
                    "a{p=\"C:\\\\\",q=\"\\\"\",r=\"\\n\"} 0.1 -3\nb 5e-324\nc -0\nd 1.7976931348623157e308\n"
                    "# HELP e tab\there\ne +Inf\n")}) {
    const Exposition first = parse(text);
    const Exposition again = parse(format(first));
    EXPECT_EQ(again.bad_lines, 0u);
    expect_same(first, again);
  }
}

}  // namespace
}  // namespace llmbench::telemetry::prom
