#pragma once
// Talking to the server outside the measured path: readiness, model id, props.
#include <optional>
#include <string>

#include "llmbench/http/fetch.hpp"

namespace llmbench::cli {

// The first `data[].id` of a /v1/models body (OpenAI shape), or the first
// `models[].name|model` (Ollama shape).
std::optional<std::string> first_model_id(const std::string& models_json);

// Polls GET /health until it answers 200 or `seconds` pass. Connection
// refused counts as "not ready yet" (the server may still be starting).
bool wait_until_ready(const http::Target& target, double seconds, const http::FetchOptions& opts,
                      std::string& last_state);

// The guide's "API not responding" advice, for a server that is not reachable.
std::string unreachable_advice(const http::Target& target);

}  // namespace llmbench::cli
