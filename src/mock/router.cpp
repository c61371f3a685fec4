#include "llmbench/mock/router.hpp"

#include <algorithm>

#include "llmbench/mock/wire.hpp"
#include "llmbench/util/json_escape.hpp"

namespace llmbench::mock {

std::optional<RequestError> route_model(std::span<const std::string> served, std::string_view model) {
  if (served.empty()) return std::nullopt;
  if (model.empty()) return RequestError{400, "model name is missing from the request", "invalid_request_error"};
  if (std::find(served.begin(), served.end(), model) == served.end()) {
    return RequestError{400, "model not found", "invalid_request_error"};
  }
  return std::nullopt;
}

std::string router_models_body(std::span<const std::string> served, std::int64_t created_unix_s) {
  std::string out = R"({"data":[)";
  for (std::size_t i = 0; i < served.size(); ++i) {
    if (i > 0) out += ',';
    out += R"({"id":)";
    util::append_json_string(out, served[i]);
    out += R"(,"object":"model","owned_by":"llamacpp","created":)";
    wire::append_int(out, created_unix_s);
    out += R"(,"status":{"value":"loaded","args":[]}})";
  }
  out += R"(],"object":"list"})";
  return out;
}

}  // namespace llmbench::mock
