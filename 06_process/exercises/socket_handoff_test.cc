// Grading tests of exercise 06.3 (socket_handoff.h). The "new program" is
// this test binary itself (/proc/self/exe) started with
// EDDY_HANDOFF_CHILD=1: a static initializer below then plays the child
// before GoogleTest starts. It calls listen_fds_from_env(), answers one
// connection per socket with a report line, and exits.
#include "06_process/exercises/socket_handoff.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "02_netutil/netutil.h"
#include "02_netutil/socket_address.h"
#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

constexpr int kMaxFd = 256;

// ---- The child --------------------------------------------------------------

// "n=<n> env=<set|unset> cloexec=<0|1> open=<fds >= 3+n, comma-separated>"
std::string child_report(const std::vector<Socket>& sockets) {
  bool cloexec = true;
  for (const Socket& s : sockets)
    cloexec = cloexec && (::fcntl(s.get(), F_GETFD) & FD_CLOEXEC);
  std::string open;
  for (int fd = 3 + static_cast<int>(sockets.size()); fd < kMaxFd; ++fd)
    if (::fcntl(fd, F_GETFD) != -1) open += std::to_string(fd) + ",";
  bool env = std::getenv("LISTEN_FDS") || std::getenv("LISTEN_PID");
  return "n=" + std::to_string(sockets.size()) +
         " env=" + (env ? "set" : "unset") +
         " cloexec=" + (cloexec ? "1" : "0") + " open=" + open;
}

[[maybe_unused]] const bool kChildRan = [] {
  if (std::getenv("EDDY_HANDOFF_CHILD") == nullptr) return false;
  std::vector<Socket> sockets = listen_fds_from_env();
  std::string report = child_report(sockets);
  for (size_t i = 0; i < sockets.size(); ++i) {
    pollfd p{sockets[i].get(), POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) ::_exit(3);
    int connection = ::accept(sockets[i].get(), nullptr, nullptr);
    if (connection < 0) ::_exit(4);
    std::string line = "socket " + std::to_string(i) + " " + report + "\n";
    [[maybe_unused]] ssize_t n = ::write(connection, line.data(), line.size());
    ::close(connection);
  }
  ::_exit(sockets.empty() ? 2 : 0);
}();

// ---- The parent -------------------------------------------------------------

Socket listen_loopback() {
  return std::move(bind_sockets(0, "127.0.0.1", AF_INET).at(0));
}

// Connects to `listener`'s address and reads the child's line.
std::string ask(int listener) {
  SocketAddress address = SocketAddress::local_of(listener);
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&address.storage),
                address.length) != 0)
    return "<connect failed>";
  timeval tv{10, 0};
  ::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string line;
  char c;
  while (::read(s.get(), &c, 1) == 1 && c != '\n') line += c;
  return line;
}

// Descriptors this process has open without FD_CLOEXEC (inherited from the
// test runner): a child may legitimately have them too.
std::set<int> inheritable_fds() {
  std::set<int> fds;
  for (int fd = 3; fd < kMaxFd; ++fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags != -1 && !(flags & FD_CLOEXEC)) fds.insert(fd);
  }
  return fds;
}

// The "open=" fds of a report that are not explained by inheritance.
std::string leaked(const std::string& line, const std::set<int>& allowed) {
  std::string open = line.substr(line.find("open=") + 5);
  std::string out;
  size_t start = 0;
  while (start < open.size()) {
    size_t comma = open.find(',', start);
    int fd = std::stoi(open.substr(start, comma - start));
    if (!allowed.count(fd)) out += std::to_string(fd) + " ";
    start = comma + 1;
  }
  return out;
}

// The child's exit code (128 + signal if killed), or -1 after 10 s (then it
// is killed). Waits on a pidfd, which becomes readable when the child exits.
int wait_exit_status(pid_t pid) {
  int status = 0;
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    pollfd ready{pidfd, POLLIN, 0};
    int polled = ::poll(&ready, 1, 10 * 1000);
    ::close(pidfd);
    if (polled == 1 && ::waitpid(pid, &status, 0) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

struct ChildEnv {
  ChildEnv() { ::setenv("EDDY_HANDOFF_CHILD", "1", 1); }
  ~ChildEnv() { ::unsetenv("EDDY_HANDOFF_CHILD"); }
};

TEST(SocketHandoffTest, ChildAcceptsOnTheHandedOverSockets) {
  Socket a = listen_loopback(), b = listen_loopback();
  std::set<int> allowed = inheritable_fds();
  pid_t pid;
  {
    ChildEnv env;
    pid = spawn_with_listen_fds({"/proc/self/exe"}, {a.get(), b.get()});
  }
  ASSERT_GT(pid, 0);
  std::string first = ask(a.get());
  std::string second = ask(b.get());
  EXPECT_EQ(first.substr(0, 32), "socket 0 n=2 env=unset cloexec=1") << first;
  EXPECT_EQ(second.substr(0, 32), "socket 1 n=2 env=unset cloexec=1") << second;
  EXPECT_EQ(leaked(first, allowed), "") << "descriptors leaked into the child";
  EXPECT_EQ(wait_exit_status(pid), 0);
}

TEST(SocketHandoffTest, ParentSocketsAreUntouched) {
  Socket a = listen_loopback();
  int fd = a.get();
  pid_t pid;
  {
    ChildEnv env;
    pid = spawn_with_listen_fds({"/proc/self/exe"}, {fd});
  }
  EXPECT_EQ(a.get(), fd);
  EXPECT_NE(::fcntl(fd, F_GETFD), -1) << "closed in the parent";
  EXPECT_TRUE(::fcntl(fd, F_GETFD) & FD_CLOEXEC) << "parent lost FD_CLOEXEC";
  EXPECT_EQ(ask(fd).substr(0, 8), "socket 0");
  EXPECT_EQ(wait_exit_status(pid), 0);
}

TEST(SocketHandoffTest, SocketsAlreadyAtTheTargetNumbersInAnotherOrder) {
  // The trap: sockets at descriptors 4 and 3 that must arrive at 3 and 4.
  // Naive dup2(4, 3); dup2(3, 4) hands the same socket over twice.
  Socket a = listen_loopback(), b = listen_loopback();
  // Park both sockets high, free of 3 and 4, then save whatever the test
  // runner has at 3 and 4 and put the sockets there, swapped.
  int high_a = ::fcntl(a.get(), F_DUPFD_CLOEXEC, 100);
  int high_b = ::fcntl(b.get(), F_DUPFD_CLOEXEC, 100);
  a.reset();
  b.reset();
  int saved3 = ::fcntl(3, F_DUPFD_CLOEXEC, 100);
  int saved4 = ::fcntl(4, F_DUPFD_CLOEXEC, 100);
  ASSERT_EQ(::dup3(high_a, 4, O_CLOEXEC), 4);
  ASSERT_EQ(::dup3(high_b, 3, O_CLOEXEC), 3);
  ::close(high_a);
  ::close(high_b);
  pid_t pid;
  {
    ChildEnv env;
    pid = spawn_with_listen_fds({"/proc/self/exe"}, {4, 3});
  }
  std::string via_a = ask(4);
  std::string via_b = ask(3);
  EXPECT_EQ(via_a.substr(0, 8), "socket 0") << via_a;
  EXPECT_EQ(via_b.substr(0, 8), "socket 1") << via_b;
  EXPECT_EQ(wait_exit_status(pid), 0);
  // Put the test runner's descriptors back.
  if (saved3 >= 0)
    ::dup3(saved3, 3, O_CLOEXEC), ::close(saved3);
  else
    ::close(3);
  if (saved4 >= 0)
    ::dup3(saved4, 4, O_CLOEXEC), ::close(saved4);
  else
    ::close(4);
}

TEST(SocketHandoffTest, ExecFailureExits127) {
  Socket a = listen_loopback();
  pid_t pid = spawn_with_listen_fds({"/nonexistent/program"}, {a.get()});
  ASSERT_GT(pid, 0);
  EXPECT_EQ(wait_exit_status(pid), 127);
}

TEST(SocketHandoffTest, EmptyArgvThrows) {
  EXPECT_THROW(spawn_with_listen_fds({}, {}), std::invalid_argument);
}

TEST(ListenFdsFromEnvTest, NotForUsTouchesNothingAndUnsets) {
  const char* cases[][2] = {
      {"1", "2"},                        // Another pid.
      {nullptr, "2"},                    // No LISTEN_PID.
      {"self", "abc"},                   // Not a number.
      {"self", "0"},                     // None.
      {"self", "1001"},                  // Too many.
      {"self", "99999999999999999999"},  // Overflow.
      {"self", "-1"},
      {"self", ""},
  };
  for (auto& c : cases) {
    std::string pid = c[0] == nullptr               ? ""
                      : std::string(c[0]) == "self" ? std::to_string(::getpid())
                                                    : c[0];
    if (c[0])
      ::setenv("LISTEN_PID", pid.c_str(), 1);
    else
      ::unsetenv("LISTEN_PID");
    ::setenv("LISTEN_FDS", c[1], 1);
    ::setenv("LISTEN_FDNAMES", "web", 1);
    std::vector<Socket> got = listen_fds_from_env();
    EXPECT_TRUE(got.empty()) << c[1];
    for (Socket& s : got) s.release();  // Never close the runner's fds.
    EXPECT_EQ(std::getenv("LISTEN_PID"), nullptr);
    EXPECT_EQ(std::getenv("LISTEN_FDS"), nullptr);
    EXPECT_EQ(std::getenv("LISTEN_FDNAMES"), nullptr);
  }
}

}  // namespace
}  // namespace eddy::exercises
