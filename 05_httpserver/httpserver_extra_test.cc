// HTTPServer features beyond plain HTTP: HTTPS with a BoringSSL client
// (SSLIOStream), gzip request bodies (decompress_request), and the access
// log channel.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "02_netutil/ssl_context.h"
#include "02_netutil/test_certificates.h"
#include "03_iostream/ssl_iostream.h"
#include "05_httpserver/httpserver.h"
#include "05_httpserver/test_client.h"

namespace eddy {
namespace {

constexpr double kDeadline = 20.0;

void echo(HTTPServerRequest& request) {
  HTTPHeaders headers;
  headers.add("Content-Length", std::to_string(request.body.size()));
  headers.add("X-Echo-Protocol", request.protocol);
  headers.add("X-Echo-Encoding",
              request.headers.get("X-Consumed-Content-Encoding"));
  request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                        std::move(headers));
  request.write(request.body);
  request.finish();
}

std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
               Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// What a BoringSSL client sends to an HTTPS server running `echo` and
// receives until the server closes.
struct HttpsExchange {
  std::string received;
  bool close_notify = false;  // The server ended TLS cleanly.
};

HttpsExchange https_exchange(const std::string& request) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  auto certificates = testing::write_test_certificates(
      std::string(tmp != nullptr ? tmp : "/tmp") + "/certs");
  IOLoop loop;
  HTTPServerOptions options;
  options.ssl_options = SSLOptions{};
  options.ssl_options->certfile = certificates.certfile;
  options.ssl_options->keyfile = certificates.keyfile;
  HTTPServer server(echo, options, loop);
  server.listen(0, "127.0.0.1");
  SocketAddress address = server.listening_addresses().at(0);

  SSLContext client_context =
      ssl_client_context(certificates.ca_certfile, true);
  auto client =
      SSLIOStream::create_client(Socket(::socket(AF_INET, SOCK_STREAM, 0)),
                                 client_context.get(), "localhost", loop);
  HttpsExchange exchange;
  bool closed = false;
  client->set_close_callback([&] { closed = true; });
  client->connect(address, [&] {
    client->write(request);
    client->read_until_close(
        [&](std::string_view data) { exchange.received = data; });
  });
  EXPECT_TRUE(loop.run_until([&] { return closed; }, kDeadline));
  exchange.close_notify =
      (SSL_get_shutdown(client->ssl()) & SSL_RECEIVED_SHUTDOWN) != 0;
  return exchange;
}

TEST(HTTPServerTLSTest, ServesHttpsToABoringSSLClient) {
  HttpsExchange exchange = https_exchange(
      "POST /secure HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\n"
      "Connection: close\r\n\r\nsecret");
  auto responses = testing::parse_responses(exchange.received, {}, true);
  ASSERT_EQ(responses.size(), 1u) << exchange.received;
  EXPECT_EQ(responses[0].code, 200);
  EXPECT_EQ(responses[0].body, "secret");
  EXPECT_EQ(responses[0].headers.get("X-Echo-Protocol"), "https");
}

// Regression: the server closed HTTPS connections with a bare TCP FIN, so
// a client could not tell a complete response from a truncated one (issue
// 15, item 15). Connection: close, then an error response (the lingering
// close) both end with close_notify.
TEST(HTTPServerTLSTest, ConnectionCloseEndsWithCloseNotify) {
  HttpsExchange exchange = https_exchange(
      "GET /a HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_NE(exchange.received.find("200 OK"), std::string::npos);
  EXPECT_TRUE(exchange.close_notify);
}

TEST(HTTPServerTLSTest, ErrorResponseEndsWithCloseNotify) {
  HttpsExchange exchange = https_exchange("BAD REQUEST LINE\r\n\r\n");
  EXPECT_EQ(exchange.received.rfind("HTTP/1.1 400", 0), 0u)
      << exchange.received;
  EXPECT_TRUE(exchange.close_notify);
}

class DecompressTest : public ::testing::Test {
 protected:
  testing::Response post(const std::string& body, bool decompress,
                         const std::string& encoding = "gzip",
                         size_t max_body = 1 << 20) {
    HTTPServerOptions options;
    options.decompress_request = decompress;
    options.max_body_size = max_body;
    HTTPServer server(echo, options, loop_);
    server.listen(0, "127.0.0.1");
    testing::RawClient client(loop_, server.listening_addresses().at(0).port());
    client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: " + encoding +
                "\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n\r\n" + body);
    loop_.run_until(
        [&] {
          return client.closed() ||
                 testing::count_final_responses(client.received()) > 0;
        },
        kDeadline);
    auto responses =
        testing::parse_responses(client.received(), {}, client.closed());
    return responses.empty() ? testing::Response{} : responses[0];
  }
  IOLoop loop_;
};

TEST_F(DecompressTest, GzipBodyIsDecompressed) {
  std::string text(10000, 'z');
  testing::Response response = post(gzip(text), true);
  EXPECT_EQ(response.code, 200);
  EXPECT_EQ(response.body, text);
  EXPECT_EQ(response.headers.get("X-Echo-Encoding"), "gzip");
}

TEST_F(DecompressTest, GzipBodyIsLeftAloneWithoutTheOption) {
  std::string compressed = gzip("hello");
  testing::Response response = post(compressed, false);
  EXPECT_EQ(response.code, 200);
  EXPECT_EQ(response.body, compressed);
}

TEST_F(DecompressTest, MalformedGzipIs400) {
  EXPECT_EQ(post("this is not gzip", true).code, 400);
}

TEST_F(DecompressTest, DecompressedSizeIsBoundedByMaxBodySize) {
  // 1 MB of zeros compresses to about 1 KB: a zip bomb in miniature.
  testing::Response response =
      post(gzip(std::string(1 << 20, '\0')), true, "gzip", 100000);
  EXPECT_EQ(response.code, 413);
}

TEST(AccessLogTest, OneLinePerRequestOnTheAccessChannel) {
  IOLoop loop;
  HTTPServer server(
      [](HTTPServerRequest& request) {
        request.write_headers(ResponseStartLine{"HTTP/1.1", 404, ""},
                              HTTPHeaders{{"Content-Length", "0"}});
        request.finish();
      },
      {}, loop);
  server.listen(0, "127.0.0.1");
  testing::RawClient client(loop, server.listening_addresses().at(0).port());
  // Tests run with EDDY_LOG_LEVEL=warning: a 404 is logged at warning, as
  // Tornado's log_request does for 4xx.
  ::testing::internal::CaptureStderr();
  client.send("GET /missing?q=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  loop.run_until(
      [&] {
        return client.closed() ||
               testing::count_final_responses(client.received()) > 0;
      },
      kDeadline);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("access:"), std::string::npos) << log;
  EXPECT_NE(log.find("404 GET /missing?q=1 (127.0.0.1) "), std::string::npos)
      << log;
  EXPECT_NE(log.find("ms"), std::string::npos) << log;
}

}  // namespace
}  // namespace eddy
