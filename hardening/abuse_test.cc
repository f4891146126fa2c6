// Abuse, loopback only, server and clients on one IOLoop: a slowloris swarm,
// clients that reset mid-request, mid-response and mid-TLS-handshake (1,000
// times each), header and body floods. After each: the server still serves,
// its connections are gone and the process's descriptor count is back at
// its baseline.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "01_ioloop/periodic_callback.h"
#include "02_netutil/ssl_context.h"
#include "02_netutil/test_certificates.h"
#include "03_iostream/ssl_iostream.h"
#include "05_httpserver/httpserver.h"
#include "05_httpserver/test_client.h"
#include "hardening/test_support.h"

namespace eddy {
namespace {

using hardening::echo_handler;
using hardening::ExchangeOptions;
using hardening::make_body;
using hardening::make_request;
using hardening::open_fd_count;
using hardening::run_echo_exchange;
using testing::parse_responses;
using testing::RawClient;

constexpr size_t kRepeats = 1000;
constexpr size_t kBatch = 50;  // Connections opened at once (backlog 128).
constexpr size_t kBigResponse = 1 << 20;

// A blocking-connected socket that is never read, with a small receive
// buffer, so a large response stays queued in the server.
int connect_plain(int port, int receive_buffer = 0) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (receive_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer,
                 sizeof receive_buffer);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) !=
      0) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  [[maybe_unused]] ssize_t n =
      ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
}

// Closes with a TCP reset (SO_LINGER 0).
void reset(int fd) {
  linger option{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof option);
  ::close(fd);
}

class AbuseTest : public ::testing::Test {
 protected:
  void start(HTTPServerOptions options = {}) {
    server_ = std::make_unique<HTTPServer>(
        [this](HTTPServerRequest& request) {
          ++handled_;
          if (request.path == "/big") {
            HTTPHeaders headers;
            headers.add("Content-Length", std::to_string(kBigResponse));
            request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                                  std::move(headers));
            request.write(std::string(kBigResponse, 'x'));
            request.finish();
            return;
          }
          echo_handler(request);
        },
        std::move(options), loop_);
    server_->listen(0, "127.0.0.1");
    port_ = server_->listening_addresses().at(0).port();
    baseline_fds_ = open_fd_count();
  }

  // No connection left, no descriptor leaked, and the server still answers.
  void expect_clean_and_serving() {
    loop_.run_until([&] { return server_->connection_count() == 0; }, 10);
    EXPECT_EQ(server_->connection_count(), 0u);
    loop_.run_until([] { return false; }, 0.05);
    EXPECT_EQ(open_fd_count(), baseline_fds_);
    if (server_->options().ssl_options) return;  // Checked with a TLS client.
    ExchangeOptions options;
    options.connections = 2;
    options.requests_per_connection = 3;
    auto result = run_echo_exchange(loop_, port_, options);
    EXPECT_EQ(result.failure, "");
    EXPECT_EQ(result.answered, result.expected);
    loop_.run_until([&] { return server_->connection_count() == 0; }, 10);
    EXPECT_EQ(open_fd_count(), baseline_fds_);
  }

  IOLoop loop_;
  std::unique_ptr<HTTPServer> server_;
  int port_ = 0;
  size_t baseline_fds_ = 0;
  size_t handled_ = 0;
};

// ---- Slowloris -------------------------------------------------------------

// 500 connections trickle header bytes (one byte each every 50 ms) and never
// finish; well-behaved clients arriving meanwhile are each answered within
// one second.
TEST_F(AbuseTest, SlowlorisSwarmDoesNotDelayAWellBehavedClient) {
  start();
  constexpr size_t kSwarm = 500;
  std::vector<std::unique_ptr<RawClient>> swarm;
  // Opened in batches that fit the listen backlog (128), as a real swarm
  // ramps up; SYNs over the backlog would wait for TCP's retransmission.
  for (size_t i = 0; i < kSwarm; ++i) {
    swarm.push_back(std::make_unique<RawClient>(loop_, port_));
    swarm.back()->send("GET /slow HTTP/1.1\r\nHost: a\r\nX-Slow: ");
    if (swarm.size() % kBatch == 0) {
      loop_.run_until(
          [&] { return server_->connection_count() == swarm.size(); }, 10);
    }
  }
  PeriodicCallback trickle(
      [&] {
        for (auto& client : swarm) client->send("a");
      },
      0.05, loop_);
  trickle.start();
  loop_.run_until([&] { return server_->connection_count() == kSwarm; }, 10);
  ASSERT_EQ(server_->connection_count(), kSwarm);

  double worst = 0;
  for (int i = 0; i < 10; ++i) {
    auto client = std::make_unique<RawClient>(loop_, port_);
    auto started = std::chrono::steady_clock::now();
    std::string body = make_body(1000, static_cast<unsigned>(i));
    client->send(make_request("/good" + std::to_string(i), body));
    bool answered = loop_.run_until(
        [&] {
          return testing::count_final_responses(client->received(), {"POST"}) ==
                 1;
        },
        1.0);
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - started)
                         .count();
    worst = std::max(worst, seconds);
    ASSERT_TRUE(answered) << "well-behaved client " << i
                          << " not answered within 1 s";
    auto responses = parse_responses(client->received(), {"POST"});
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].code, 200);
    EXPECT_EQ(responses[0].body, body);
    // Let the swarm trickle a while between good clients.
    loop_.run_until([] { return false; }, 0.1);
  }
  RecordProperty("worst_seconds", std::to_string(worst));
  EXPECT_EQ(handled_, 10u);
  for (auto& client : swarm) EXPECT_FALSE(client->closed());
  trickle.stop();
  swarm.clear();
  expect_clean_and_serving();
}

// The head must arrive within idle_connection_timeout however it trickles:
// the swarm is cut when the timeout passes, without a response.
TEST_F(AbuseTest, SlowlorisIsCutAtTheIdleConnectionTimeout) {
  HTTPServerOptions options;
  options.idle_connection_timeout = 0.5;
  start(options);
  std::vector<std::unique_ptr<RawClient>> swarm;
  for (int i = 0; i < 100; ++i) {
    swarm.push_back(std::make_unique<RawClient>(loop_, port_));
    swarm.back()->send("GET / HTTP/1.1\r\nHost: a\r\n");
  }
  PeriodicCallback trickle(
      [&] {
        for (auto& client : swarm) {
          if (!client->closed()) client->send("X: y\r\n");
        }
      },
      0.05, loop_);
  trickle.start();
  auto started = std::chrono::steady_clock::now();
  bool all_cut = loop_.run_until(
      [&] {
        for (auto& client : swarm) {
          if (!client->closed()) return false;
        }
        return true;
      },
      5);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  trickle.stop();
  EXPECT_TRUE(all_cut);
  EXPECT_LT(seconds, 2.0);
  for (auto& client : swarm) EXPECT_EQ(client->received(), "");
  EXPECT_EQ(handled_, 0u);
  swarm.clear();
  expect_clean_and_serving();
}

// ---- Resets ----------------------------------------------------------------

TEST_F(AbuseTest, ResetMidRequestThousandTimes) {
  start();
  size_t before_iterations = 0;
  for (size_t done = 0; done < kRepeats; done += kBatch) {
    std::vector<int> fds;
    for (size_t i = 0; i < kBatch; ++i) {
      int fd = connect_plain(port_);
      ASSERT_GE(fd, 0);
      // Head and half of the body, in two pieces.
      send_all(fd,
               "POST /r HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n");
      send_all(fd, std::string(500, 'b'));
      fds.push_back(fd);
    }
    loop_.run_until([&] { return server_->connection_count() == kBatch; }, 10);
    ASSERT_EQ(server_->connection_count(), kBatch);
    // Let the server read the partial bodies.
    loop_.run_until([] { return false; }, 0.01);
    for (int fd : fds) reset(fd);
    loop_.run_until([&] { return server_->connection_count() == 0; }, 10);
    ASSERT_EQ(server_->connection_count(), 0u) << "after " << done;
    ++before_iterations;
  }
  EXPECT_EQ(handled_, 0u);
  expect_clean_and_serving();
}

TEST_F(AbuseTest, ResetMidResponseThousandTimes) {
  start();
  for (size_t done = 0; done < kRepeats; done += kBatch) {
    std::vector<int> fds;
    size_t handled_before = handled_;
    for (size_t i = 0; i < kBatch; ++i) {
      int fd = connect_plain(port_, /*receive_buffer=*/4096);
      ASSERT_GE(fd, 0);
      send_all(fd, "GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
      fds.push_back(fd);
    }
    // Every request is being answered: 1 MiB each, most of it still queued
    // in the server because nobody reads.
    loop_.run_until([&] { return handled_ == handled_before + kBatch; }, 10);
    ASSERT_EQ(handled_, handled_before + kBatch);
    ASSERT_EQ(server_->connection_count(), kBatch);
    for (int fd : fds) reset(fd);
    loop_.run_until([&] { return server_->connection_count() == 0; }, 10);
    ASSERT_EQ(server_->connection_count(), 0u) << "after " << done;
  }
  expect_clean_and_serving();
}

class TLSAbuseTest : public AbuseTest {
 protected:
  static void SetUpTestSuite() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/certs";
    certificates_ =
        new testing::TestCertificates(testing::write_test_certificates(dir));
  }
  static void TearDownTestSuite() { delete certificates_; }

  void start_tls() {
    HTTPServerOptions options;
    SSLOptions ssl;
    ssl.certfile = certificates_->certfile;
    ssl.keyfile = certificates_->keyfile;
    options.ssl_options = ssl;
    start(options);
    client_context_ = ssl_client_context(certificates_->ca_certfile, true);
  }

  // A full HTTPS request through SSLIOStream: the server still serves TLS.
  void expect_https_served() {
    auto client = SSLIOStream::create_client(
        Socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)),
        client_context_.get(), "localhost", loop_);
    std::string response;
    bool done = false;
    client->connect(server_->listening_addresses().at(0), [&] {
      client->write(make_request("/tls", "hello"));
      client->read_until("hello", [&](std::string_view data) {
        response = std::string(data);
        done = true;
      });
    });
    loop_.run_until([&] { return done || client->closed(); }, 10);
    EXPECT_TRUE(done);
    EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
    client->close();
    client.reset();
    loop_.run_until([&] { return server_->connection_count() == 0; }, 10);
    loop_.run_until([] { return false; }, 0.05);
    EXPECT_EQ(open_fd_count(), baseline_fds_);
  }

  static testing::TestCertificates* certificates_;
  SSLContext client_context_;
};

testing::TestCertificates* TLSAbuseTest::certificates_ = nullptr;

// Each client sends a real ClientHello (BoringSSL, one SSL_connect step),
// waits until the server has answered with its first flight, and resets.
TEST_F(TLSAbuseTest, ResetMidHandshakeThousandTimes) {
  start_tls();
  bssl::UniquePtr<SSL_CTX> raw_context(SSL_CTX_new(TLS_method()));
  for (size_t done = 0; done < kRepeats; done += kBatch) {
    std::vector<int> fds;
    std::vector<bssl::UniquePtr<SSL>> handshakes;
    for (size_t i = 0; i < kBatch; ++i) {
      int fd = connect_plain(port_);
      ASSERT_GE(fd, 0);
      bssl::UniquePtr<SSL> ssl(SSL_new(raw_context.get()));
      SSL_set_fd(ssl.get(), fd);
      int result = SSL_connect(ssl.get());  // Sends the ClientHello.
      ASSERT_EQ(SSL_get_error(ssl.get(), result), SSL_ERROR_WANT_READ);
      fds.push_back(fd);
      handshakes.push_back(std::move(ssl));
    }
    // Wait for the server's first flight on every connection.
    loop_.run_until(
        [&] {
          for (int fd : fds) {
            char byte;
            if (::recv(fd, &byte, 1, MSG_PEEK) != 1) return false;
          }
          return true;
        },
        10);
    ASSERT_EQ(server_->connection_count(), kBatch);
    for (int fd : fds) reset(fd);
    handshakes.clear();
    loop_.run_until([&] { return server_->connection_count() == 0; }, 10);
    ASSERT_EQ(server_->connection_count(), 0u) << "after " << done;
  }
  loop_.run_until([] { return false; }, 0.05);
  EXPECT_EQ(open_fd_count(), baseline_fds_);
  EXPECT_EQ(handled_, 0u);
  expect_https_served();
}

// ---- Pipelining without reading ---------------------------------------------

// Regression: HTTP1Connection read the next pipelined request as soon as a
// response was queued, not once it was sent, so a client that pipelines
// requests for large responses and never reads made the server queue every
// response (here 40 x 1 MiB) in memory. Now the server stops taking
// requests while more than a bounded amount of output waits for the client.
TEST_F(AbuseTest,
       RegressionPipelinedRequestsWithUnreadResponsesGrowTheWriteQueue) {
  start();
  constexpr size_t kPipelined = 40;
  int fd = connect_plain(port_, /*receive_buffer=*/4096);
  ASSERT_GE(fd, 0);
  std::string requests;
  for (size_t i = 0; i < kPipelined; ++i)
    requests += "GET /big HTTP/1.1\r\nHost: a\r\n\r\n";
  send_all(fd, requests);
  loop_.run_until([] { return false; }, 0.5);
  // The kernel's socket buffers hold a few responses; the server must not
  // have answered (and queued) more than a handful.
  EXPECT_LE(handled_, 8u) << "responses queued for a client that never reads";
  // Once the client reads, every response arrives, in order.
  int big = 1 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  std::string received;
  loop_.run_until(
      [&] {
        char buffer[65536];
        for (;;) {
          ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
          if (n <= 0) break;
          received.append(buffer, static_cast<size_t>(n));
        }
        return received.size() >= kPipelined * kBigResponse;
      },
      30);
  auto responses = parse_responses(received);
  EXPECT_EQ(responses.size(), kPipelined);
  EXPECT_EQ(handled_, kPipelined);
  for (const auto& response : responses) {
    EXPECT_EQ(response.code, 200);
    EXPECT_EQ(response.body.size(), kBigResponse);
  }
  ::close(fd);
  expect_clean_and_serving();
}

// ---- Floods ----------------------------------------------------------------

// Sends `prefix`, then `filler` until the server closes (at most `limit`
// bytes); returns what the client received.
std::string flood(IOLoop& loop, int port, const std::string& prefix,
                  const std::string& filler, size_t limit, bool* closed) {
  RawClient client(loop, port);
  client.send(prefix);
  size_t sent = prefix.size();
  loop.run_until(
      [&] {
        if (client.closed()) return true;
        if (sent < limit && client.sent_everything()) {
          client.send(filler);
          sent += filler.size();
        }
        return false;
      },
      10);
  *closed = client.closed();
  return client.received();
}

TEST_F(AbuseTest, HeaderFloodIsCutWith431) {
  start();
  bool closed = false;
  std::string received =
      flood(loop_, port_, "GET / HTTP/1.1\r\nHost: a\r\n",
            std::string(100, 'X') + ": flood\r\n", 50 << 20, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(received.rfind("HTTP/1.1 431 ", 0), 0u) << received;
  // One line that never ends.
  received =
      flood(loop_, port_, "GET /", std::string(4096, 'a'), 50 << 20, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(received.rfind("HTTP/1.1 431 ", 0), 0u) << received;
  EXPECT_EQ(handled_, 0u);
  expect_clean_and_serving();
}

TEST_F(AbuseTest, BodyFloodIsCutWith413) {
  HTTPServerOptions options;
  options.max_body_size = 1 << 20;
  start(options);
  bool closed = false;
  // Declared too large: answered before any body byte is read.
  std::string received = flood(
      loop_, port_,
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000000000\r\n\r\n",
      std::string(65536, 'b'), 50 << 20, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(received.rfind("HTTP/1.1 413 ", 0), 0u) << received;
  // Chunked without end: cut once the chunks pass max_body_size.
  std::string chunk = "10000\r\n" + std::string(65536, 'c') + "\r\n";
  received =
      flood(loop_, port_,
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
            chunk, 50 << 20, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(received.rfind("HTTP/1.1 413 ", 0), 0u) << received;
  EXPECT_EQ(handled_, 0u);
  expect_clean_and_serving();
}

}  // namespace
}  // namespace eddy
