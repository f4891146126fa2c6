// TCPServer tests: the tutorial's echo server under 200 concurrent clients
// (all IOStreams on the same loop), failures in handle_stream, start/stop,
// and TLS.
#include "03_iostream/tcpserver.h"

#include <sys/socket.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "02_netutil/test_certificates.h"
#include "03_iostream/ssl_iostream.h"
#include "03_iostream/test_util.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

constexpr double kDeadline = 20.0;

// The tutorial's example: read a line, write it back, repeat.
class EchoServer : public TCPServer {
 public:
  using TCPServer::TCPServer;
  int accepted = 0;
  int open = 0;  // Server-side streams not closed yet.
  bool throw_on_next = false;

  void handle_stream(std::shared_ptr<IOStream> stream,
                     const SocketAddress&) override {
    ++accepted;
    ++open;
    stream->set_close_callback([this] { --open; });
    if (throw_on_next) {
      throw_on_next = false;
      stream->read_until("\n", [](std::string_view) {});  // Never served.
      throw std::runtime_error("handle_stream failed on purpose");
    }
    echo(stream);
  }
  static void echo(const std::shared_ptr<IOStream>& stream) {
    // The callback owns the stream until the stream closes (iostream.h).
    stream->read_until("\n", [stream](std::string_view line) {
      stream->write(std::string(line));
      echo(stream);
    });
  }
};

class TCPServerTest : public ::testing::Test {
 protected:
  bool run_until(const std::function<bool()>& condition,
                 double timeout = kDeadline) {
    return loop_.run_until(condition, timeout);
  }
  // A client stream connected to `address`, with its reply collected.
  struct Client {
    std::shared_ptr<IOStream> stream;
    std::string reply;
    bool closed = false;
  };
  std::unique_ptr<Client> echo_client(const SocketAddress& address,
                                      const std::string& line) {
    auto client = std::make_unique<Client>();
    Client* raw = client.get();
    client->stream = IOStream::create(
        Socket(::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0)),
        loop_);
    client->stream->set_close_callback([raw] { raw->closed = true; });
    client->stream->connect(address, [] {});
    client->stream->write(line);
    client->stream->read_until(
        "\n", [raw](std::string_view data) { raw->reply = data; });
    return client;
  }
  IOLoop loop_;
};

TEST_F(TCPServerTest, EchoWith200ConcurrentClients) {
  EchoServer server(std::nullopt, kDefaultMaxBufferSize, kDefaultReadChunkSize,
                    loop_);
  // A backlog above 200: every client connects before the loop first runs,
  // and a full backlog would make the kernel retry SYNs a second later.
  server.bind(0, "127.0.0.1", AF_INET, /*backlog=*/512);
  server.start(1);
  auto addresses = server.listening_addresses();
  ASSERT_EQ(addresses.size(), 1u);
  ASSERT_NE(addresses[0].port(), 0);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 200; ++i) {
    clients.push_back(
        echo_client(addresses[0], "client " + std::to_string(i) + "\n"));
  }
  ASSERT_TRUE(run_until([&] {
    for (auto& client : clients) {
      if (client->reply.empty()) return false;
    }
    return true;
  }));
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(clients[i]->reply, "client " + std::to_string(i) + "\n");
  }
  EXPECT_EQ(server.accepted, 200);
  for (auto& client : clients) client->stream->close();
  // The server's streams see EOF, close, and free themselves (no leak).
  ASSERT_TRUE(run_until([&] { return server.open == 0; }));
}

TEST_F(TCPServerTest, ExceptionInHandleStreamClosesOnlyThatConnection) {
  EchoServer server(std::nullopt, kDefaultMaxBufferSize, kDefaultReadChunkSize,
                    loop_);
  server.listen(0, "127.0.0.1");
  SocketAddress address = server.listening_addresses()[0];
  server.throw_on_next = true;
  auto doomed = echo_client(address, "hello?\n");
  ASSERT_TRUE(run_until([&] { return doomed->closed; }));
  EXPECT_TRUE(doomed->reply.empty());
  auto fine = echo_client(address, "still serving\n");
  ASSERT_TRUE(run_until([&] { return !fine->reply.empty(); }));
  EXPECT_EQ(fine->reply, "still serving\n");
  fine->stream->close();
  ASSERT_TRUE(run_until([&] { return server.open == 0; }));
}

TEST_F(TCPServerTest, BindThenStartOneProcess) {
  EchoServer server(std::nullopt, kDefaultMaxBufferSize, kDefaultReadChunkSize,
                    loop_);
  server.bind(0, "127.0.0.1");
  EXPECT_THROW(server.start(2), std::invalid_argument);
  EXPECT_THROW(server.start(0), std::invalid_argument);
  server.start(1);
  auto client = echo_client(server.listening_addresses()[0], "bound\n");
  ASSERT_TRUE(run_until([&] { return !client->reply.empty(); }));
  EXPECT_EQ(client->reply, "bound\n");
  client->stream->close();
  ASSERT_TRUE(run_until([&] { return server.open == 0; }));
}

TEST_F(TCPServerTest, OneAcceptPerEventServesEveryClient) {
  EchoServer server(std::nullopt, kDefaultMaxBufferSize, kDefaultReadChunkSize,
                    loop_);
  EXPECT_THROW(server.set_max_accepts_per_event(0), std::invalid_argument);
  server.set_max_accepts_per_event(1);
  server.listen(0, "127.0.0.1");
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 10; ++i) {
    clients.push_back(echo_client(server.listening_addresses()[0],
                                  "client " + std::to_string(i) + "\n"));
  }
  ASSERT_TRUE(run_until([&] {
    for (auto& client : clients) {
      if (client->reply.empty()) return false;
    }
    return true;
  }));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(clients[i]->reply, "client " + std::to_string(i) + "\n");
  }
  EXPECT_EQ(server.accepted, 10);
  // The echo streams own themselves until they close (no leak under ASan).
  for (auto& client : clients) client->stream->close();
  ASSERT_TRUE(run_until([&] { return server.open == 0; }));
}

TEST_F(TCPServerTest, StopClosesListenersButNotConnections) {
  EchoServer server(std::nullopt, kDefaultMaxBufferSize, kDefaultReadChunkSize,
                    loop_);
  server.listen(0, "127.0.0.1");
  SocketAddress address = server.listening_addresses()[0];
  auto before = echo_client(address, "one\n");
  ASSERT_TRUE(run_until([&] { return !before->reply.empty(); }));
  server.stop();
  EXPECT_TRUE(server.listening_addresses().empty());
  // The old connection still echoes.
  before->reply.clear();
  before->stream->write("two\n");
  before->stream->read_until(
      "\n", [&](std::string_view data) { before->reply = data; });
  ASSERT_TRUE(run_until([&] { return !before->reply.empty(); }));
  EXPECT_EQ(before->reply, "two\n");
  // New ones are refused.
  auto after = echo_client(address, "three\n");
  ASSERT_TRUE(run_until([&] { return after->closed; }));
  EXPECT_EQ(after->stream->error(), std::errc::connection_refused);
  before->stream->close();
  ASSERT_TRUE(run_until([&] { return server.open == 0; }));
}

TEST_F(TCPServerTest, TLSServerHandsOutSSLIOStreams) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  auto certificates = testing::write_test_certificates(
      std::string(tmp != nullptr ? tmp : "/tmp") + "/tcpserver_certs");
  SSLOptions options;
  options.certfile = certificates.certfile;
  options.keyfile = certificates.keyfile;
  EchoServer server(options, kDefaultMaxBufferSize, kDefaultReadChunkSize,
                    loop_);
  server.listen(0, "127.0.0.1");
  SocketAddress address = server.listening_addresses()[0];
  SSLContext client_context =
      ssl_client_context(certificates.ca_certfile, true);
  auto client = SSLIOStream::create_client(
      Socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)),
      client_context.get(), "127.0.0.1", loop_);
  std::string reply;
  client->connect(address, [&] {
    client->write("secret\n");
    client->read_until("\n", [&](std::string_view data) { reply = data; });
  });
  ASSERT_TRUE(run_until([&] { return !reply.empty(); }));
  EXPECT_EQ(reply, "secret\n");
  // Plaintext on the TLS port closes that connection only.
  auto plain = echo_client(address, "plaintext\n");
  ASSERT_TRUE(run_until([&] { return plain->closed; }));
  EXPECT_TRUE(plain->reply.empty());
  std::string again;
  client->write("again\n");
  client->read_until("\n", [&](std::string_view data) { again = data; });
  ASSERT_TRUE(run_until([&] { return !again.empty(); }));
  client->close();
  ASSERT_TRUE(run_until([&] { return server.open == 0; }));
}

TEST_F(TCPServerTest, BadCertificateFilesFailAtConstruction) {
  SSLOptions options;
  options.certfile = "/nonexistent/cert.pem";
  EXPECT_THROW(EchoServer server(options), std::exception);
}

}  // namespace
}  // namespace eddy
