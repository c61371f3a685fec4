// --model a=0.7,b=0.3: parsed into normalised shares (every malformed mix one
// line naming --model), laid out over the prompt list so that each model
// gets its share of the slots exactly, in a seeded order, and every base
// prompt is still sent equally often.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "llmbench/cli/model_settings.hpp"
#include "llmbench/cli/parsed_settings.hpp"
#include "llmbench/load/model_mix.hpp"

namespace llmbench {
namespace {

std::vector<ModelShare> mix(std::string_view text) {
  auto m = cli::parse_model_mix(text);
  EXPECT_TRUE(m) << m.error();
  return m ? *m : std::vector<ModelShare>{};
}

std::string error_of(std::string_view text) {
  auto m = cli::parse_model_mix(text);
  EXPECT_FALSE(m) << text;
  if (m) return {};
  EXPECT_EQ(m.error().find('\n'), std::string::npos);
  EXPECT_EQ(m.error().rfind("--model", 0), 0u) << m.error();
  return m.error();
}

TEST(ModelMix, ParsesWeightsAndNormalisesThem) {
  EXPECT_TRUE(mix("plain-model").empty());  // one name: sent as it is
  EXPECT_TRUE(mix("org/model:Q4_K_M").empty());
  const auto m = mix("a=0.7,b=0.3");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].name, "a");
  EXPECT_DOUBLE_EQ(m[0].weight, 0.7);
  const auto n = mix("a=2,b=6");
  EXPECT_DOUBLE_EQ(n[1].weight, 0.75);
  const auto eq = mix("x,y,z");
  ASSERT_EQ(eq.size(), 3u);
  EXPECT_DOUBLE_EQ(eq[2].weight, 1.0 / 3);
  EXPECT_EQ(mix("solo=5").size(), 1u);
}

TEST(ModelMix, MalformedMixesAreNamed) {
  EXPECT_NE(error_of("a=0.7,a=0.3").find("a is given twice"), std::string::npos);
  EXPECT_NE(error_of("a=0.7,=0.3").find("name is empty"), std::string::npos);
  EXPECT_NE(error_of("a,").find("name is empty"), std::string::npos);
  EXPECT_NE(error_of("a=0,b=1").find("positive"), std::string::npos);
  EXPECT_NE(error_of("a=-1,b=1").find("positive"), std::string::npos);
  EXPECT_NE(error_of("a=x,b=1").find("'x'"), std::string::npos);
  EXPECT_NE(error_of("a=1,b").find("every model a weight"), std::string::npos);
  EXPECT_NE(error_of("a=inf,b=1").find("positive"), std::string::npos);
}

TEST(ModelMix, SpecModeRefusesAMix) {
  cli::Settings s;
  s.model = "a,b";
  const auto spec = cli::parse_settings(s);
  ASSERT_FALSE(spec);
  EXPECT_NE(spec.error().find("load mode"), std::string::npos) << spec.error();
  s.concurrency = 2;
  s.requests = 10;
  const auto load = cli::parse_settings(s);
  ASSERT_TRUE(load) << load.error();
  EXPECT_EQ(load->models.size(), 2u);
}

TEST(ModelMix, EachModelGetsItsShareOfTheSlotsExactly) {
  const auto m = mix("a=0.7,b=0.2,c=0.1");
  for (const std::size_t slots : {512u, 516u, 7u, 1000u}) {
    const auto drawn = assign_models(m, slots, 1);
    ASSERT_EQ(drawn.size(), slots);
    std::map<std::uint16_t, std::size_t> count;
    for (const std::uint16_t d : drawn) ++count[d];
    for (std::size_t i = 0; i < m.size(); ++i) {
      EXPECT_LE(std::abs(static_cast<double>(count[static_cast<std::uint16_t>(i)]) - m[i].weight * slots), 1.0)
          << slots << " model " << i;
    }
  }
}

TEST(ModelMix, TheOrderIsSeededAndInterleaved) {
  const auto m = mix("a,b");
  EXPECT_EQ(assign_models(m, 512, 7), assign_models(m, 512, 7));
  EXPECT_NE(assign_models(m, 512, 7), assign_models(m, 512, 8));
  // Not one block after the other: both models within the first 20 slots.
  const auto d = assign_models(m, 512, 7);
  EXPECT_NE(std::count(d.begin(), d.begin() + 20, 0), 0);
  EXPECT_NE(std::count(d.begin(), d.begin() + 20, 1), 0);
}

RunPlan variants(std::string_view mix_text, std::size_t base) {
  RunPlan plan;
  plan.models = mix(mix_text);
  for (std::size_t b = 0; b < base; ++b) {
    for (std::uint16_t mi = 0; mi < plan.models.size(); ++mi) {
      PromptItem item;
      item.key = std::to_string(b);
      item.model = mi;
      item.request = plan.models[mi].name;
      plan.prompts.push_back(item);
    }
  }
  return plan;
}

// One round (a dataset of 512 rows or more, a trace): row j keeps its place,
// built for its drawn model, each taken once.
TEST(ModelMix, OneRoundKeepsEachRowInPlace) {
  RunPlan plan = variants("a,b,c", 40);
  lay_out_model_mix(plan, 40);
  ASSERT_EQ(plan.prompts.size(), 40u);
  for (std::size_t j = 0; j < 40; ++j) {
    EXPECT_EQ(plan.prompts[j].key, std::to_string(j));
    EXPECT_EQ(plan.prompts[j].request, plan.models[plan.prompts[j].model].name);
  }
}

TEST(ModelMix, LayOutKeepsEveryPromptEquallyOftenWithItsModelsRequest) {
  RunPlan plan;
  plan.models = mix("a=0.75,b=0.25");
  constexpr std::size_t kBase = 6;
  for (std::size_t b = 0; b < kBase; ++b) {
    for (std::uint16_t mi = 0; mi < 2; ++mi) {
      PromptItem item;
      item.key = std::to_string(b);
      item.group = static_cast<std::uint16_t>(b);
      item.model = mi;
      item.request = plan.models[mi].name;
      plan.prompts.push_back(item);
    }
  }
  const std::size_t slots = mix_slots(kBase);
  EXPECT_EQ(slots % kBase, 0u);
  EXPECT_GE(slots, kMixSlots);
  lay_out_model_mix(plan, slots);
  ASSERT_EQ(plan.prompts.size(), slots);
  std::size_t to_a = 0;
  for (std::size_t j = 0; j < slots; ++j) {
    const PromptItem& p = plan.prompts[j];
    EXPECT_EQ(p.group, j % kBase);
    EXPECT_EQ(p.request, plan.models[p.model].name);
    to_a += p.model == 0;
  }
  EXPECT_EQ(to_a, slots * 3 / 4);
}

}  // namespace
}  // namespace llmbench
