// SSLIOStream tests: handshake both ways, a large echo, hostname checks, and
// the failures that must close one stream and nothing else.
#include "03_iostream/ssl_iostream.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "02_netutil/netutil.h"
#include "02_netutil/ssl_context.h"
#include "02_netutil/test_certificates.h"
#include "03_iostream/test_util.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

using testing::make_pattern;
using testing::reset_close;
using testing::tcp_pair;
using testing::write_all;

constexpr double kDeadline = 20.0;

class SSLIOStreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/certs";
    certificates_ =
        new testing::TestCertificates(testing::write_test_certificates(dir));
  }
  static void TearDownTestSuite() { delete certificates_; }

  void SetUp() override {
    SSLOptions options;
    options.certfile = certificates_->certfile;
    options.keyfile = certificates_->keyfile;
    options.alpn_protocols = {"http/1.1"};
    server_context_ = ssl_options_to_context(options);
    client_context_ = ssl_client_context(certificates_->ca_certfile, true);
  }

  bool run_until(const std::function<bool()>& condition,
                 double timeout = kDeadline) {
    return loop_.run_until(condition, timeout);
  }

  // A connected TLS pair over TCP: {server, client}.
  std::pair<std::shared_ptr<SSLIOStream>, std::shared_ptr<SSLIOStream>>
  tls_pair(const std::string& hostname = "127.0.0.1", int buffer_size = 0) {
    auto [a, b] = tcp_pair(buffer_size);
    auto server =
        SSLIOStream::create_server(std::move(a), server_context_.get(), loop_);
    auto client = SSLIOStream::create_client(
        std::move(b), client_context_.get(), hostname, loop_);
    return {server, client};
  }

  static testing::TestCertificates* certificates_;
  IOLoop loop_;
  SSLContext server_context_;
  SSLContext client_context_;
};

testing::TestCertificates* SSLIOStreamTest::certificates_ = nullptr;

TEST_F(SSLIOStreamTest, HandshakeCompletesOnBothSides) {
  auto [server, client] = tls_pair();
  bool server_done = false, client_done = false;
  server->wait_for_handshake([&] { server_done = true; });
  client->wait_for_handshake([&] { client_done = true; });
  ASSERT_TRUE(run_until([&] { return server_done && client_done; }));
  EXPECT_TRUE(server->handshake_done());
  EXPECT_TRUE(client->handshake_done());
  bool again = false;
  client->wait_for_handshake([&] { again = true; });  // Already done.
  EXPECT_FALSE(again);
  ASSERT_TRUE(run_until([&] { return again; }));
}

// Echoes `size` bytes client -> server -> client and checks them.
void echo_and_check(IOLoop& loop, const std::shared_ptr<SSLIOStream>& server,
                    const std::shared_ptr<SSLIOStream>& client, size_t size) {
  std::function<void()> echo = [&] {
    server->read_bytes(
        1 << 20,
        [&](std::string_view data) {
          server->write(std::string(data));
          echo();
        },
        true);
  };
  echo();
  const std::string pattern = make_pattern(size);
  // Writes before the handshake completes are queued; small and large
  // chunks mixed, so SSL_write sees coalesced and direct buffers.
  size_t offset = 0;
  for (size_t piece = 1; offset < pattern.size(); piece = piece * 7 % 300007) {
    size_t take = std::min(piece, pattern.size() - offset);
    client->write(pattern.substr(offset, take));
    offset += take;
  }
  size_t received = 0;
  bool mismatch = false;
  std::function<void()> check = [&] {
    client->read_bytes(
        1 << 20,
        [&](std::string_view data) {
          if (std::memcmp(data.data(), pattern.data() + received,
                          data.size()) != 0) {
            mismatch = true;
          }
          received += data.size();
          if (received < pattern.size()) check();
        },
        true);
  };
  check();
  ASSERT_TRUE(loop.run_until([&] { return received == pattern.size(); }, 60))
      << received << " of " << size << "; client error "
      << client->error().message() << ", server error "
      << server->error().message();
  EXPECT_FALSE(mismatch);
  EXPECT_FALSE(server->closed());
  EXPECT_FALSE(client->closed());
}

TEST_F(SSLIOStreamTest, Echo4MiBThroughTinySocketBuffers) {
  // Every SSL_write blocks part-way: retries must repeat the same bytes.
  auto [server, client] = tls_pair("127.0.0.1", /*buffer_size=*/4096);
  echo_and_check(loop_, server, client, 4u << 20);
}

TEST_F(SSLIOStreamTest, Echo16MiB) {
  auto [server, client] = tls_pair();
  echo_and_check(loop_, server, client, 16u << 20);
}

TEST_F(SSLIOStreamTest, ClientConnectCallbackRunsAfterHandshake) {
  auto listeners = bind_sockets(0, "127.0.0.1");
  SocketAddress address = SocketAddress::local_of(listeners[0].get());
  std::shared_ptr<SSLIOStream> server;
  auto remove = add_accept_handler(
      listeners[0].get(),
      [&](Socket connection, const SocketAddress&) {
        server = SSLIOStream::create_server(std::move(connection),
                                            server_context_.get(), loop_);
      },
      loop_);
  auto client =
      SSLIOStream::create_client(Socket(::socket(AF_INET, SOCK_STREAM, 0)),
                                 client_context_.get(), "localhost", loop_);
  bool connected = false, handshaken = false;
  client->connect(address, [&] {
    connected = true;
    handshaken = client->handshake_done();
  });
  ASSERT_TRUE(run_until([&] { return connected; }));
  EXPECT_TRUE(handshaken);
  std::string line;
  server->read_until("\n", [&](std::string_view data) { line = data; });
  client->write("over tls\n");
  ASSERT_TRUE(run_until([&] { return !line.empty(); }));
  EXPECT_EQ(line, "over tls\n");
  remove();
}

TEST_F(SSLIOStreamTest, AlpnIsNegotiated) {
  const uint8_t protocols[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  ASSERT_EQ(SSL_CTX_set_alpn_protos(client_context_.get(), protocols,
                                    sizeof protocols),
            0);
  auto [server, client] = tls_pair();
  bool done = false;
  client->wait_for_handshake([&] { done = true; });
  ASSERT_TRUE(run_until([&] { return done && server->handshake_done(); }));
  EXPECT_EQ(client->alpn_protocol(), "http/1.1");
  EXPECT_EQ(server->alpn_protocol(), "http/1.1");
}

TEST_F(SSLIOStreamTest, GarbageOnTheTLSPortClosesOnlyThatStream) {
  auto [a, b] = tcp_pair();
  auto victim =
      SSLIOStream::create_server(std::move(a), server_context_.get(), loop_);
  auto [server, client] = tls_pair();
  int victim_closes = 0;
  victim->set_close_callback([&] { ++victim_closes; });
  write_all(b.get(), "GET / HTTP/1.1\r\nHost: plaintext\r\n\r\n");
  ASSERT_TRUE(run_until([&] { return victim_closes == 1; }));
  EXPECT_EQ(&victim->error().category(), &tls_category());
  // BoringSSL recognises an HTTP request sent to a TLS port.
  EXPECT_EQ(ERR_GET_REASON(static_cast<uint32_t>(victim->error().value())),
            SSL_R_HTTP_REQUEST)
      << victim->error().message();
  // The other connection is unaffected.
  bool done = false;
  client->wait_for_handshake([&] { done = true; });
  ASSERT_TRUE(run_until([&] { return done; }));
  EXPECT_FALSE(server->closed());
}

TEST_F(SSLIOStreamTest, ClientLeavingMidHandshake) {
  for (bool with_reset : {false, true}) {
    auto [a, b] = tcp_pair();
    auto server =
        SSLIOStream::create_server(std::move(a), server_context_.get(), loop_);
    bool handshaken = false;
    server->wait_for_handshake([&] { handshaken = true; });
    // A TLS record header announcing 255 bytes of handshake, then 3 of them.
    write_all(b.get(), std::string("\x16\x03\x01\x00\xff\x01\x00\x00", 8));
    ASSERT_FALSE(run_until([&] { return server->closed(); }, 0.05));
    if (with_reset) {
      reset_close(b);
    } else {
      b.reset();
    }
    ASSERT_TRUE(run_until([&] { return server->closed(); }));
    EXPECT_FALSE(handshaken);
    EXPECT_EQ(&server->error().category(), &tls_category());
    EXPECT_EQ(server->error().value(),
              with_reset ? kTLSHandshakeReset : kTLSHandshakeEOF);
  }
}

TEST_F(SSLIOStreamTest, HostnameMismatchIsRejected) {
  for (std::string wrong : {"wrong.example", "10.1.2.3"}) {
    auto [server, client] = tls_pair(wrong);
    bool handshaken = false;
    client->wait_for_handshake([&] { handshaken = true; });
    ASSERT_TRUE(run_until([&] { return client->closed(); }));
    EXPECT_FALSE(handshaken);
    // IP literals are checked as IPs (X509_VERIFY_PARAM_set1_ip_asc), with
    // their own error.
    int expected = wrong == "10.1.2.3" ? X509_V_ERR_IP_ADDRESS_MISMATCH
                                       : X509_V_ERR_HOSTNAME_MISMATCH;
    EXPECT_EQ(client->error(),
              std::error_code(kTLSVerifyFailed | expected, tls_category()))
        << wrong << ": " << client->error().message();
    EXPECT_NE(client->error().message().find("mismatch"), std::string::npos)
        << client->error().message();
    // The server learns of it too (an alert) and closes.
    ASSERT_TRUE(run_until([&] { return server->closed(); }));
  }
}

TEST_F(SSLIOStreamTest, MatchingNamesAreAccepted) {
  for (std::string name : {"localhost", "127.0.0.1"}) {
    auto [server, client] = tls_pair(name);
    bool done = false;
    client->wait_for_handshake([&] { done = true; });
    ASSERT_TRUE(run_until([&] { return done; })) << name;
  }
}

TEST_F(SSLIOStreamTest, PeerCloseAfterHandshakeClosesCleanly) {
  auto [server, client] = tls_pair();
  bool done = false;
  client->wait_for_handshake([&] { done = true; });
  ASSERT_TRUE(run_until([&] { return done && server->handshake_done(); }));
  std::string all;
  server->read_until_close([&](std::string_view data) { all = data; });
  client->write("last words", [&] { client->close(); });
  ASSERT_TRUE(run_until([&] { return server->closed(); }));
  EXPECT_EQ(all, "last words");
}

// Regression: a server's close sent a bare FIN, so a client could not tell
// the end of a close-delimited body from a truncation (issue 15, item 15).
TEST_F(SSLIOStreamTest, CleanCloseSendsCloseNotify) {
  auto [server, client] = tls_pair();
  std::string all;
  client->read_until_close([&](std::string_view data) { all = data; });
  server->write("the whole body", [&] { server->close(); });
  ASSERT_TRUE(run_until([&] { return client->closed(); }));
  EXPECT_EQ(all, "the whole body");
  EXPECT_FALSE(client->error()) << client->error().message();
  EXPECT_TRUE(SSL_get_shutdown(client->ssl()) & SSL_RECEIVED_SHUTDOWN);
}

// A close that drops queued output must not claim a clean end.
TEST_F(SSLIOStreamTest, CloseThatDropsOutputSendsNoCloseNotify) {
  auto [server, client] = tls_pair("127.0.0.1", 4096);
  bool done = false;
  server->wait_for_handshake([&] { done = true; });
  ASSERT_TRUE(run_until([&] { return done; }));
  server->write(make_pattern(4 << 20));
  ASSERT_TRUE(server->writing());  // The client reads nothing yet.
  server->close();
  size_t received = 0;
  client->read_until_close([&](std::string_view data) {
    received = data.size();
  });
  ASSERT_TRUE(run_until([&] { return client->closed(); }));
  EXPECT_LT(received, size_t{4} << 20);
  EXPECT_FALSE(SSL_get_shutdown(client->ssl()) & SSL_RECEIVED_SHUTDOWN);
}

// shutdown_write(): close_notify and FIN, and the stream still reads (the
// lingering close of chapter 05).
TEST_F(SSLIOStreamTest, ShutdownWriteSendsCloseNotifyAndKeepsReading) {
  auto [server, client] = tls_pair();
  bool done = false;
  server->wait_for_handshake([&] { done = true; });
  ASSERT_TRUE(run_until([&] { return done; }));
  server->shutdown_write();
  std::string line;
  server->read_until("\n", [&](std::string_view data) { line = data; });
  client->write("still here\n");
  client->read_until_close([](std::string_view) {});
  ASSERT_TRUE(run_until([&] { return client->closed() && !line.empty(); }));
  EXPECT_EQ(line, "still here\n");
  EXPECT_TRUE(SSL_get_shutdown(client->ssl()) & SSL_RECEIVED_SHUTDOWN);
}

}  // namespace
}  // namespace eddy
