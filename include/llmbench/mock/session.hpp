#pragma once
// One client connection of the mock server: a coroutine that reads a request,
// answers it, and loops while the connection is kept alive.
//
// Everything a connection does runs on its own executor (the io_context with
// one thread, a strand with several), so its socket, timers and buffers are
// never touched concurrently. A completion request runs as
// `generate(...) || watch_peer()`: the watcher resolves when the client closes
// or resets the connection, which cancels the generation at once (its slot is
// freed by RAII), whether it was waiting in the queue, processing the prompt,
// or streaming.
#include <asio.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "llmbench/mock/completion_request.hpp"
#include "llmbench/mock/request_parser.hpp"
#include "llmbench/mock/retrieval.hpp"
#include "llmbench/mock/state.hpp"
#include "llmbench/mock/wire.hpp"

namespace llmbench::mock {

// What happens to the connection after a response.
enum class After : std::uint8_t {
  keep,   // read the next request
  close,  // orderly close (FIN)
  drop,   // already closed or reset: just forget it
};

struct Generation;  // one request's generation state (generation.cpp)

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerState& state, asio::ip::tcp::socket socket);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  asio::awaitable<void> run();
  // Server stop: closes the socket and cancels whatever the coroutine awaits.
  // Must run on the session's executor.
  void shutdown();
  asio::cancellation_signal& cancel_signal() noexcept { return cancel_; }
  [[nodiscard]] asio::any_io_executor executor() { return sock_.get_executor(); }

 private:
  enum class ReadStatus : std::uint8_t { ok, closed, bad, too_large };

  // session.cpp: the request loop, plain endpoints, writing.
  asio::awaitable<ReadStatus> read_request();
  asio::awaitable<std::error_code> wait_readable(std::int64_t limit_ns);
  asio::awaitable<After> respond(const Request& req, bool keep);
  // A GET of `path` (the request's path without the --api-prefix).
  asio::awaitable<After> respond_get(std::string_view path, const Request& req, bool keep);
  asio::awaitable<After> send_json(int status, std::string_view body, const Request& req, bool keep,
                                   std::string_view extra_headers = {});
  asio::awaitable<After> send_error(const RequestError& e, const Request& req, bool keep);
  asio::awaitable<After> send_not_found(const Request& req, bool keep);
  asio::awaitable<After> serve_slot_action(std::string_view id_text, const Request& req, bool keep);
  asio::awaitable<std::error_code> send(std::string_view bytes);
  asio::awaitable<std::error_code> send_dribbled(std::string_view bytes);
  asio::awaitable<void> watch_peer();
  asio::awaitable<void> wait_peer_gone();
  asio::awaitable<void> close_gracefully();
  bool peer_closed() noexcept;
  void reset_connection() noexcept;
  [[nodiscard]] wire::HeadOptions head_options(const Request& req, bool keep, std::string_view extra = {}) const;

  // generation.cpp: completion endpoints.
  asio::awaitable<After> serve_completion(Api api, const Request& req, bool keep);
  // retrieval_session.cpp: POST /v1/embeddings and /v1/rerank.
  asio::awaitable<After> serve_retrieval(RetrievalKind kind, const Request& req, bool keep);
  asio::awaitable<After> generate(const CompletionRequest& creq, const Request& req, FaultMode fault, bool keep);
  asio::awaitable<After> stream(Generation& g, const Request& req, bool keep);
  asio::awaitable<After> respond_whole(Generation& g, const Request& req, bool keep);
  asio::awaitable<std::error_code> wait_until(asio::steady_timer& timer, std::int64_t due_ns);

  // faults.cpp: injected misbehaviour.
  asio::awaitable<After> fault_before_slot(FaultMode fault, const Request& req, bool keep);
  // nullopt: the stream goes on after the injected event.
  asio::awaitable<std::optional<After>> fault_midstream(Generation& g);
  asio::awaitable<After> fault_whole(Generation& g, const Outcome& o, const Request& req, bool keep,
                                     std::string& body);

  ServerState& st_;
  asio::ip::tcp::socket sock_;
  asio::cancellation_signal cancel_;
  RequestParser parser_;
  std::string pending_;  // bytes read past the end of the previous request
  std::string out_;      // response bytes, reused
  int served_ = 0;
  bool dribble_ = false;  // fault `dribble` for the current response
  bool stopping_ = false;
};

}  // namespace llmbench::mock
