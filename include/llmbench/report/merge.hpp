#pragma once
// `llmbench merge A.json B.json ...`: combines the saved histograms of
// several results files exactly (bucket by bucket) and sums their counts.
#include <string>
#include <vector>

#include "llmbench/util/expected.hpp"

namespace llmbench::report {

struct MergedResults {
  std::string table;  // the merged distributions, for the terminal
  std::string json;   // the merged results file
  std::vector<std::string> warnings;  // one line each, for stderr
};

// A file that cannot be read, is not a results file or holds a corrupt
// histogram is a one-line error naming it.
Expected<MergedResults> merge_results(const std::vector<std::string>& files);

}  // namespace llmbench::report
