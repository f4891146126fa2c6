// Tests for ssl_options_to_context / ssl_client_context: contexts from a
// generated PKI, every error path naming its file, and real handshakes over
// a socketpair (server and client in two threads, blocking, with a receive
// timeout so a bug fails the test instead of hanging it).
#include "02_netutil/ssl_context.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "02_netutil/file_descriptor.h"
#include "02_netutil/test_certificates.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

using ::eddy::testing::TestCertificates;
using ::eddy::testing::write_test_certificates;

std::string temp_dir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  return std::string(base != nullptr ? base : "/tmp") + "/" + name;
}

std::string write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class SSLContextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A peer that rejects the handshake closes its end; writing to it must
    // fail with EPIPE, not kill the test with SIGPIPE.
    signal(SIGPIPE, SIG_IGN);
    certs_ = new TestCertificates(write_test_certificates(temp_dir("pki")));
    other_ca_ =
        new TestCertificates(write_test_certificates(temp_dir("other_pki")));
  }
  static void TearDownTestSuite() {
    delete certs_;
    delete other_ca_;
  }
  static SSLOptions server_options() {
    SSLOptions options;
    options.certfile = certs_->certfile;
    options.keyfile = certs_->keyfile;
    return options;
  }
  // Expects `fn` to throw E whose message contains every one of `parts`.
  template <typename E, typename Fn>
  static void expect_error(Fn fn, std::initializer_list<std::string> parts) {
    try {
      fn();
      ADD_FAILURE() << "no exception";
    } catch (const E& error) {
      for (const std::string& part : parts) {
        EXPECT_NE(std::string(error.what()).find(part), std::string::npos)
            << "'" << error.what() << "' lacks '" << part << "'";
      }
    } catch (const std::exception& error) {
      ADD_FAILURE() << "wrong exception type: " << error.what();
    }
  }
  static TestCertificates* certs_;
  static TestCertificates* other_ca_;
};

TestCertificates* SSLContextTest::certs_ = nullptr;
TestCertificates* SSLContextTest::other_ca_ = nullptr;

// --- Contexts and errors ---------------------------------------------------

TEST_F(SSLContextTest, BuildsAServerContextFromTheGeneratedPair) {
  SSLContext context = ssl_options_to_context(server_options());
  ASSERT_TRUE(context);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context.get()), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_verify_mode(context.get()), SSL_VERIFY_NONE);
}

TEST_F(SSLContextTest, KeyfileDefaultsToCertfile) {
  std::string both =
      write_file(temp_dir("both.pem"),
                 read_file(certs_->certfile) + read_file(certs_->keyfile));
  SSLOptions options;
  options.certfile = both;
  EXPECT_TRUE(ssl_options_to_context(options));
}

TEST_F(SSLContextTest, CertReqsSetTheVerifyMode) {
  SSLOptions options = server_options();
  options.ca_certs = certs_->ca_certfile;
  options.cert_reqs = CertReqs::kOptional;
  EXPECT_EQ(SSL_CTX_get_verify_mode(ssl_options_to_context(options).get()),
            SSL_VERIFY_PEER);
  options.cert_reqs = CertReqs::kRequired;
  EXPECT_EQ(SSL_CTX_get_verify_mode(ssl_options_to_context(options).get()),
            SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
}

TEST_F(SSLContextTest, MissingCertfileIsAnInvalidArgument) {
  expect_error<std::invalid_argument>(
      [] { ssl_options_to_context(SSLOptions{}); }, {"certfile"});
}

TEST_F(SSLContextTest, NonexistentCertfileIsASystemErrorNamingIt) {
  SSLOptions options = server_options();
  options.certfile = temp_dir("no_such.pem");
  expect_error<std::system_error>(
      [&] { ssl_options_to_context(options); },
      {"certfile " + options.certfile, "No such file or directory"});
}

TEST_F(SSLContextTest, UnreadableKeyfileIsASystemErrorNamingIt) {
  // A directory opens but cannot be read (EISDIR), even for root.
  SSLOptions options = server_options();
  options.keyfile = temp_dir("pki");
  expect_error<std::system_error>([&] { ssl_options_to_context(options); },
                                  {"keyfile " + options.keyfile});
}

TEST_F(SSLContextTest, CertfileWithoutPemIsNamed) {
  SSLOptions options = server_options();
  options.certfile = write_file(temp_dir("garbage.pem"), "hello, world\n");
  expect_error<std::runtime_error>(
      [&] { ssl_options_to_context(options); },
      {"certfile " + options.certfile + ": no PEM certificate found"});
}

TEST_F(SSLContextTest, CorruptPemCertificateIsNamed) {
  SSLOptions options = server_options();
  options.certfile = write_file(temp_dir("corrupt.pem"),
                                "-----BEGIN CERTIFICATE-----\n"
                                "bm90IGEgY2VydGlmaWNhdGU=\n"
                                "-----END CERTIFICATE-----\n");
  expect_error<std::runtime_error>([&] { ssl_options_to_context(options); },
                                   {"certfile " + options.certfile});
}

TEST_F(SSLContextTest, KeyfileWithoutPemIsNamed) {
  SSLOptions options = server_options();
  options.keyfile = write_file(temp_dir("garbage.key"), "not a key\n");
  expect_error<std::runtime_error>(
      [&] { ssl_options_to_context(options); },
      {"keyfile " + options.keyfile + ": no PEM private key found"});
}

TEST_F(SSLContextTest, MismatchedKeyNamesBothFiles) {
  SSLOptions options = server_options();
  options.keyfile = certs_->other_keyfile;
  expect_error<std::runtime_error>(
      [&] { ssl_options_to_context(options); },
      {"certfile " + certs_->certfile, "keyfile " + certs_->other_keyfile,
       "do not match"});
}

TEST_F(SSLContextTest, CaCertsErrorsAreNamed) {
  SSLOptions options = server_options();
  options.cert_reqs = CertReqs::kRequired;
  options.ca_certs = temp_dir("no_such_ca.pem");
  expect_error<std::system_error>([&] { ssl_options_to_context(options); },
                                  {"ca_certs " + options.ca_certs});
  options.ca_certs = write_file(temp_dir("garbage_ca.pem"), "nothing\n");
  expect_error<std::runtime_error>(
      [&] { ssl_options_to_context(options); },
      {"ca_certs " + options.ca_certs + ": no PEM certificate found"});
  options.ca_certs.clear();
  expect_error<std::invalid_argument>([&] { ssl_options_to_context(options); },
                                      {"ca_certs"});
}

TEST_F(SSLContextTest, BadAlpnProtocolIsAnInvalidArgument) {
  SSLOptions options = server_options();
  options.alpn_protocols = {"http/1.1", ""};
  EXPECT_THROW(ssl_options_to_context(options), std::invalid_argument);
  options.alpn_protocols = {std::string(256, 'x')};
  EXPECT_THROW(ssl_options_to_context(options), std::invalid_argument);
}

TEST_F(SSLContextTest, ClientContextErrorsAreNamed) {
  expect_error<std::system_error>(
      [] { ssl_client_context(temp_dir("no_such_ca.pem")); }, {"ca_certs"});
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ssl_client_context("", false).get()),
            TLS1_2_VERSION);
}

// --- Handshakes over a socketpair ----------------------------------------

struct HandshakeResult {
  bool server_ok = false;
  bool client_ok = false;  // SSL_connect and a one-byte round trip.
  std::string alpn;        // As the client sees it.
  bool server_saw_client_cert = false;
  long client_verify_result = -1;
};

struct ClientSetup {
  SSL_CTX* context;
  std::vector<std::string> alpn;  // Offered by the client.
  std::string host;               // Checked against the certificate if set.
  std::string certfile, keyfile;  // Client certificate, if set.
};

void set_timeouts(int fd) {
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
}

HandshakeResult handshake(SSL_CTX* server_context, const ClientSetup& client) {
  int fds[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  Socket server_end(fds[0]);
  Socket client_end(fds[1]);
  set_timeouts(server_end.get());
  set_timeouts(client_end.get());
  HandshakeResult result;

  std::thread server_thread([&] {
    bssl::UniquePtr<SSL> ssl(SSL_new(server_context));
    SSL_set_fd(ssl.get(), server_end.get());
    if (SSL_accept(ssl.get()) == 1) {
      result.server_ok = true;
      bssl::UniquePtr<X509> peer(SSL_get_peer_certificate(ssl.get()));
      result.server_saw_client_cert = peer != nullptr;
      char byte;
      if (SSL_read(ssl.get(), &byte, 1) == 1) SSL_write(ssl.get(), &byte, 1);
      SSL_shutdown(ssl.get());
    }
    ERR_clear_error();
    // Closing our end lets a client still waiting for a reply see the end.
    server_end.reset();
  });

  bssl::UniquePtr<SSL> ssl(SSL_new(client.context));
  SSL_set_fd(ssl.get(), client_end.get());
  if (!client.alpn.empty()) {
    std::string wire;
    for (const std::string& p : client.alpn) {
      wire.push_back(static_cast<char>(p.size()));
      wire += p;
    }
    SSL_set_alpn_protos(
        ssl.get(), reinterpret_cast<const uint8_t*>(wire.data()), wire.size());
  }
  if (!client.host.empty()) SSL_set1_host(ssl.get(), client.host.c_str());
  if (!client.certfile.empty()) {
    SSL_use_certificate_file(ssl.get(), client.certfile.c_str(),
                             SSL_FILETYPE_PEM);
    SSL_use_PrivateKey_file(ssl.get(), client.keyfile.c_str(),
                            SSL_FILETYPE_PEM);
  }
  if (SSL_connect(ssl.get()) == 1) {
    const uint8_t* selected = nullptr;
    unsigned length = 0;
    SSL_get0_alpn_selected(ssl.get(), &selected, &length);
    result.alpn.assign(reinterpret_cast<const char*>(selected), length);
    // In TLS 1.3 the client finishes before the server has checked the
    // client certificate; a rejection shows up on the first read.
    char byte = 'x';
    result.client_ok = SSL_write(ssl.get(), &byte, 1) == 1 &&
                       SSL_read(ssl.get(), &byte, 1) == 1 && byte == 'x';
  }
  result.client_verify_result = SSL_get_verify_result(ssl.get());
  ERR_clear_error();
  client_end.reset();
  server_thread.join();
  return result;
}

TEST_F(SSLContextTest, HandshakeVerifiesTheServerAgainstTheCa) {
  SSLContext server = ssl_options_to_context(server_options());
  SSLContext client = ssl_client_context(certs_->ca_certfile);
  HandshakeResult result =
      handshake(server.get(), {client.get(), {}, "localhost", "", ""});
  EXPECT_TRUE(result.server_ok);
  EXPECT_TRUE(result.client_ok);
  EXPECT_EQ(result.client_verify_result, X509_V_OK);
  // The IP subjectAltName entries work too.
  result = handshake(server.get(), {client.get(), {}, "", "", ""});
  EXPECT_TRUE(result.client_ok);
}

TEST_F(SSLContextTest, HandshakeFailsAgainstAnotherCa) {
  SSLContext server = ssl_options_to_context(server_options());
  SSLContext client = ssl_client_context(other_ca_->ca_certfile);
  HandshakeResult result =
      handshake(server.get(), {client.get(), {}, "localhost", "", ""});
  EXPECT_FALSE(result.client_ok);
  EXPECT_FALSE(result.server_ok);
  EXPECT_NE(result.client_verify_result, X509_V_OK);
}

TEST_F(SSLContextTest, HandshakeFailsForTheWrongHostname) {
  SSLContext server = ssl_options_to_context(server_options());
  SSLContext client = ssl_client_context(certs_->ca_certfile);
  HandshakeResult result =
      handshake(server.get(), {client.get(), {}, "example.com", "", ""});
  EXPECT_FALSE(result.client_ok);
}

TEST_F(SSLContextTest, AlpnPicksTheServersPreference) {
  SSLOptions options = server_options();
  options.alpn_protocols = {"h2", "http/1.1"};
  SSLContext server = ssl_options_to_context(options);
  SSLContext client = ssl_client_context(certs_->ca_certfile);
  HandshakeResult result = handshake(
      server.get(), {client.get(), {"http/1.1", "h2"}, "localhost", "", ""});
  EXPECT_TRUE(result.client_ok);
  EXPECT_EQ(result.alpn, "h2");
  result = handshake(server.get(),
                     {client.get(), {"http/1.1"}, "localhost", "", ""});
  EXPECT_EQ(result.alpn, "http/1.1");
  // No protocol in common: the handshake goes on without ALPN.
  result = handshake(server.get(), {client.get(), {"spdy/3"}, "", "", ""});
  EXPECT_TRUE(result.client_ok);
  EXPECT_EQ(result.alpn, "");
}

TEST_F(SSLContextTest, RequiredClientCertificateRejectsClientsWithout) {
  SSLOptions options = server_options();
  options.ca_certs = certs_->ca_certfile;
  options.cert_reqs = CertReqs::kRequired;
  SSLContext server = ssl_options_to_context(options);
  SSLContext client = ssl_client_context(certs_->ca_certfile);
  HandshakeResult without =
      handshake(server.get(), {client.get(), {}, "localhost", "", ""});
  EXPECT_FALSE(without.server_ok);
  EXPECT_FALSE(without.client_ok);

  HandshakeResult with = handshake(
      server.get(),
      {client.get(), {}, "localhost", certs_->certfile, certs_->keyfile});
  EXPECT_TRUE(with.server_ok);
  EXPECT_TRUE(with.client_ok);
  EXPECT_TRUE(with.server_saw_client_cert);

  // A certificate from a CA the server does not trust is rejected too.
  HandshakeResult untrusted = handshake(
      server.get(),
      {client.get(), {}, "localhost", other_ca_->certfile, other_ca_->keyfile});
  EXPECT_FALSE(untrusted.server_ok);
}

TEST_F(SSLContextTest, OptionalClientCertificateAcceptsClientsWithout) {
  SSLOptions options = server_options();
  options.ca_certs = certs_->ca_certfile;
  options.cert_reqs = CertReqs::kOptional;
  SSLContext server = ssl_options_to_context(options);
  SSLContext client = ssl_client_context(certs_->ca_certfile);
  HandshakeResult result =
      handshake(server.get(), {client.get(), {}, "localhost", "", ""});
  EXPECT_TRUE(result.server_ok);
  EXPECT_TRUE(result.client_ok);
  EXPECT_FALSE(result.server_saw_client_cert);
}

TEST_F(SSLContextTest, UnverifiedClientContextAcceptsAnyServer) {
  SSLContext server = ssl_options_to_context(server_options());
  SSLContext client = ssl_client_context("", false);
  EXPECT_TRUE(
      handshake(server.get(), {client.get(), {}, "", "", ""}).client_ok);
}

}  // namespace
}  // namespace eddy
