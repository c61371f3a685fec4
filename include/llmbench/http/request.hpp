#pragma once
// Serialises HTTP/1.1 requests. Benchmark requests are built once per prompt
// and written as-is for every run: nothing is formatted on the request path.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmbench/http/url.hpp"

namespace llmbench::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// "METHOD path HTTP/1.1" + Host, User-Agent, Accept, [Content-Type,
// Content-Length], the extra headers, and the body.
std::string build_request(std::string_view method, const Target& target, std::string_view path,
                          const HeaderList& extra_headers, std::string_view body,
                          std::string_view accept = "*/*");

}  // namespace llmbench::http
