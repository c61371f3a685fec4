#pragma once
// `llmbench merge`'s telemetry (private to src/report/): every shard's
// telemetry kept whole, and the shards' stage summaries combined.
#include <simdjson.h>

#include <map>
#include <string>
#include <vector>

#include "llmbench/report/json_writer.hpp"

namespace llmbench::report {

class TelemetryMerge {
 public:
  // Takes one file's telemetry and its stages' (or spec summary's)
  // telemetry_summary objects.
  void add(const std::string& file, simdjson::dom::element root);
  // "telemetry": {"shards": [...]} (null when no file had telemetry).
  void write(JsonWriter& w) const;
  // "telemetry_summary": the combined figures (null when none).
  void write_summary(JsonWriter& w) const;

 private:
  struct Shard {
    std::string file;
    std::string telemetry;                     // minified JSON
    std::vector<std::string> stage_summaries;  // minified JSON
  };
  struct Figure {
    double sum = 0;
    double max = 0;
    std::size_t n = 0;
  };
  void add_summary(simdjson::dom::object summary, Shard& shard);

  std::vector<Shard> shards_;
  std::map<std::string, Figure> figures_;  // by field, in name order
};

}  // namespace llmbench::report
