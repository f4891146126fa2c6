// 10,000 concurrent keep-alive connections held open at once while 100 of
// them send requests; every response must be correct.
//
// The clients run in a forked child process: each side then needs 10,000
// descriptors, which fits the usual hard RLIMIT_NOFILE of 20,000 (one process
// holding both ends would need 20,000 plus its own). The parent serves on
// its IOLoop, as in production; the child is plain blocking code and reports
// through a pipe. Loopback only.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "05_httpserver/httpserver.h"
#include "05_httpserver/test_client.h"
#include "hardening/test_support.h"

namespace eddy {
namespace {

using hardening::echo_handler;
using hardening::make_body;
using hardening::make_request;
using hardening::open_fd_count;
using hardening::raise_fd_limit;

constexpr size_t kConnections = 10000;
constexpr size_t kActive = 100;  // Every 100th connection sends requests.
constexpr size_t kRequestsPerActive = 3;

// The child: connects kConnections sockets, then sends requests on kActive
// of them and checks every response. Writes "ok <responses>" or the failure
// to `report`, then waits for a byte on `release` before closing everything.
int g_report = -1;
int g_release = -1;

[[noreturn]] void finish(const std::string& message) {
  [[maybe_unused]] ssize_t n =
      ::write(g_report, message.data(), message.size());
  ::close(g_report);
  char byte;
  [[maybe_unused]] ssize_t r = ::read(g_release, &byte, 1);
  ::_exit(0);  // Skips the parent's atexit handlers and leak checks.
}

[[noreturn]] void run_clients(int port, int report, int release) {
  g_report = report;
  g_release = release;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<int> fds;
  fds.reserve(kConnections);
  for (size_t i = 0; i < kConnections; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) finish("socket failed at connection " + std::to_string(i));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) !=
        0) {
      finish("connect failed at connection " + std::to_string(i) + ": " +
             std::strerror(errno));
    }
    fds.push_back(fd);
  }
  // Every connection is open; the active ones pipeline their requests.
  std::vector<std::vector<std::string>> bodies(kConnections);
  for (size_t i = 0; i < kConnections; i += kConnections / kActive) {
    std::string bytes;
    for (size_t r = 0; r < kRequestsPerActive; ++r) {
      bodies[i].push_back(make_body(100 * r * r, static_cast<unsigned>(i + r)));
      bytes +=
          make_request("/conn" + std::to_string(i) + "/" + std::to_string(r),
                       bodies[i].back());
    }
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fds[i], bytes.data() + sent, bytes.size() - sent,
                         MSG_NOSIGNAL);
      if (n <= 0) finish("send failed on connection " + std::to_string(i));
      sent += static_cast<size_t>(n);
    }
  }
  size_t responses = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (size_t i = 0; i < kConnections; i += kConnections / kActive) {
    std::string received;
    std::vector<testing::Response> parsed;
    std::vector<std::string> methods;
    for (const std::string& body : bodies[i])
      methods.push_back(body.empty() ? "GET" : "POST");
    while (parsed.size() < kRequestsPerActive) {
      if (std::chrono::steady_clock::now() > deadline)
        finish("deadline passed waiting on connection " + std::to_string(i));
      pollfd p{fds[i], POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0) continue;
      char buffer[65536];
      ssize_t n = ::recv(fds[i], buffer, sizeof buffer, 0);
      if (n <= 0) finish("connection " + std::to_string(i) + " closed early");
      received.append(buffer, static_cast<size_t>(n));
      parsed = testing::parse_responses(received, methods);
    }
    for (size_t r = 0; r < kRequestsPerActive; ++r) {
      std::string uri = "/conn" + std::to_string(i) + "/" + std::to_string(r);
      auto echoed = parsed[r].headers.get_first("X-Echo-Uri");
      if (parsed[r].code != 200 || !echoed || *echoed != uri ||
          parsed[r].body != bodies[i][r]) {
        finish("wrong response for " + uri);
      }
      ++responses;
    }
  }
  finish("ok " + std::to_string(responses));
}

TEST(LoadTest, TenThousandKeepAliveConnectionsHeldWhileHundredAreServed) {
  size_t limit = raise_fd_limit(kConnections + 1024);
  if (limit < kConnections + 256) {
    GTEST_SKIP() << "RLIMIT_NOFILE hard limit " << limit << " is below the "
                 << kConnections + 256 << " descriptors each process needs";
  }
  IOLoop loop;
  HTTPServer server(echo_handler, {}, loop);
  server.bind(0, "127.0.0.1", AF_INET, /*backlog=*/4096);
  server.start(1);
  const int port = server.listening_addresses().at(0).port();
  const size_t baseline = open_fd_count();

  int report[2], release[2];
  ASSERT_EQ(::pipe2(report, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(release, O_CLOEXEC), 0);
  std::fflush(nullptr);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(report[0]);
    ::close(release[1]);
    run_clients(port, report[1], release[0]);
  }
  ::close(report[1]);
  ::close(release[0]);

  std::string message;
  bool reported = false;
  size_t most_open = 0;
  loop.add_handler(
      report[0],
      [&](int fd, uint32_t) {
        char buffer[256];
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
          message.append(buffer, static_cast<size_t>(n));
        } else {
          reported = true;
          loop.remove_handler(fd);
        }
      },
      IOLoop::READ);
  loop.run_until(
      [&] {
        most_open = std::max(most_open, server.connection_count());
        return reported;
      },
      120);
  EXPECT_TRUE(reported) << "the client process did not report";
  EXPECT_EQ(message, "ok " + std::to_string(kActive * kRequestsPerActive));
  // All held at once: the child closes nothing before it is released.
  EXPECT_EQ(server.connection_count(), kConnections);
  EXPECT_EQ(most_open, kConnections);

  [[maybe_unused]] ssize_t n = ::write(release[1], "x", 1);
  ::close(release[1]);
  loop.run_until([&] { return server.connection_count() == 0; }, 60);
  EXPECT_EQ(server.connection_count(), 0u);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ::close(report[0]);
  loop.run_until([] { return false; }, 0.05);
  EXPECT_EQ(open_fd_count(), baseline);
}

}  // namespace
}  // namespace eddy
