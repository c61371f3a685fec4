// No heap allocation per token on the streaming path: a counting global
// operator new (this executable only) around the per-read path — HTTP
// de-chunking, SSE framing, JSON decoding, timing — and around the ring that
// carries records to the aggregator.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "llmbench/load/response_consumer.hpp"
#include "llmbench/record/spsc_ring.hpp"

namespace {
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace llmbench {
namespace {

std::string chunk(const std::string& payload) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", payload.size());
  return size + payload + "\r\n";
}

// A llama-server chat stream of `tokens` content events, one HTTP chunk (and
// one read) each, as the server writes them.
std::vector<std::string> chat_stream_reads(int tokens) {
  std::vector<std::string> reads;
  reads.push_back(
      "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\nContent-Type: text/event-stream\r\n"
      "Server: llama.cpp\r\nTransfer-Encoding: chunked\r\n\r\n" +
      chunk("data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}],"
            "\"created\":1,\"id\":\"chatcmpl-x\",\"model\":\"m\",\"object\":\"chat.completion.chunk\"}\n\n"));
  for (int i = 0; i < tokens; ++i) {
    reads.push_back(chunk("data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\" word" +
                          std::to_string(i % 100) +
                          "\"}}],\"created\":1,\"id\":\"chatcmpl-x\",\"model\":\"m\",\"object\":\"chat.completion.chunk\"}\n\n"));
  }
  reads.push_back(chunk("data: {\"choices\":[{\"finish_reason\":\"length\",\"index\":0,\"delta\":{}}],\"created\":1,"
                        "\"id\":\"chatcmpl-x\",\"model\":\"m\",\"object\":\"chat.completion.chunk\",\"usage\":{"
                        "\"completion_tokens\":" + std::to_string(tokens) +
                        ",\"prompt_tokens\":5,\"total_tokens\":" + std::to_string(tokens + 5) + "}}\n\n") +
                  chunk("data: [DONE]\n\n") + "0\r\n\r\n");
  return reads;
}

// Allocations made while consuming one response, read by read, through one
// reused buffer with simdjson's padding (as the worker does).
std::uint64_t allocations_for(ResponseConsumer& consumer, const std::vector<std::string>& reads, std::string& buffer,
                              RequestRecord& rec) {
  rec = RequestRecord{};  // as the worker does before every request
  consumer.start(rec, true);
  const std::uint64_t before = g_allocations.load();
  std::int64_t t = 0;
  for (const std::string& r : reads) {
    buffer.replace(0, r.size(), r);  // capacity reserved up front: no allocation
    ReadTokens tokens;
    consumer.on_read(std::string_view(buffer.data(), r.size()), buffer.data() + buffer.size(), ++t, tokens);
  }
  return g_allocations.load() - before;
}

TEST(NoAllocationPerToken, StreamingPathAllocatesTheSameForTenOrThousandsOfTokens) {
  protocol::EventDecoder decoder;
  ResponseConsumer consumer(decoder, 1u << 20);
  std::string buffer(64 * 1024 + 64, '\0');
  RequestRecord rec;
  // Warm up: the decoder and framer size their buffers on first use.
  allocations_for(consumer, chat_stream_reads(50), buffer, rec);
  ASSERT_EQ(rec.error, ErrorKind::none) << rec.message();
  const std::uint64_t few = allocations_for(consumer, chat_stream_reads(10), buffer, rec);
  ASSERT_EQ(rec.completion_tokens, 10u);
  const std::uint64_t many = allocations_for(consumer, chat_stream_reads(5000), buffer, rec);
  ASSERT_EQ(rec.error, ErrorKind::none) << rec.message();
  ASSERT_EQ(rec.content_events, 5000u);
  EXPECT_EQ(many, few) << "allocations grow with the number of tokens";
  EXPECT_EQ(many, 0u) << "allocations per response once warm";
}

TEST(NoAllocationPerToken, RingPushAndPopNeverAllocate) {
  SpscRing<StreamSample> ring(1024);
  const std::uint64_t before = g_allocations.load();
  StreamSample g, out;
  for (int i = 0; i < 100000; ++i) {
    ASSERT_TRUE(ring.try_push(g));
    ASSERT_TRUE(ring.try_pop(out));
  }
  EXPECT_EQ(g_allocations.load() - before, 0u);
}

}  // namespace
}  // namespace llmbench
