#include "llmbench/mock/server.hpp"

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "llmbench/mock/session.hpp"
#include "llmbench/mock/state.hpp"
#include "llmbench/util/clock.hpp"

namespace llmbench::mock {

using asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr auto kStopGrace = std::chrono::seconds(5);
constexpr auto kAcceptBackoff = std::chrono::milliseconds(10);
}  // namespace

struct MockServer::Impl {
  explicit Impl(MockConfig cfg) : state(std::move(cfg)) {}

  asio::awaitable<void> accept_loop();
  void spawn_session(tcp::socket socket);
  Status bind_and_listen();
  asio::any_io_executor session_executor() {
    // A strand only when several threads run the loop; with one thread the
    // io_context itself serialises everything, at no cost per handler.
    if (state.cfg.threads > 1) return asio::make_strand(io);
    return io.get_executor();
  }

  // Declared before the io_context so that they outlive it and whatever
  // coroutine frames it still holds when it is destroyed.
  ServerState state;
  std::mutex mu;
  std::condition_variable ended;
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions;
  asio::io_context io;
  // The listener has its own strand: stop() closes it from another thread.
  asio::strand<asio::io_context::executor_type> accept_strand{asio::make_strand(io)};
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  bool started = false;
  bool stopping = false;
  std::uint16_t port = 0;
};

Status MockServer::Impl::bind_and_listen() {
  const MockConfig& cfg = state.cfg;
  std::error_code ec;
  const std::string where = cfg.host + ":" + std::to_string(cfg.port);
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(cfg.host, std::to_string(cfg.port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) return Unexpected("mock server: cannot resolve " + where + ": " + ec.message());
  const tcp::endpoint ep = results.begin()->endpoint();
  acceptor.emplace(accept_strand);
  // This Asio's error_code overloads return void: check after each step.
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor.reset();
    return Unexpected("mock server: cannot listen on " + where + ": " + ec.message());
  }
  port = acceptor->local_endpoint(ec).port();
  return {};
}

asio::awaitable<void> MockServer::Impl::accept_loop() {
  asio::steady_timer backoff(io);
  while (acceptor && acceptor->is_open()) {
    auto [ec, socket] = co_await acceptor->async_accept(session_executor(), use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
    if (ec) {
      // Out of descriptors or a connection reset while queued: not fatal.
      backoff.expires_after(kAcceptBackoff);
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    state.counters.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    spawn_session(std::move(socket));
  }
}

void MockServer::Impl::spawn_session(tcp::socket socket) {
  auto s = std::make_shared<Session>(state, std::move(socket));
  {
    std::lock_guard lock(mu);
    if (stopping) return;  // the socket closes with `s`
    sessions.emplace(s.get(), s);
  }
  asio::co_spawn(s->executor(), s->run(),
                 asio::bind_cancellation_slot(s->cancel_signal().slot(), [this, s](const std::exception_ptr&) {
                   std::lock_guard lock(mu);
                   sessions.erase(s.get());
                   ended.notify_all();
                 }));
}

MockServer::MockServer(MockConfig cfg) : impl_(std::make_unique<Impl>(std::move(cfg))) {}

MockServer::~MockServer() { stop(); }

Expected<std::uint16_t> MockServer::start() {
  Impl& m = *impl_;
  if (m.started) return Unexpected("mock server: already started");
  if (const auto valid = validate(m.state.cfg); !valid) {
    return Unexpected("mock server: " + std::string(valid.error().field) + " " + valid.error().message);
  }
  if (Status st = m.bind_and_listen(); !st) return Unexpected(st.error());
  m.started = true;
  m.state.ready_at_ns = now_ns() + seconds_to_ns(m.state.cfg.load_seconds);
  asio::co_spawn(m.accept_strand, m.accept_loop(), asio::detached);
  for (int i = 0; i < m.state.cfg.threads; ++i) {
    m.threads.emplace_back([&io = m.io] { io.run(); });
  }
  return m.port;
}

void MockServer::stop() {
  Impl& m = *impl_;
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(m.mu);
    if (!m.started || m.stopping) return;
    m.stopping = true;
    for (auto& [ptr, s] : m.sessions) live.push_back(s);
  }
  asio::post(m.accept_strand, [&m] {
    std::error_code ignored;
    if (m.acceptor) m.acceptor->close(ignored);
  });
  for (auto& s : live) asio::post(s->executor(), [s] { s->shutdown(); });
  live.clear();
  {
    std::unique_lock lock(m.mu);
    m.ended.wait_for(lock, kStopGrace, [&m] { return m.sessions.empty(); });
  }
  m.io.stop();
  for (std::thread& t : m.threads) t.join();
  m.threads.clear();
  // A session that outlived the grace period is still referenced by its
  // coroutine frame, which the io_context destroys (while its socket service
  // is still alive). The map must not keep it past that point: it is
  // destroyed after the io_context, and a socket closed then would call into
  // a service that no longer exists.
  std::lock_guard lock(m.mu);
  m.sessions.clear();
}

std::uint16_t MockServer::port() const { return impl_->port; }

MockStats MockServer::stats() const { return impl_->state.stats(); }

}  // namespace llmbench::mock
