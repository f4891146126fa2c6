// Grading tests of exercise 02.2 (connect_tcp.h). Every wait is run_until
// with a deadline.
#include "02_netutil/exercises/connect_tcp.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "02_netutil/netutil.h"
#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

constexpr double kDeadline = 5.0;

int open_fd_count() {
  DIR* dir = ::opendir("/proc/self/fd");
  int count = 0;
  while (dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') ++count;
  ::closedir(dir);
  return count - 1;
}

struct Result {
  bool called = false;
  int calls = 0;
  Socket socket;
  std::error_code error;
};

ConnectCallback record(Result& r) {
  return [&r](Socket s, std::error_code e) {
    r.called = true;
    r.calls++;
    r.socket = std::move(s);
    r.error = e;
  };
}

// A fresh directory with a short path: TEST_TMPDIR is often longer than a
// unix socket path may be (108 bytes).
std::string short_temp_dir() {
  char dir[] = "/tmp/eddy-XXXXXX";
  if (::mkdtemp(dir) == nullptr) return "/tmp";
  return dir;
}

// Runs the loop a little longer, to catch late second calls.
void settle(IOLoop& loop, double seconds = 0.05) {
  loop.run_until([] { return false; }, seconds);
}

TEST(ConnectToTest, ConnectsToAListener) {
  IOLoop loop;
  std::vector<Socket> listeners = bind_sockets(0, "127.0.0.1", AF_INET);
  SocketAddress address = SocketAddress::local_of(listeners[0].get());
  std::optional<SocketAddress> accepted_peer;
  auto remove = add_accept_handler(
      listeners[0].get(),
      [&](Socket, const SocketAddress& peer) { accepted_peer = peer; }, loop);
  Result r;
  connect_to(loop, address, 0, record(r));
  EXPECT_FALSE(r.called) << "the callback must not run inside connect_to";
  ASSERT_TRUE(
      loop.run_until([&] { return r.called && accepted_peer; }, kDeadline));
  EXPECT_FALSE(r.error) << r.error.message();
  ASSERT_TRUE(r.socket.valid());
  EXPECT_EQ(SocketAddress::peer_of(r.socket.get()).port(), address.port());
  EXPECT_EQ(SocketAddress::local_of(r.socket.get()).port(),
            accepted_peer->port());
  EXPECT_FALSE(loop.has_handler(r.socket.get()))
      << "the connect handler must be removed before the callback";
  settle(loop);
  EXPECT_EQ(r.calls, 1);
  remove();
}

TEST(ConnectToTest, ConnectedSocketIsNonBlockingAndCloseOnExec) {
  IOLoop loop;
  std::vector<Socket> listeners = bind_sockets(0, "127.0.0.1", AF_INET);
  Result r;
  connect_to(loop, SocketAddress::local_of(listeners[0].get()), 0, record(r));
  ASSERT_TRUE(loop.run_until([&] { return r.called; }, kDeadline));
  ASSERT_TRUE(r.socket.valid());
  EXPECT_TRUE(fcntl(r.socket.get(), F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(fcntl(r.socket.get(), F_GETFD) & FD_CLOEXEC);
}

TEST(ConnectToTest, RefusedConnectionReportsEconnrefusedAndLeaksNothing) {
  IOLoop loop;
  SocketAddress address;
  {
    std::vector<Socket> listeners = bind_sockets(0, "127.0.0.1", AF_INET);
    address = SocketAddress::local_of(listeners[0].get());
  }  // Closed: connecting now is refused.
  int fds_before = open_fd_count();
  Result r;
  connect_to(loop, address, 0, record(r));
  EXPECT_FALSE(r.called);
  ASSERT_TRUE(loop.run_until([&] { return r.called; }, kDeadline));
  EXPECT_EQ(r.error, std::error_code(ECONNREFUSED, std::generic_category()))
      << r.error.message();
  EXPECT_FALSE(r.socket.valid());
  settle(loop);
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(open_fd_count(), fds_before);
}

TEST(ConnectToTest, UnixSocketThatDoesNotExistFailsThroughTheCallback) {
  IOLoop loop;
  SocketAddress address;
  auto* un = reinterpret_cast<sockaddr_un*>(&address.storage);
  un->sun_family = AF_UNIX;
  std::string path = short_temp_dir() + "/no-such-socket";
  path.copy(un->sun_path, sizeof(un->sun_path) - 1);
  address.length = sizeof(sockaddr_un);
  Result r;
  ASSERT_NO_THROW(connect_to(loop, address, 0, record(r)));
  EXPECT_FALSE(r.called) << "even an immediate failure is reported later";
  ASSERT_TRUE(loop.run_until([&] { return r.called; }, kDeadline));
  EXPECT_EQ(r.error, std::error_code(ENOENT, std::generic_category()))
      << r.error.message();
}

TEST(ConnectToTest, UnixSocketConnects) {
  IOLoop loop;
  std::string dir = short_temp_dir();
  std::string path = dir + "/connect_tcp.sock";
  Socket listener = bind_unix_socket(path);
  Result r;
  connect_to(loop, SocketAddress::local_of(listener.get()), 1.0, record(r));
  EXPECT_FALSE(r.called);
  ASSERT_TRUE(loop.run_until([&] { return r.called; }, kDeadline));
  EXPECT_FALSE(r.error) << r.error.message();
  EXPECT_TRUE(r.socket.valid());
  settle(loop);
  EXPECT_EQ(r.calls, 1);
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
}

// Fills the accept queue of a listener nobody accepts on (backlog 0), until a
// further connection cannot complete: Linux then drops its SYNs and
// connect() stays in progress.
TEST(ConnectToTest, TimeoutAbandonsTheAttempt) {
  IOLoop loop;
  std::vector<Socket> listeners = bind_sockets(0, "127.0.0.1", AF_INET, 0);
  SocketAddress address = SocketAddress::local_of(listeners[0].get());
  std::vector<Socket> fillers;
  bool full = false;
  for (int i = 0; i < 16 && !full; ++i) {
    Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    ::connect(s.get(), reinterpret_cast<const sockaddr*>(&address.storage),
              address.length);
    pollfd p{s.get(), POLLOUT, 0};
    full = ::poll(&p, 1, 200) == 0;
    fillers.push_back(std::move(s));
  }
  if (!full) GTEST_SKIP() << "could not fill the accept queue on this kernel";
  int fds_before = open_fd_count();
  Result r;
  IOLoop::Clock::time_point start = IOLoop::Clock::now();
  connect_to(loop, address, 0.2, record(r));
  ASSERT_TRUE(loop.run_until([&] { return r.called; }, kDeadline));
  double took =
      std::chrono::duration<double>(IOLoop::Clock::now() - start).count();
  EXPECT_EQ(r.error, std::error_code(ETIMEDOUT, std::generic_category()))
      << r.error.message();
  EXPECT_FALSE(r.socket.valid());
  EXPECT_GE(took, 0.19);
  EXPECT_LT(took, 2.0);
  settle(loop, 0.1);
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(open_fd_count(), fds_before) << "the abandoned socket is closed";
}

TEST(ConnectToTest, TimeoutDoesNotFireAfterASuccess) {
  IOLoop loop;
  std::vector<Socket> listeners = bind_sockets(0, "127.0.0.1", AF_INET);
  Result r;
  connect_to(loop, SocketAddress::local_of(listeners[0].get()), 0.05,
             record(r));
  ASSERT_TRUE(loop.run_until([&] { return r.called; }, kDeadline));
  EXPECT_FALSE(r.error);
  settle(loop, 0.15);  // Past the timeout.
  EXPECT_EQ(r.calls, 1);
  EXPECT_TRUE(r.socket.valid());
}

TEST(ConnectToTest, ManyConcurrentAttempts) {
  IOLoop loop;
  std::vector<Socket> listeners = bind_sockets(0, "127.0.0.1", AF_INET);
  SocketAddress address = SocketAddress::local_of(listeners[0].get());
  int accepted = 0;
  auto remove = add_accept_handler(
      listeners[0].get(), [&](Socket, const SocketAddress&) { ++accepted; },
      loop);
  std::vector<Result> results(50);
  for (Result& r : results) connect_to(loop, address, 2.0, record(r));
  ASSERT_TRUE(loop.run_until(
      [&] {
        for (const Result& r : results)
          if (!r.called) return false;
        return accepted == 50;
      },
      kDeadline));
  for (const Result& r : results) {
    EXPECT_FALSE(r.error) << r.error.message();
    EXPECT_EQ(r.calls, 1);
  }
  remove();
}

}  // namespace
}  // namespace eddy::exercises
