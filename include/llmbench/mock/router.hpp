#pragma once
// llama-server's router mode (started without a model, serving several from
// --models-dir or presets): every POST names its model, the router checks it
// and hands the request to that model's server. The built-in server keeps
// one pool of slots for all of them (MockConfig::models) and imitates the
// router's checks and its GET /v1/models.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "llmbench/mock/completion_request.hpp"

namespace llmbench::mock {

// What the router answers a request naming `model` (or none: empty) when it
// serves `served`: nothing when it routes it, else llama-server's refusal,
// 400 invalid_request_error "model not found" or "model name is missing from
// the request" (its router_validate_model; not a 404). No refusal at all
// without router mode (`served` empty): a single model takes any name.
std::optional<RequestError> route_model(std::span<const std::string> served, std::string_view model);

// GET /v1/models of a router: {"data":[{"id", "object":"model",
// "owned_by":"llamacpp", "created", "status":{"value":"loaded","args":[]}}],
// "object":"list"}, every served model loaded.
std::string router_models_body(std::span<const std::string> served, std::int64_t created_unix_s);

}  // namespace llmbench::mock
