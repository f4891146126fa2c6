// shutdown_gracefully on a real HTTPServer in this process, with raw clients
// on the same loop: a slow request in flight completes, an idle keep-alive
// connection is closed, new connections are refused, and the grace period
// bounds the wait.
#include "06_process/shutdown.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "01_ioloop/ioloop.h"
#include "05_httpserver/httpserver.h"
#include "05_httpserver/test_client.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

using testing::count_final_responses;
using testing::parse_responses;
using testing::RawClient;

constexpr double kDeadline = 10;

// A blocking connect to 127.0.0.1:port; returns 0 or the errno.
int connect_error(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int result =
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  int error = result == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

void answer(HTTPServerRequest& request, const std::string& text) {
  request.write("HTTP/1.1 200 OK\r\nContent-Length: " +
                std::to_string(text.size()) + "\r\n\r\n" + text);
  request.finish();
}

class ShutdownTest : public ::testing::Test {
 protected:
  // "/slow" answers `slow_delay` seconds later (negative: never); anything
  // else answers at once.
  void start_server() {
    server_ = std::make_unique<HTTPServer>([this](HTTPServerRequest& request) {
      if (request.path != "/slow") {
        answer(request, "fast\n");
        return;
      }
      ++slow_started_;
      if (slow_delay_ < 0) return;
      loop_.call_later(slow_delay_, [request = request.shared_from_this()] {
        answer(*request, "slow done\n");
      });
    });
    server_->listen(0, "127.0.0.1");
    port_ = server_->listening_addresses().at(0).port();
  }

  bool run_until(const std::function<bool()>& condition,
                 double timeout = kDeadline) {
    return loop_.run_until(condition, timeout);
  }

  IOLoop& loop_ = IOLoop::instance();
  std::unique_ptr<HTTPServer> server_;
  int port_ = 0;
  double slow_delay_ = 0.3;
  int slow_started_ = 0;
};

TEST_F(ShutdownTest, InFlightRequestCompletesIdleClosesNewRefused) {
  start_server();
  RawClient idle(loop_, port_);
  idle.send("GET /fast HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(
      run_until([&] { return count_final_responses(idle.received()) == 1; }));
  RawClient busy(loop_, port_);
  busy.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(run_until([&] { return slow_started_ == 1; }));
  ASSERT_EQ(server_->connection_count(), 2u);

  bool done = false;
  double started = loop_.time();
  shutdown_gracefully(*server_, loop_, 5.0, [&] { done = true; });
  EXPECT_FALSE(done) << "done never runs inside the call";

  // The idle keep-alive connection is closed at once; the busy one is not.
  ASSERT_TRUE(run_until([&] { return idle.closed(); }));
  EXPECT_FALSE(busy.closed());
  EXPECT_FALSE(done);
  // No more accepting: the listening socket is closed.
  EXPECT_EQ(connect_error(port_), ECONNREFUSED);

  // The slow request finishes, its connection closes, then done runs.
  ASSERT_TRUE(run_until([&] { return done; }));
  EXPECT_LT(loop_.time() - started, 5.0) << "done before the grace period";
  ASSERT_TRUE(run_until([&] { return busy.closed(); }));
  auto responses = parse_responses(busy.received(), {"GET"}, true);
  ASSERT_EQ(responses.size(), 1u) << busy.received();
  EXPECT_EQ(responses[0].code, 200);
  EXPECT_EQ(responses[0].body, "slow done\n");
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(ShutdownTest, GracePeriodBoundsAStuckRequest) {
  slow_delay_ = -1;  // Never answers.
  start_server();
  RawClient stuck(loop_, port_);
  stuck.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(run_until([&] { return slow_started_ == 1; }));
  bool done = false;
  double started = loop_.time();
  shutdown_gracefully(*server_, loop_, 0.3, [&] { done = true; });
  ASSERT_TRUE(run_until([&] { return done; }));
  EXPECT_GE(loop_.time() - started, 0.3);
  EXPECT_EQ(server_->connection_count(), 0u);
  ASSERT_TRUE(run_until([&] { return stuck.closed(); }));
  EXPECT_EQ(stuck.received(), "") << "cut off without a response";
}

TEST_F(ShutdownTest, WithoutDoneItStopsTheLoop) {
  start_server();
  RawClient idle(loop_, port_);
  idle.send("GET /fast HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(
      run_until([&] { return count_final_responses(idle.received()) == 1; }));
  loop_.add_callback([&] { shutdown_gracefully(*server_, loop_, 5.0); });
  // A watchdog turns a hang into a failure instead of a stuck test.
  bool watchdog_fired = false;
  TimeoutHandle watchdog = loop_.call_later(kDeadline, [&] {
    watchdog_fired = true;
    loop_.stop();
  });
  loop_.start();  // Returns when the shutdown stops the loop.
  loop_.remove_timeout(watchdog);
  EXPECT_FALSE(watchdog_fired);
  EXPECT_EQ(server_->connection_count(), 0u);
  EXPECT_TRUE(run_until([&] { return idle.closed(); }));
}

}  // namespace
}  // namespace eddy
