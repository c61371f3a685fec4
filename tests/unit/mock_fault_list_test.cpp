// Several fault modes at once (for soaks): parsed in order, taken in turn.
#include <gtest/gtest.h>

#include "llmbench/mock/config.hpp"
#include "llmbench/mock/state.hpp"

namespace llmbench::mock {
namespace {

TEST(MockFaultList, ParsesInOrderAndRejectsUnknownNames) {
  EXPECT_EQ(parse_fault_list("reset_midstream,http_500"),
            (std::vector<FaultMode>{FaultMode::reset_midstream, FaultMode::http_500}));
  EXPECT_TRUE(parse_fault_list("").empty());
  EXPECT_TRUE(parse_fault_list("http_500,bogus").empty());
  MockConfig cfg;
  cfg.fault = "http_500,bogus";
  const auto bad = validate(cfg);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "fault");
  EXPECT_NE(bad.error().message.find("bogus"), std::string::npos);
  cfg.fault = "http_500,garbage";
  EXPECT_TRUE(validate(cfg));
}

TEST(MockFaultList, FaultedRequestsTakeTheModesInTurn) {
  MockConfig cfg;
  cfg.fault = "http_500,reset_midstream,garbage";
  cfg.fault_every = 2;
  ServerState st(cfg);
  std::vector<FaultMode> got;
  for (int i = 0; i < 8; ++i) got.push_back(st.next_completion_fault());
  EXPECT_EQ(got, (std::vector<FaultMode>{FaultMode::none, FaultMode::http_500, FaultMode::none,
                                         FaultMode::reset_midstream, FaultMode::none, FaultMode::garbage,
                                         FaultMode::none, FaultMode::http_500}));
}

}  // namespace
}  // namespace llmbench::mock
