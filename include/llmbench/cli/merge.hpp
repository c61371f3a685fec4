#pragma once
// `llmbench merge A.json B.json ... [--output M.json]`: combines the saved
// histograms of several runs exactly (bucket by bucket) and prints the merged
// distributions.
#include <string>
#include <vector>

namespace llmbench::cli {

int run_merge(const std::vector<std::string>& files, const std::string& output);

}  // namespace llmbench::cli
