// No heap allocation per token on the streaming path: a counting global
// operator new (this executable only) around the per-read path — the socket
// read with its kernel timestamp, HTTP de-chunking, SSE framing, JSON
// decoding, timing — and around the ring that carries records to the
// aggregator.
#include <gtest/gtest.h>

#include <asio.hpp>
#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "llmbench/http/connection.hpp"
#include "llmbench/http/rx_timestamp.hpp"
#include "llmbench/load/session.hpp"
#include "llmbench/load/response_consumer.hpp"
#include "llmbench/load/session.hpp"
#include "llmbench/record/spsc_ring.hpp"

namespace {
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// Not inlined: inlined into a `delete` of memory from our operator new, GCC 12
// sees free() meet a new-expression and reports -Wmismatched-new-delete,
// though the pair is exactly the malloc/free this file chose.
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

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

// A session's turn captures its reply as it streams (--turns): once the
// capture buffer has grown to a reply's length, a later reply as long is
// captured without allocating, also after the last one joined the history.
TEST(NoAllocationPerToken, ASessionsReplyCaptureAllocatesNothingOnceWarm) {
  protocol::EventDecoder decoder;
  ResponseConsumer consumer(decoder, 1u << 20);
  std::string buffer(64 * 1024 + 64, '\0');
  RequestRecord rec;
  SessionHistory history;
  consumer.capture_reply(&history.reply());
  allocations_for(consumer, chat_stream_reads(3000), buffer, rec);
  ASSERT_EQ(rec.error, ErrorKind::none) << rec.message();
  ASSERT_NE(history.reply().find(" word99"), std::string::npos) << "nothing captured";
  history.commit(0, 3000, 0);
  const std::uint64_t n = allocations_for(consumer, chat_stream_reads(3000), buffer, rec);
  ASSERT_EQ(rec.error, ErrorKind::none) << rec.message();
  EXPECT_GT(history.reply().size(), 3000u * 5);
  EXPECT_EQ(n, 0u) << "the reply capture allocated while the reply streamed";
}

// Allocations made by `reads` socket reads on a loopback Connection, each
// read preceded by one small write from the server end: recvmsg with its
// control buffer on the stack, the realtime mapping, and the coroutine
// frames (Asio recycles them per thread once warm).
std::uint64_t allocations_for_reads(http::ReadTimestamps mode, int reads) {
  const http::RxStampingHold stamping;  // as the request path holds it
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  RealtimeOffset clock;
  http::Connection conn(io, nullptr, mode, &clock);
  std::vector<char> buf(4096 + 64);
  asio::ip::tcp::socket server(io);
  std::uint64_t counted = 0;
  bool stamped = true;
  bool finished = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const auto eps = asio::ip::tcp::resolver(io).resolve("127.0.0.1", std::to_string(acceptor.local_endpoint().port()));
        if (co_await conn.connect(eps, "127.0.0.1")) co_return;
        acceptor.accept(server);
        for (int round = 0; round < 2; ++round) {  // the first warms the frame caches
          const std::uint64_t before = g_allocations.load();
          for (int i = 0; i < reads; ++i) {
            ::send(server.native_handle(), "token", 5, 0);
            const http::ReadResult r = co_await conn.read(std::span<char>(buf.data(), 4096));
            if (r.ec || r.bytes.size() != 5) co_return;
            stamped = stamped && (r.kernel_ns >= 0) == (mode == http::ReadTimestamps::kernel);
          }
          counted = g_allocations.load() - before;
        }
        finished = true;
      },
      asio::detached);
  io.run();
  EXPECT_TRUE(finished) << "the connection or a read failed";
  EXPECT_TRUE(stamped) << "a read's kernel stamp did not match its mode";
  return counted;
}

TEST(NoAllocationPerToken, SocketReadsAllocateNothingOnceWarm) {
  for (const auto mode : {http::ReadTimestamps::kernel, http::ReadTimestamps::user}) {
    SCOPED_TRACE(std::string(http::to_string(mode)));
    const std::uint64_t few = allocations_for_reads(mode, 10);
    const std::uint64_t many = allocations_for_reads(mode, 2000);
    EXPECT_EQ(many, few) << "allocations grow with the number of reads";
    EXPECT_EQ(many, 0u) << "allocations per read once warm";
  }
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
