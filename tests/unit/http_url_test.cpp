#include <gtest/gtest.h>

#include "llmbench/http/request.hpp"
#include "llmbench/http/url.hpp"

namespace llmbench::http {
namespace {

Target ok(std::string_view url) {
  auto t = parse_url(url);
  EXPECT_TRUE(t.has_value()) << url << ": " << (t ? "" : t.error());
  return t ? *t : Target{};
}

std::string bad(std::string_view url) {
  auto t = parse_url(url);
  EXPECT_FALSE(t.has_value()) << url;
  return t ? std::string() : t.error();
}

TEST(HttpUrl, Parses) {
  Target t = ok("http://127.0.0.1:8080");
  EXPECT_EQ(t.host, "127.0.0.1");
  EXPECT_EQ(t.port, 8080);
  EXPECT_FALSE(t.tls);
  EXPECT_EQ(t.base_path, "");
  t = ok("https://api.example.com/v1/");
  EXPECT_TRUE(t.tls);
  EXPECT_EQ(t.port, 443);
  EXPECT_EQ(t.base_path, "");  // /v1 is part of every endpoint path already
  EXPECT_EQ(t.path("/v1/models"), "/v1/models");
  t = ok("http://[::1]:9000/proxy");
  EXPECT_EQ(t.host, "::1");
  EXPECT_EQ(t.host_header(), "[::1]:9000");
  EXPECT_EQ(t.path("/v1/models"), "/proxy/v1/models");
  EXPECT_EQ(ok("http://localhost").host_header(), "localhost");
}

TEST(HttpUrl, RejectsWithAReason) {
  EXPECT_NE(bad("ftp://x").find("http://"), std::string::npos);
  EXPECT_NE(bad("http://host:99999").find("port"), std::string::npos);
  EXPECT_NE(bad("http://host:").find("port"), std::string::npos);
  EXPECT_NE(bad("http://:80").find("host"), std::string::npos);
  EXPECT_NE(bad("http://user:pw@host").find("credentials"), std::string::npos);
  EXPECT_NE(bad("http://[::1").find("IPv6"), std::string::npos);
}

TEST(HttpRequest, BuildsAComplete11Request) {
  Target t = ok("http://127.0.0.1:8080");
  const std::string r = build_request("POST", t, "/v1/chat/completions", {{"X-A", "b"}}, "{}", "text/event-stream");
  EXPECT_EQ(r.rfind("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n", 0), 0u);
  EXPECT_NE(r.find("Content-Length: 2\r\n"), std::string::npos);
  EXPECT_NE(r.find("Accept: text/event-stream\r\n"), std::string::npos);
  EXPECT_NE(r.find("X-A: b\r\n"), std::string::npos);
  EXPECT_EQ(r.substr(r.size() - 6), "\r\n\r\n{}");
}

}  // namespace
}  // namespace llmbench::http
