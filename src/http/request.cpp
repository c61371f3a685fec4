#include "llmbench/http/request.hpp"

#include "llmbench/version.hpp"

namespace llmbench::http {

std::string build_request(std::string_view method, const Target& target, std::string_view path,
                          const HeaderList& extra_headers, std::string_view body, std::string_view accept) {
  std::string r;
  r.reserve(256 + body.size());
  r.append(method).append(" ").append(target.path(path)).append(" HTTP/1.1\r\n");
  r.append("Host: ").append(target.host_header()).append("\r\n");
  r.append("User-Agent: llmbench/").append(kVersion).append("\r\n");
  r.append("Accept: ").append(accept).append("\r\n");
  if (!body.empty() || method == "POST") {
    r.append("Content-Type: application/json\r\n");
    r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  for (const auto& [name, value] : extra_headers) r.append(name).append(": ").append(value).append("\r\n");
  r.append("\r\n");
  r.append(body);
  return r;
}

}  // namespace llmbench::http
