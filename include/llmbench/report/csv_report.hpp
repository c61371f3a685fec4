#pragma once
// --csv FILE: one row per request, every phase, as the aggregator sees them
// end (RFC 4180: comma-separated, CRLF line ends, fields with a comma, quote
// or line break quoted, quotes doubled). Times are milliseconds from the
// run's start; an empty field is a moment not reached or a figure the
// request does not define.
#include <cstdio>
#include <string>

#include "llmbench/load/plan.hpp"
#include "llmbench/record/record.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::report {

class CsvWriter {
 public:
  CsvWriter() = default;
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  // Creates (truncates) the file and writes the header row.
  Status open(const std::string& path);
  // The rows that follow belong to this stage.
  void begin_stage(const std::string& label) { stage_ = label; }
  void write(const RequestRecord& r, const RunPlan& plan, std::int64_t run_start_ns);
  // Flushes and closes; an error is the first write or close that failed.
  Status close();

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string stage_;
  std::string row_;  // reused for every row
  bool failed_ = false;
};

// A field quoted as RFC 4180 wants it (only when it must be).
std::string csv_field(std::string_view s);

}  // namespace llmbench::report
