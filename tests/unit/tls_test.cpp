// https:// targets: the built-in server behind a TLS terminator that this
// test starts on loopback with a certificate made at run time. Verification
// of the chain and of the host name is on by default; --insecure turns it off.
#include <gtest/gtest.h>

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ssl.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <thread>

#include "llmbench/http/fetch.hpp"
#include "llmbench/load/engine.hpp"
#include "llmbench/mock/server.hpp"
#include "load_plan.hpp"

namespace llmbench {
namespace {

using asio::ip::tcp;
namespace fs = std::filesystem;

// A self-signed certificate for `name` (and 127.0.0.1), made with the openssl
// command line in a fresh temporary directory.
struct Certificate {
  fs::path dir, cert, key;
  explicit Certificate(const std::string& name) {
    char tmpl[] = "/tmp/llmbench-tls-XXXXXX";
    dir = ::mkdtemp(tmpl);
    cert = dir / "cert.pem";
    key = dir / "key.pem";
    const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=" + name +
                            " -addext subjectAltName=DNS:" + name + ",IP:127.0.0.1 -keyout " + key.string() +
                            " -out " + cert.string() + " >/dev/null 2>&1";
    ok = std::system(cmd.c_str()) == 0 && fs::exists(cert);
  }
  ~Certificate() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  bool ok = false;
};

// Terminates TLS on its own port and pipes bytes to the built-in server.
class TlsTerminator {
 public:
  TlsTerminator(const Certificate& c, std::uint16_t backend)
      : ctx_(asio::ssl::context::tls_server), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        backend_(backend) {
    ctx_.use_certificate_chain_file(c.cert.string());
    ctx_.use_private_key_file(c.key.string(), asio::ssl::context::pem);
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TlsTerminator() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  using Tls = asio::ssl::stream<tcp::socket>;
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, s] = co_await acceptor_.async_accept(asio::experimental::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(io_, serve(std::make_shared<Tls>(std::move(s), ctx_)), asio::detached);
    }
  }
  asio::awaitable<void> serve(std::shared_ptr<Tls> tls) {
    auto [hec] = co_await tls->async_handshake(asio::ssl::stream_base::server, asio::experimental::as_tuple(asio::use_awaitable));
    if (hec) co_return;  // the client refused our certificate: fine
    auto plain = std::make_shared<tcp::socket>(io_);
    auto [cec] = co_await plain->async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), backend_),
                                               asio::experimental::as_tuple(asio::use_awaitable));
    if (cec) co_return;
    asio::co_spawn(io_, pipe(tls, plain, true), asio::detached);
    co_await pipe(tls, plain, false);
  }
  // tls -> plain when `up`, else plain -> tls; closes both at the end.
  asio::awaitable<void> pipe(std::shared_ptr<Tls> tls, std::shared_ptr<tcp::socket> plain, bool up) {
    std::array<char, 16384> buf;
    for (;;) {
      auto [rec, n] = up ? co_await tls->async_read_some(asio::buffer(buf), asio::experimental::as_tuple(asio::use_awaitable))
                         : co_await plain->async_read_some(asio::buffer(buf), asio::experimental::as_tuple(asio::use_awaitable));
      if (rec) break;
      auto [wec, m] = up ? co_await asio::async_write(*plain, asio::buffer(buf.data(), n), asio::experimental::as_tuple(asio::use_awaitable))
                         : co_await asio::async_write(*tls, asio::buffer(buf.data(), n), asio::experimental::as_tuple(asio::use_awaitable));
      if (wec) break;
    }
    std::error_code ignored;
    plain->close(ignored);
    tls->lowest_layer().close(ignored);
  }

  asio::io_context io_;
  asio::ssl::context ctx_;
  tcp::acceptor acceptor_;
  std::uint16_t backend_;
  std::thread thread_;
};

std::unique_ptr<asio::ssl::context> client_context(const Certificate* trusted, bool verify) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  if (trusted != nullptr) ctx->load_verify_file(trusted->cert.string());
  ctx->set_verify_mode(verify ? asio::ssl::verify_peer : asio::ssl::verify_none);
  return ctx;
}

struct TlsFixture : ::testing::Test {
  void SetUp() override {
    if (!cert.ok) GTEST_SKIP() << "openssl command line not available";
    mock::MockConfig mc;
    mc.decode_tps = 2000;
    server = std::make_unique<mock::MockServer>(mc);
    terminator = std::make_unique<TlsTerminator>(cert, server->start().value());
    target.tls = true;
    target.host = "localhost";
    target.port = terminator->port();
  }
  Certificate cert{"localhost"};
  std::unique_ptr<mock::MockServer> server;
  std::unique_ptr<TlsTerminator> terminator;
  http::Target target;
};

TEST_F(TlsFixture, VerifiedFetchWorksWithTheRightCa) {
  auto ctx = client_context(&cert, true);
  http::FetchOptions o;
  o.tls = ctx.get();
  const http::FetchResult r = http::fetch(target, "GET", "/v1/models", "", o);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"data\""), std::string::npos);
}

TEST_F(TlsFixture, AnUntrustedCertificateIsRefused) {
  auto ctx = client_context(nullptr, true);  // no CA for our self-signed certificate
  http::FetchOptions o;
  o.tls = ctx.get();
  const http::FetchResult r = http::fetch(target, "GET", "/v1/models", "", o);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(TlsFixture, AHostNameMismatchIsRefusedAndInsecureAcceptsIt) {
  Certificate other("not-this-host.example");
  ASSERT_TRUE(other.ok);
  TlsTerminator wrong(other, server->port());
  http::Target t = target;
  t.port = wrong.port();
  auto verified = client_context(&other, true);
  http::FetchOptions o;
  o.tls = verified.get();
  EXPECT_FALSE(http::fetch(t, "GET", "/v1/models", "", o).ok) << "the certificate names another host";
  auto insecure = client_context(nullptr, false);
  o.tls = insecure.get();
  const http::FetchResult r = http::fetch(t, "GET", "/v1/models", "", o);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 200);
}

TEST_F(TlsFixture, StreamsRunOverTls) {
  auto ctx = client_context(&cert, true);
  RunPlan plan;
  plan.target = target;
  plan.threads = 1;
  test::add_chat_prompt(plan, "p", "hello", 16);
  Engine engine(plan);
  const Status prepared = engine.prepare();
  ASSERT_TRUE(prepared) << prepared.error();
  engine.set_tls_context(ctx.get());
  const StageResult r = engine.run_stage(0, test::closed_stage(3, 12), {});
  EXPECT_EQ(r.overall.succeeded, 12u) << "errors: connect " << r.overall.errors[1] << " protocol "
                                      << r.overall.errors[6] << " reset " << r.overall.errors[7];
  EXPECT_EQ(r.overall.output_tokens, 12u * 16u);
}

// Kernel timestamps through TLS: every read that returned plaintext carries
// the stamp of the socket read that completed its records. A stale stamp
// (the handshake's, or an earlier record's) would come before the server's
// send stamp of the token it is given to, and show as a zero delivery lag
// (lags are clamped at 0); a fresh one is after it.
TEST_F(TlsFixture, TlsReadsCarryTheKernelStampOfTheirRecords) {
  mock::MockConfig mc;
  mc.decode_tps = 500;
  mc.stamp = true;
  mock::MockServer stamped(mc);
  TlsTerminator stamping_terminator(cert, stamped.start().value());
  auto ctx = client_context(&cert, true);
  RunPlan plan;
  plan.target = target;
  plan.target.port = stamping_terminator.port();
  plan.threads = 1;
  plan.stamp_lag = true;
  plan.timestamps = http::ReadTimestamps::kernel;
  test::add_chat_prompt(plan, "p", "hello", 16);
  Engine engine(plan);
  const Status prepared = engine.prepare();
  ASSERT_TRUE(prepared) << prepared.error();
  engine.set_tls_context(ctx.get());
  const StageResult r = engine.run_stage(0, test::closed_stage(2, 6), {});
  ASSERT_EQ(r.overall.succeeded, 6u) << "errors: connect " << r.overall.errors[1] << " protocol "
                                     << r.overall.errors[6] << " reset " << r.overall.errors[7] << " incomplete "
                                     << r.overall.errors[8] << " timeout " << r.overall.errors[2];
  EXPECT_GE(r.kernel_stamped_reads, 6u);
  EXPECT_EQ(r.user_stamped_reads, 0u);
  EXPECT_EQ(r.unstamped_connections, 0u);
  ASSERT_EQ(r.delivery_lag_ns.count(), 6u * 16u);
  EXPECT_GT(r.delivery_lag_ns.min(), 0) << "a token was given a stamp from before it was sent";
}

}  // namespace
}  // namespace llmbench
