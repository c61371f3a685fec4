#pragma once
// A weighted mix of models (--model a=0.7,b=0.3): which model each request
// slot of the prompt list goes to, decided before the run from the seed.
//
// The schedules hand out prompts round robin (ticket i sends prompt i mod n),
// so a mix is laid out in the prompt list itself: the list grows to `slots`
// entries, entry j being prompt j mod (base prompts) built for the model
// drawn for slot j. Every base prompt is still sent equally often, each
// model's share of the slots is its weight to within one slot (largest
// remainder), and the order is a seeded shuffle, so a run shorter than the
// list still sees the models interleaved, not one block after another.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "llmbench/load/plan.hpp"

namespace llmbench {

// Request slots laid out for a mix over `base_prompts` prompts: whole rounds
// of the prompts, at least kMixSlots, so each share is exact to 1/512 or better.
inline constexpr std::size_t kMixSlots = 512;
std::size_t mix_slots(std::size_t base_prompts) noexcept;

// The model of each of `slots` slots: model m gets round(weights[m] x slots)
// of them (largest remainder; weights add up to 1), in an order shuffled by
// `seed`. The same seed gives the same assignment everywhere.
std::vector<std::uint16_t> assign_models(std::span<const ModelShare> models, std::size_t slots, std::uint64_t seed);

// Lays out `plan.prompts`, which holds every base prompt built once per model
// of plan.models (prompt b for model m at b x models + m), as `slots` entries
// by assign_models. Trace replay passes slots = base prompts: arrival i still
// sends row i, now to its drawn model.
void lay_out_model_mix(RunPlan& plan, std::size_t slots);

}  // namespace llmbench
