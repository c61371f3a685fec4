#pragma once
// The built-in llama-server imitation (`llmbench mock-server`, and the target
// of the tests): llama-server's endpoints and bytes (see
// tests/fixtures/llama-server/README.md), its slots and FIFO queue, decode
// and prompt speeds on an absolute schedule, and injected faults.
//
// One io_context run by `threads` threads (one by default: it serves 1,000+
// streams at 50 tokens/s), one coroutine per connection, one timer per active
// stream, pre-built byte templates on the token path.
#include <cstdint>
#include <memory>

#include "llmbench/mock/config.hpp"
#include "llmbench/util/expected.hpp"

namespace llmbench::mock {

class MockServer {
 public:
  explicit MockServer(MockConfig cfg);
  ~MockServer();  // stops
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  // Binds, starts its own thread(s), returns the bound port; or a one-line
  // reason (bad config, address in use, already started).
  Expected<std::uint16_t> start();
  // Idempotent: closes the listener and every connection, joins the threads.
  // Must not be called from one of the server's own threads.
  void stop();
  [[nodiscard]] std::uint16_t port() const;
  // Thread-safe snapshot.
  [[nodiscard]] MockStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Blocking: starts the server, prints "llmbench mock-server listening on
// http://HOST:PORT" to stdout, serves until SIGINT/SIGTERM, returns 0 (1 with
// a message on stderr when it cannot start).
int run_mock_server_cli(const MockConfig& cfg);

}  // namespace llmbench::mock
