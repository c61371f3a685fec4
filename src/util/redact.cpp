#include "llmbench/util/redact.hpp"

namespace llmbench {

std::string redact_secrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.size() < 4) continue;
    for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
      out.replace(at, secret.size(), "[redacted]");
      at += 10;
    }
  }
  return out;
}

}  // namespace llmbench
