#pragma once
// --model: one model's name, or a weighted mix of models
// (`a=0.7,b=0.3`, or `a,b` for equal shares), parsed once.
#include <string_view>
#include <vector>

#include "llmbench/load/plan.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::cli {

// Empty for a plain name (no ',' and no '='), which is sent as it is.
// Otherwise every model with its weight normalised so the weights add up to
// 1: names non-empty and distinct, weights positive numbers, given for every
// model or for none (equal shares). An error is one line naming --model.
Expected<std::vector<ModelShare>> parse_model_mix(std::string_view text);

}  // namespace llmbench::cli
