#include <gtest/gtest.h>

#include "llmbench/util/redact.hpp"

namespace llmbench {
namespace {

TEST(RedactSecrets, EveryOccurrenceOfEverySecretGoes) {
  EXPECT_EQ(redact_secrets("key sk-123456 and sk-123456 again; tok ABCD", {"sk-123456", "ABCD"}),
            "key [redacted] and [redacted] again; tok [redacted]");
  EXPECT_EQ(redact_secrets("a b c", {"b"}), "a b c") << "secrets under 4 characters would redact ordinary words";
  EXPECT_EQ(redact_secrets("no secret here", {}), "no secret here");
  EXPECT_EQ(redact_secrets("xxxxxxxx", {"xxxx"}), "[redacted][redacted]");
}

}  // namespace
}  // namespace llmbench
