#include "llmbench/report/csv_report.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "llmbench/stats/request_figures.hpp"

namespace llmbench::report {

namespace {

constexpr std::string_view kHeader =
    "id,stage,prompt,phase,intended_ms,start_ms,first_byte_ms,first_token_ms,end_ms,ttft_ms,tpot_ms,e2e_ms,"
    "input_tokens,output_tokens,token_source,http_status,error,reused_connection,ttfb_ms,ttfo_ms,reasoning_tokens,"
    "cached_tokens,session,turn,model\r\n";

std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::warmup: return "warmup";
    case Phase::measured: return "measured";
    case Phase::cooldown: return "cooldown";
  }
  return "measured";
}

// A time on the run's clock as ms from the run's start; "" when not reached.
void time_field(std::string& row, std::int64_t t_ns, std::int64_t run_start_ns) {
  if (t_ns >= 0) fmt::format_to(std::back_inserter(row), "{:.3f}", static_cast<double>(t_ns - run_start_ns) / 1e6);
  row += ',';
}

void duration_field(std::string& row, std::optional<std::int64_t> ns) {
  if (ns) fmt::format_to(std::back_inserter(row), "{:.3f}", static_cast<double>(*ns) / 1e6);
  row += ',';
}

}  // namespace

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

CsvWriter::~CsvWriter() { (void)close(); }

Status CsvWriter::open(const std::string& path) {
  path_ = path;
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) return Unexpected("--csv " + path + ": " + std::strerror(errno));
  if (std::fwrite(kHeader.data(), 1, kHeader.size(), file_) != kHeader.size()) failed_ = true;
  return {};
}

void CsvWriter::write(const RequestRecord& r, const RunPlan& plan, std::int64_t run_start_ns) {
  if (file_ == nullptr) return;
  row_.clear();
  const std::string& prompt = r.prompt < plan.prompts.size() ? plan.prompts[r.prompt].key : std::string();
  fmt::format_to(std::back_inserter(row_), "{},{},{},{},", r.request_id, csv_field(stage_), csv_field(prompt),
                 phase_name(r.phase));
  for (const std::int64_t t : {r.intended_ns, r.start_ns, r.first_byte_ns, r.first_token_ns, r.end_ns}) {
    time_field(row_, t, run_start_ns);
  }
  duration_field(row_, stats::ttft_ns(r));
  duration_field(row_, stats::tpot_ns(r));
  duration_field(row_, stats::e2e_ns(r));
  fmt::format_to(std::back_inserter(row_), "{},{},{},", r.prompt_tokens, r.completion_tokens, to_string(r.token_source));
  if (r.http_status != 0) fmt::format_to(std::back_inserter(row_), "{}", r.http_status);
  fmt::format_to(std::back_inserter(row_), ",{},{},", r.ok() ? std::string_view() : to_string(r.error),
                 r.reused_connection ? "true" : "false");
  // Appended after the first 18, so scripts that read columns by position
  // keep working: TTFB, TTFO (first visible output), reasoning tokens, and the
  // prompt tokens the server's cache served ("" when it did not say).
  duration_field(row_, stats::ttfb_ns(r));
  duration_field(row_, stats::ttfo_ns(r));
  fmt::format_to(std::back_inserter(row_), "{},", r.reasoning_tokens);
  const double cached = r.timings.present ? r.timings.cache_n : r.cached_tokens;
  if (cached >= 0) fmt::format_to(std::back_inserter(row_), "{}", static_cast<std::int64_t>(cached));
  // A session's turn (--turns): its session and turn index; "" outside one.
  if (r.turn > 0) {
    fmt::format_to(std::back_inserter(row_), ",{},{}", r.session, r.turn);
  } else {
    row_ += ",,";
  }
  // The model asked for: with a --model mix, the one this request drew.
  const std::uint16_t m = r.prompt < plan.prompts.size() ? plan.prompts[r.prompt].model : 0;
  row_ += ',';
  row_ += csv_field(m < plan.models.size() ? plan.models[m].name : plan.model);
  row_ += "\r\n";
  if (std::fwrite(row_.data(), 1, row_.size(), file_) != row_.size()) failed_ = true;
}

Status CsvWriter::close() {
  if (file_ == nullptr) return {};
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (failed_ || !closed) return Unexpected("--csv " + path_ + ": writing failed");
  return {};
}

}  // namespace llmbench::report
