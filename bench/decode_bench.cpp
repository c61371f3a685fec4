// Nanoseconds per event for EventDecoder on the chunk shapes that make up
// nearly every byte of a run, with the stream's template (as ResponseConsumer
// decodes) and without it (simdjson for every event). Successive events
// differ in their content, as a stream's do.
//
//   llmbench_decode_bench [N]   (default 2,000,000 events per row)
#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/protocol/event_decoder.hpp"

namespace {

using llmbench::protocol::DecodeStatus;
using llmbench::protocol::EventDecoder;
using llmbench::protocol::EventInfo;
using llmbench::protocol::EventTemplate;

struct Shape {
  const char* name;
  std::string_view head;  // up to the content string's opening quote
  std::string_view tail;  // from its closing quote
};

constexpr Shape kShapes[] = {
    {"llama.cpp chat chunk", R"({"choices":[{"finish_reason":null,"index":0,"delta":{"content":")",
     R"("}}],"created":1732000000,"id":"chatcmpl-5jtoMqRPZIjCcxWNHweR0DwdXSDyY2nQ","model":"/srv/llms/models/tiny-random-llama.gguf","system_fingerprint":"b10587-3f545becc","object":"chat.completion.chunk"})"},
    {"vLLM chat chunk", R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":")",
     R"("},"logprobs":null,"finish_reason":null}]})"},
    {"bench server chunk", R"({"choices":[{"index":0,"delta":{"content":")",
     R"("},"finish_reason":null}],"created":1732000000,"id":"chatcmpl-x","model":"bench-model","object":"chat.completion.chunk"})"},
};

constexpr std::string_view kTokens[] = {" Hello", ",", " world", "\\n", " caf\xc3\xa9", " the", "ing", "."};

double ns_per_event(std::uint64_t n, const std::vector<std::string>& events, EventTemplate* tpl,
                    std::uint64_t& sink) {
  EventDecoder decoder;
  EventInfo info;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::string& e = events[i % events.size()];
    if (decoder.decode(std::string_view(e.data(), e.size() - simdjson::SIMDJSON_PADDING),
                       simdjson::SIMDJSON_PADDING, info, tpl) != DecodeStatus::ok) {
      std::abort();
    }
    sink += info.content_pieces;
  }
  const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
  return took.count() / static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
  std::uint64_t sink = 0;
  std::printf("%-24s %14s %14s %8s  (N=%llu)\n", "event", "simdjson ns", "template ns", "ratio",
              static_cast<unsigned long long>(n));
  for (const Shape& s : kShapes) {
    std::vector<std::string> events;
    for (std::string_view t : kTokens) {
      std::string e(s.head);
      e.append(t).append(s.tail).append(simdjson::SIMDJSON_PADDING, ' ');
      events.push_back(std::move(e));
    }
    EventTemplate tpl;
    const double full = ns_per_event(n, events, nullptr, sink);
    const double fast = ns_per_event(n, events, &tpl, sink);
    std::printf("%-24s %14.1f %14.1f %7.2fx  (%llu of %llu from the template)\n", s.name, full, fast, full / fast,
                static_cast<unsigned long long>(tpl.hits), static_cast<unsigned long long>(n));
  }
  std::printf("(checksum %llu)\n", static_cast<unsigned long long>(sink));
  return 0;
}
