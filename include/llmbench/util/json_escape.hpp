#pragma once
// The one JSON string escaper: request bodies (protocol), the built-in
// server's answers (mock) and every file we write (report) use it.
#include <string>
#include <string_view>

namespace llmbench::util {

// Appends s as a quoted JSON string. Invalid UTF-8 (a server's garbage, a
// dataset's stray byte) becomes U+FFFD so that every file we write stays
// valid JSON for strict readers.
void append_json_string(std::string& out, std::string_view s);

}  // namespace llmbench::util
