#include "llmbench/load/model_mix.hpp"

#include <algorithm>
#include <cmath>

#include "llmbench/util/splitmix64.hpp"

namespace llmbench {

namespace {
// Salted so that the mix is not the same draw as the arrivals or the
// synthetic prompts made from the same --seed.
constexpr std::uint64_t kMixSalt = 0x6d6f64656c6d6978ull;  // "modelmix"
}  // namespace

std::size_t mix_slots(std::size_t base_prompts) noexcept {
  if (base_prompts == 0) return 0;
  const std::size_t rounds = (kMixSlots + base_prompts - 1) / base_prompts;
  return rounds * base_prompts;
}

std::vector<std::uint16_t> assign_models(std::span<const ModelShare> models, std::size_t slots, std::uint64_t seed) {
  std::vector<std::uint16_t> out;
  if (models.empty() || slots == 0) return out;
  // Largest remainder: each model's whole share first, then the slots left
  // to the largest fractions (the earlier model on a tie).
  std::vector<std::size_t> count(models.size());
  std::vector<double> rest(models.size());
  std::size_t given = 0;
  for (std::size_t m = 0; m < models.size(); ++m) {
    const double exact = models[m].weight * static_cast<double>(slots);
    count[m] = static_cast<std::size_t>(std::floor(exact));
    rest[m] = exact - static_cast<double>(count[m]);
    given += count[m];
  }
  std::vector<std::size_t> by_rest(models.size());
  for (std::size_t m = 0; m < by_rest.size(); ++m) by_rest[m] = m;
  std::stable_sort(by_rest.begin(), by_rest.end(), [&](std::size_t a, std::size_t b) { return rest[a] > rest[b]; });
  for (std::size_t k = 0; given < slots; k = (k + 1) % by_rest.size(), ++given) ++count[by_rest[k]];
  out.reserve(slots);
  for (std::size_t m = 0; m < models.size(); ++m) out.insert(out.end(), count[m], static_cast<std::uint16_t>(m));
  out.resize(slots);  // weights that add up to a little over 1 (rounding) cannot overfill
  // Fisher-Yates with our own generator: the same order on every platform.
  SplitMix64 rng(seed ^ kMixSalt);
  for (std::size_t i = out.size() - 1; i > 0; --i) std::swap(out[i], out[rng.next() % (i + 1)]);
  return out;
}

void lay_out_model_mix(RunPlan& plan, std::size_t slots) {
  const std::size_t models = plan.models.size();
  if (models < 2 || plan.prompts.empty()) return;
  const std::size_t base = plan.prompts.size() / models;
  const std::vector<std::uint16_t> drawn = assign_models(plan.models, slots, plan.seed);
  // Each entry's last use moves it rather than copying: a dataset or trace
  // (one round) then costs no copy at all, only the unused variants.
  std::vector<std::uint32_t> uses(plan.prompts.size());
  for (std::size_t j = 0; j < slots; ++j) ++uses[(j % base) * models + drawn[j]];
  std::vector<PromptItem> laid;
  laid.reserve(slots);
  for (std::size_t j = 0; j < slots; ++j) {
    const std::size_t from = (j % base) * models + drawn[j];
    if (--uses[from] == 0) {
      laid.push_back(std::move(plan.prompts[from]));
    } else {
      laid.push_back(plan.prompts[from]);
    }
  }
  plan.prompts = std::move(laid);
}

}  // namespace llmbench
