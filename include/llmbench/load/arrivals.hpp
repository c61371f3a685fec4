#pragma once
// Open-loop arrival times, drawn before the run from a seeded generator so a
// run is reproducible and no random number is drawn on the request path.
//
// The generator and the distributions are our own (splitmix64, inverse-CDF
// exponential, Marsaglia-Tsang gamma) rather than <random>'s, whose
// distributions differ between standard libraries: the same --seed gives the
// same schedule everywhere.
#include <cstdint>
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/util/splitmix64.hpp"

namespace llmbench {

// Intended send times (ns from the stage's start) for a rate and arrival
// process, up to `until_ns` and at most `max_count` (0: no count limit).
std::vector<std::int64_t> make_arrivals(Arrival kind, double rate_rps, double burstiness, std::uint64_t seed,
                                        std::int64_t until_ns, std::uint64_t max_count);

}  // namespace llmbench
