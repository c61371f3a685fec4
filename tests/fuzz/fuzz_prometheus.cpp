// Fuzzes the Prometheus text parser (telemetry/prometheus.hpp) and the server
// metrics mapping on top of it.
//
// Invariants, whatever the bytes:
//  - the bookkeeping holds: bad_lines <= lines, the kept line numbers are the
//    first min(bad_lines, kKeptBadLines), rising, each within the text;
//  - every family, sample and label name is one the format allows, and no
//    sample repeats a label;
//  - format() writes text that parses with no bad line into an equal
//    exposition, and formatting that again gives the same bytes;
//  - CRLF line ends read exactly like LF (options bit 0 checks it);
//  - mapping never yields a non-finite figure, and the rates between a
//    snapshot and itself are zero.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "llmbench/telemetry/prometheus.hpp"
#include "llmbench/telemetry/server_metrics.hpp"

namespace {

namespace prom = llmbench::telemetry::prom;
using llmbench::telemetry::Label;

bool name_ok(std::string_view n, bool colon) {
  if (n.empty() || (n[0] >= '0' && n[0] <= '9')) return false;
  for (char c : n) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    (colon && c == ':');
    if (!ok) return false;
  }
  return true;
}

void check_bookkeeping(const prom::Exposition& e) {
  LLMBENCH_FUZZ_CHECK(e.bad_lines <= e.lines);
  const std::size_t kept = e.bad_lines < prom::kKeptBadLines ? e.bad_lines : prom::kKeptBadLines;
  LLMBENCH_FUZZ_CHECK(e.bad_line_numbers.size() == kept);
  for (std::size_t i = 0; i < kept; ++i) {
    LLMBENCH_FUZZ_CHECK(e.bad_line_numbers[i] >= 1 && e.bad_line_numbers[i] <= e.lines);
    if (i != 0) LLMBENCH_FUZZ_CHECK(e.bad_line_numbers[i] > e.bad_line_numbers[i - 1]);
  }
}

void check_names(const prom::Exposition& e) {
  for (const prom::Family& f : e.families) {
    LLMBENCH_FUZZ_CHECK(name_ok(f.name, true));
    for (const prom::Sample& s : f.samples) {
      LLMBENCH_FUZZ_CHECK(name_ok(s.name, true));
      LLMBENCH_FUZZ_CHECK(s.name.compare(0, f.name.size(), f.name) == 0);
      for (std::size_t i = 0; i < s.labels.size(); ++i) {
        LLMBENCH_FUZZ_CHECK(name_ok(s.labels[i].name, false));
        for (std::size_t j = 0; j < i; ++j) LLMBENCH_FUZZ_CHECK(s.labels[j].name != s.labels[i].name);
      }
    }
  }
}

bool same_value(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

bool same(const prom::Exposition& a, const prom::Exposition& b) {
  if (a.families.size() != b.families.size()) return false;
  for (std::size_t i = 0; i < a.families.size(); ++i) {
    const prom::Family& x = a.families[i];
    const prom::Family& y = b.families[i];
    if (x.name != y.name || x.type != y.type || x.help != y.help || x.samples.size() != y.samples.size()) return false;
    for (std::size_t j = 0; j < x.samples.size(); ++j) {
      const prom::Sample& s = x.samples[j];
      const prom::Sample& t = y.samples[j];
      if (s.name != t.name || s.labels != t.labels || !same_value(s.value, t.value) ||
          s.timestamp_ms != t.timestamp_ms) {
        return false;
      }
    }
  }
  return true;
}

void check_round_trip(const prom::Exposition& e) {
  const std::string text = prom::format(e);
  const prom::Exposition again = prom::parse(text);
  LLMBENCH_FUZZ_CHECK(again.bad_lines == 0);
  LLMBENCH_FUZZ_CHECK(same(e, again));
  LLMBENCH_FUZZ_CHECK(prom::format(again) == text);
}

void check_crlf(std::string_view payload, const prom::Exposition& e) {
  std::string crlf;
  for (char c : payload) {
    if (c == '\n') crlf.push_back('\r');
    crlf.push_back(c);
  }
  const prom::Exposition other = prom::parse(crlf);
  LLMBENCH_FUZZ_CHECK(other.lines == e.lines && other.bad_lines == e.bad_lines);
  LLMBENCH_FUZZ_CHECK(other.bad_line_numbers == e.bad_line_numbers);
  LLMBENCH_FUZZ_CHECK(same(e, other));
}

void check_mapping(const prom::Exposition& e) {
  using llmbench::telemetry::ServerMetrics;
  const ServerMetrics m = llmbench::telemetry::map_server_metrics(e);
  LLMBENCH_FUZZ_CHECK(m.other.size() <= e.families.size());
  for (const std::optional<double>* f :
       {&m.requests_running, &m.requests_waiting, &m.kv_usage_ratio, &m.kv_used_tokens, &m.busy_slots_per_decode,
        &m.server_prompt_tokens_per_s, &m.server_generation_tokens_per_s, &m.prompt_tokens_total,
        &m.prompt_tokens_cached_total, &m.generation_tokens_total, &m.prompt_seconds_total,
        &m.generation_seconds_total, &m.decode_calls_total, &m.preemptions_total}) {
    LLMBENCH_FUZZ_CHECK(!*f || std::isfinite(**f));
  }
  const llmbench::telemetry::ServerRates r = llmbench::telemetry::server_rates(m, m, 1.0);
  LLMBENCH_FUZZ_CHECK(!r.counter_reset);
  LLMBENCH_FUZZ_CHECK(!r.generation_tokens_per_s || *r.generation_tokens_per_s == 0);
  LLMBENCH_FUZZ_CHECK(!r.prompt_tokens_per_s || *r.prompt_tokens_per_s == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = llmbench::fuzz::parse_input(data, size);
  if (!in) return 0;
  // Its own heap block, so ASan sees a read past the end of the body.
  const llmbench::fuzz::Buffer body(in->payload, 0);
  const prom::Exposition e = prom::parse(body.view());
  check_bookkeeping(e);
  check_names(e);
  check_round_trip(e);
  if ((in->options & 1) != 0) check_crlf(body.view(), e);
  check_mapping(e);
  return 0;
}
