#pragma once
// `llmbench merge shard-*.json`: the results files of one sharded run (each
// with a "shard" object) made into one result with a single run's layout.
//
//  - Histograms are added bucket by bucket (exact) and every distribution is
//    summarised again from the sum; counters (requests, errors, phases,
//    tokens, connections, reads) are summed.
//  - Accounting is checked per stage: scheduled = succeeded + failed +
//    cancelled + warm-up + cool-down, summed over the shards.
//  - Throughput is over the common measured window: the shards' windows
//    start together at --start-at, so the common window is the longest of
//    them; the tokens and completions inside each shard's own window (its
//    throughput times its window) are summed over it.
//  - Time series are put on one wall-clock axis (each file's run start in
//    CLOCK_REALTIME) and bucketed by the stage's agreed start: counts and
//    tokens summed, in-flight summed, the per-bucket TTFT median (a gauge)
//    kept per shard in ttft_p50_ms_by_shard, its completion-weighted mean in
//    ttft_p50_ms.
//  - `shards` lists each input; `merge` says what was checked and warned.
// Refused, with one line: files of different configs or seeds, different
// --start-at instants or stage lists, duplicate shard indexes, a missing
// shard (unless allow_missing, which the result then records).
#include <string>
#include <vector>

#include "llmbench/report/merge.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::report {

struct ShardMergeOptions {
  bool allow_missing = false;
  double max_start_spread_ms = 50;  // warn beyond it
};

Expected<MergedResults> merge_shards(const std::vector<std::string>& files, const ShardMergeOptions& opt);

// True if any of the files has a "shard" object (so merge takes this path).
bool any_sharded(const std::vector<std::string>& files);

}  // namespace llmbench::report
