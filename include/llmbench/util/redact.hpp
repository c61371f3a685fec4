#pragma once
// Secrets never leave llmbench in text it writes: a message taken from a
// server (which might echo a request header back) has every occurrence of a
// secret replaced.
#include <string>
#include <string_view>
#include <vector>

namespace llmbench {

// `text` with each occurrence of each secret (4 characters or longer; a
// shorter one would redact ordinary words) replaced by "[redacted]".
std::string redact_secrets(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace llmbench
