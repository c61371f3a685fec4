#pragma once
// What the built-in server's request readers share (completion_request.cpp,
// retrieval.cpp): the DOM parser, not on-demand, since a request body must be
// validated as a whole (llama-server rejects any malformed body); bodies are
// small, and one parser per thread is reused for every request, so its
// buffers are allocated once. And the 400 every invalid body gets.
#include <simdjson.h>

#include <string>

#include "llmbench/mock/completion_request.hpp"

namespace llmbench::mock::detail {

inline simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

inline RequestError invalid(std::string message) {
  return RequestError{400, std::move(message), "invalid_request_error"};
}

}  // namespace llmbench::mock::detail
