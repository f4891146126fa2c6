// TCPServer::start(n, process_forker()): the server is built and bound
// before any IOLoop exists, then forks; each worker creates its own loop.
// As in process_test.cc, a forked "supervisor" keeps the test process clean.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include "01_ioloop/ioloop.h"
#include "05_httpserver/httpserver.h"
#include "06_process/process.h"
#include "06_process/test_util.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

constexpr double kDeadline = 20;

TEST(TCPServerStartTest, StartWithAForkerServesFromEveryWorker) {
  testing::become_subreaper();
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  std::fflush(nullptr);
  pid_t supervisor = ::fork();
  ASSERT_GE(supervisor, 0);
  if (supervisor == 0) {
    ::close(fds[0]);
    try {
      HTTPServer server([](HTTPServerRequest& request) {
        std::string body = "task " + std::to_string(task_id().value_or(-1));
        request.write("HTTP/1.1 200 OK\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body);
        request.finish();
      });
      server.bind(0, "127.0.0.1");
      std::string port =
          std::to_string(server.listening_addresses().at(0).port()) + "\n";
      (void)!::write(fds[1], port.data(), port.size());
      if (IOLoop::initialized())
        ::_exit(3);  // Building and binding made no loop.
      server.start(2, process_forker());
      IOLoop::current().start();  // Workers only; SIGTERM ends them.
    } catch (const std::exception& e) {
      std::fprintf(stderr, "supervisor: %s\n", e.what());
      ::_exit(99);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string buffer;
  auto line = testing::read_line(fds[0], buffer, kDeadline);
  ::close(fds[0]);
  ASSERT_TRUE(line.has_value());
  int port = std::stoi(*line);
  std::set<std::string> bodies;
  for (int i = 0; i < 20; ++i) {
    std::string response = testing::http_get(port, "/", kDeadline);
    ASSERT_NE(response.find("200 OK"), std::string::npos) << response;
    bodies.insert(response.substr(response.find("\r\n\r\n") + 4));
  }
  for (const std::string& body : bodies) {
    EXPECT_TRUE(body == "task 0" || body == "task 1") << body;
  }
  EXPECT_EQ(testing::children_of(supervisor).size(), 2u);
  ::kill(supervisor, SIGTERM);
  auto status = testing::wait_for_pid(supervisor, kDeadline);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_TRUE(testing::children_of(::getpid()).empty());
}

TEST(TCPServerStartTest, SeveralProcessesWithoutAForkerIsAnError) {
  HTTPServer server([](HTTPServerRequest& request) { request.finish(); });
  EXPECT_THROW(server.start(2), std::invalid_argument);
}

}  // namespace
}  // namespace eddy
