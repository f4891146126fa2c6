// Full HTTP exchanges while the server's system calls fail on a schedule
// (syscall_faults.h): many pipelined requests with bodies on several
// connections, every response checked byte for byte, and afterwards the
// server's descriptors back at their baseline.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "02_netutil/ssl_context.h"
#include "02_netutil/test_certificates.h"
#include "03_iostream/ssl_iostream.h"
#include "05_httpserver/test_client.h"
#include "hardening/fault/syscall_faults.h"
#include "hardening/test_support.h"

namespace eddy {
namespace {

using fault::Fault;
using fault::Rule;
using fault::Syscall;
using hardening::EchoServer;
using hardening::ExchangeOptions;
using hardening::open_fd_count;
using hardening::run_echo_exchange;

struct Schedule {
  std::string name;
  std::vector<Rule> rules;
};

void PrintTo(const Schedule& schedule, std::ostream* os) {
  *os << schedule.name;
}

class FaultInjectionTest : public ::testing::TestWithParam<Schedule> {
 protected:
  void TearDown() override { fault::clear_rules(); }

  // Closes every connection and waits until the server has forgotten them.
  void expect_back_at_baseline(size_t baseline) {
    loop_.run_until([&] { return server_.server->connection_count() == 0; },
                    10);
    EXPECT_EQ(server_.server->connection_count(), 0u);
    // Closed streams are freed on the loop's next iteration.
    loop_.run_until([] { return false; }, 0.05);
    EXPECT_EQ(open_fd_count(), baseline);
  }

  IOLoop loop_;
  EchoServer server_{loop_};
};

// Schedules after which every request must still be answered exactly.
TEST_P(FaultInjectionTest, EveryResponseArrivesByteForByte) {
  const size_t baseline = open_fd_count();
  for (const Rule& rule : GetParam().rules) fault::set_rule(rule);
  ExchangeOptions options;
  options.reconnects = 100;  // EMFILE sheds connections; clients retry.
  auto result = run_echo_exchange(loop_, server_.port, options);
  EXPECT_EQ(result.failure, "");
  EXPECT_EQ(result.answered, result.expected);
  uint64_t injected = 0;
  for (const Rule& rule : GetParam().rules) {
    injected += fault::injected(rule.syscall);
    EXPECT_GT(fault::injected(rule.syscall), 0u)
        << "the schedule never fired for " << fault::to_string(rule.syscall);
  }
  fault::clear_rules();
  expect_back_at_baseline(baseline);
}

INSTANTIATE_TEST_SUITE_P(
    Schedules, FaultInjectionTest,
    ::testing::Values(
        Schedule{"ReadEintr", {{Syscall::kRead, Fault::kEintr, 3}}},
        Schedule{"ReadEagain", {{Syscall::kRead, Fault::kEagain, 2}}},
        Schedule{"ReadShort", {{Syscall::kRead, Fault::kShort, 1}}},
        Schedule{"WriteEintr", {{Syscall::kWrite, Fault::kEintr, 3}}},
        Schedule{"WriteEagain", {{Syscall::kWrite, Fault::kEagain, 2}}},
        Schedule{"WriteShort", {{Syscall::kWrite, Fault::kShort, 3}}},
        Schedule{"EpollWaitEintr", {{Syscall::kEpollWait, Fault::kEintr, 2}}},
        Schedule{"EpollWaitOneEvent",
                 {{Syscall::kEpollWait, Fault::kShort, 1}}},
        Schedule{"AcceptEintr", {{Syscall::kAccept, Fault::kEintr, 2}}},
        Schedule{"AcceptEmfile", {{Syscall::kAccept, Fault::kEmfile, 3}}},
        Schedule{"Everything",
                 {{Syscall::kRead, Fault::kShort, 2},
                  {Syscall::kWrite, Fault::kShort, 3},
                  {Syscall::kEpollWait, Fault::kEintr, 5},
                  {Syscall::kAccept, Fault::kEintr, 3}}}),
    [](const ::testing::TestParamInfo<Schedule>& info) {
      return info.param.name;
    });

// ECONNRESET kills the connection it hits: its answered prefix must be
// correct, the other connections unaffected, the server still serving, and
// no descriptor left behind.
class ConnectionResetTest : public FaultInjectionTest {};

TEST_P(ConnectionResetTest, CutConnectionsLeaveNothingBehind) {
  const size_t baseline = open_fd_count();
  for (const Rule& rule : GetParam().rules) fault::set_rule(rule);
  ExchangeOptions options;
  options.allow_partial = true;
  auto result = run_echo_exchange(loop_, server_.port, options);
  EXPECT_EQ(result.failure, "");
  EXPECT_GT(result.cut_short, 0u) << "the schedule cut no connection";
  EXPECT_LT(result.answered, result.expected);
  fault::clear_rules();
  expect_back_at_baseline(baseline);
  // Still serving.
  ExchangeOptions after;
  after.connections = 3;
  auto again = run_echo_exchange(loop_, server_.port, after);
  EXPECT_EQ(again.failure, "");
  EXPECT_EQ(again.answered, again.expected);
  expect_back_at_baseline(baseline);
}

INSTANTIATE_TEST_SUITE_P(
    Schedules, ConnectionResetTest,
    ::testing::Values(
        Schedule{"ReadReset", {{Syscall::kRead, Fault::kEconnreset, 7, 3}}},
        Schedule{"WriteReset", {{Syscall::kWrite, Fault::kEconnreset, 5, 2}}}),
    [](const ::testing::TestParamInfo<Schedule>& info) {
      return info.param.name;
    });

// ---- TLS: the BIO's recv/send fail on a schedule
// -----------------------------

class TLSFaultTest : public ::testing::TestWithParam<Schedule> {
 protected:
  static void SetUpTestSuite() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/certs";
    certificates_ =
        new testing::TestCertificates(testing::write_test_certificates(dir));
  }
  static void TearDownTestSuite() { delete certificates_; }
  void TearDown() override { fault::clear_rules(); }

  static testing::TestCertificates* certificates_;
  IOLoop loop_;
};

testing::TestCertificates* TLSFaultTest::certificates_ = nullptr;

// One TLS connection pipelines requests with bodies up to 40 KB; every
// response must come back byte for byte while the server's recv/send fail.
TEST_P(TLSFaultTest, EveryResponseArrivesByteForByte) {
  HTTPServerOptions options;
  SSLOptions ssl;
  ssl.certfile = certificates_->certfile;
  ssl.keyfile = certificates_->keyfile;
  options.ssl_options = ssl;
  EchoServer server(loop_, options);
  SSLContext client_context =
      ssl_client_context(certificates_->ca_certfile, true);
  const size_t baseline = open_fd_count();
  for (const Rule& rule : GetParam().rules) fault::set_rule(rule);

  std::vector<std::string> bodies;
  std::vector<std::string> methods;
  std::string requests;
  for (int i = 0; i < 12; ++i) {
    bodies.push_back(
        hardening::make_body(std::vector<size_t>{0, 1, 100, 3000, 40000}[i % 5],
                             static_cast<unsigned>(i)));
    methods.push_back(bodies.back().empty() ? "GET" : "POST");
    requests +=
        hardening::make_request("/tls" + std::to_string(i), bodies.back());
  }
  auto client = SSLIOStream::create_client(
      Socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)),
      client_context.get(), "localhost", loop_);
  std::string received;
  std::function<void()> read_more = [&] {
    client->read_bytes(
        65536,
        [&](std::string_view data) {
          received.append(data);
          read_more();
        },
        /*partial=*/true);
  };
  client->connect(server.server->listening_addresses().at(0), [&] {
    client->write(requests);
    read_more();
  });
  loop_.run_until(
      [&] {
        return client->closed() || testing::count_final_responses(
                                       received, methods) == bodies.size();
      },
      60);
  auto responses = testing::parse_responses(received, methods);
  ASSERT_EQ(responses.size(), bodies.size()) << client->error().message();
  for (size_t i = 0; i < bodies.size(); ++i) {
    EXPECT_EQ(responses[i].code, 200);
    EXPECT_EQ(responses[i].body, bodies[i]) << "request " << i;
  }
  for (const Rule& rule : GetParam().rules) {
    EXPECT_GT(fault::injected(rule.syscall), 0u)
        << "the schedule never fired for " << fault::to_string(rule.syscall);
  }
  fault::clear_rules();
  read_more = nullptr;
  client->close();
  client.reset();
  loop_.run_until([&] { return server.server->connection_count() == 0; }, 10);
  loop_.run_until([] { return false; }, 0.05);
  EXPECT_EQ(open_fd_count(), baseline);
}

INSTANTIATE_TEST_SUITE_P(
    Schedules, TLSFaultTest,
    ::testing::Values(
        Schedule{"RecvEintr", {{Syscall::kTlsRecv, Fault::kEintr, 3}}},
        Schedule{"RecvEagain", {{Syscall::kTlsRecv, Fault::kEagain, 2}}},
        Schedule{"RecvShort", {{Syscall::kTlsRecv, Fault::kShort, 1}}},
        Schedule{"SendEintr", {{Syscall::kTlsSend, Fault::kEintr, 3}}},
        Schedule{"SendEagain", {{Syscall::kTlsSend, Fault::kEagain, 2}}},
        Schedule{"SendShort", {{Syscall::kTlsSend, Fault::kShort, 2}}}),
    [](const ::testing::TestParamInfo<Schedule>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace eddy
