// Tests for bind_sockets, bind_unix_socket, add_accept_handler, is_valid_ip,
// FileDescriptor and SocketAddress. No sleeps: every wait is
// IOLoop::run_until with a deadline. Only 127.0.0.1 and ::1 are connected to;
// the one test that needs two families binds the wildcard address briefly.
#include "02_netutil/netutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "02_netutil/file_descriptor.h"
#include "02_netutil/socket_address.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

bool fd_is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

int int_option(int fd, int level, int option) {
  int value = -1;
  socklen_t length = sizeof(value);
  EXPECT_EQ(getsockopt(fd, level, option, &value, &length), 0);
  return value;
}

bool is_nonblocking(int fd) { return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }
bool is_cloexec(int fd) { return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }

// A non-blocking client socket connecting to `address` (loopback).
Socket connect_to(const SocketAddress& address) {
  Socket client(
      socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  EXPECT_TRUE(client.valid()) << std::strerror(errno);
  int rc =
      connect(client.get(), reinterpret_cast<const sockaddr*>(&address.storage),
              address.length);
  EXPECT_TRUE(rc == 0 || errno == EINPROGRESS) << std::strerror(errno);
  return client;
}

// Waits (bounded) until a non-blocking connect has completed, so that the
// connection sits in the listener's accept queue.
bool wait_connected(const Socket& client, int timeout_ms = 5000) {
  pollfd entry{client.get(), POLLOUT, 0};
  if (poll(&entry, 1, timeout_ms) != 1) return false;
  return int_option(client.get(), SOL_SOCKET, SO_ERROR) == 0;
}

// Waits (bounded) for the peer to close: recv returns 0 or ECONNRESET.
bool wait_closed_by_peer(const Socket& client, int timeout_ms = 5000) {
  pollfd entry{client.get(), POLLIN, 0};
  if (poll(&entry, 1, timeout_ms) != 1) return false;
  char byte;
  ssize_t n = recv(client.get(), &byte, 1, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

Socket listen_loopback(int backlog = kDefaultBacklog) {
  std::vector<Socket> sockets = bind_sockets(0, "127.0.0.1", AF_INET, backlog);
  EXPECT_EQ(sockets.size(), 1u);
  return std::move(sockets.front());
}

// --- FileDescriptor and SocketAddress ------------------------------------

TEST(FileDescriptorTest, ClosesOnceAndMovesOwnership) {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  {
    FileDescriptor a(fd);
    FileDescriptor b(std::move(a));
    EXPECT_FALSE(a.valid());
    EXPECT_EQ(b.get(), fd);
    FileDescriptor c;
    c = std::move(b);
    EXPECT_EQ(c.get(), fd);
    EXPECT_TRUE(fd_is_open(fd));
  }
  EXPECT_FALSE(fd_is_open(fd));
}

TEST(FileDescriptorTest, ReleaseGivesUpOwnershipAndResetCloses) {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  {
    FileDescriptor owner(fd);
    EXPECT_EQ(owner.release(), fd);
  }
  EXPECT_TRUE(fd_is_open(fd));
  FileDescriptor owner(fd);
  owner.reset();
  EXPECT_FALSE(fd_is_open(fd));
  EXPECT_FALSE(owner);
}

TEST(SocketAddressTest, FormatsV4V6AndUnix) {
  std::vector<Socket> v4 = bind_sockets(0, "127.0.0.1");
  SocketAddress a = SocketAddress::local_of(v4[0].get());
  EXPECT_EQ(a.family(), AF_INET);
  EXPECT_EQ(a.host(), "127.0.0.1");
  EXPECT_NE(a.port(), 0);
  EXPECT_EQ(a.to_string(), "127.0.0.1:" + std::to_string(a.port()));

  std::vector<Socket> v6 = bind_sockets(0, "::1");
  SocketAddress b = SocketAddress::local_of(v6[0].get());
  EXPECT_EQ(b.family(), AF_INET6);
  EXPECT_EQ(b.to_string(), "[::1]:" + std::to_string(b.port()));

  EXPECT_THROW(SocketAddress::peer_of(v4[0].get()), std::system_error);
}

// --- bind_sockets ----------------------------------------------------------

TEST(BindSocketsTest, PortZeroBindsOneEphemeralPortForEveryFamily) {
  std::vector<Socket> sockets = bind_sockets(0, "");
  ASSERT_EQ(sockets.size(), 2u) << "expected 0.0.0.0 and ::";
  std::set<int> families;
  std::set<int> ports;
  for (const Socket& sock : sockets) {
    SocketAddress local = SocketAddress::local_of(sock.get());
    families.insert(local.family());
    ports.insert(local.port());
    if (local.family() == AF_INET6) {
      EXPECT_EQ(int_option(sock.get(), IPPROTO_IPV6, IPV6_V6ONLY), 1);
    }
  }
  EXPECT_EQ(families, (std::set<int>{AF_INET, AF_INET6}));
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_NE(*ports.begin(), 0);
}

TEST(BindSocketsTest, ListenersAreNonBlockingCloseOnExecAndReuseAddr) {
  for (const Socket& sock : bind_sockets(0, "localhost")) {
    EXPECT_TRUE(is_nonblocking(sock.get()));
    EXPECT_TRUE(is_cloexec(sock.get()));
    EXPECT_EQ(int_option(sock.get(), SOL_SOCKET, SO_REUSEADDR), 1);
    EXPECT_EQ(int_option(sock.get(), SOL_SOCKET, SO_ACCEPTCONN), 1);
    EXPECT_EQ(int_option(sock.get(), SOL_SOCKET, SO_REUSEPORT), 0);
  }
}

// The backlog reaches listen(2): Linux reports a listener's accept-queue
// limit in TCP_INFO's tcpi_sacked (and its current length in tcpi_unacked).
TEST(BindSocketsTest, ListenUsesTheBacklog) {
  constexpr int kBacklog = 7;  // Below any net.core.somaxconn cap.
  std::vector<Socket> sockets = bind_sockets(0, "127.0.0.1", AF_INET, kBacklog);
  ASSERT_EQ(sockets.size(), 1u);
  tcp_info info{};
  socklen_t length = sizeof(info);
  ASSERT_EQ(getsockopt(sockets[0].get(), IPPROTO_TCP, TCP_INFO, &info, &length),
            0)
      << std::strerror(errno);
  EXPECT_EQ(info.tcpi_sacked, static_cast<uint32_t>(kBacklog));
}

TEST(BindSocketsTest, LocalhostBindsLoopbackAddressesOnOnePort) {
  // localhost is 127.0.0.1 and, where /etc/hosts says so, ::1.
  std::vector<Socket> sockets = bind_sockets(0, "localhost");
  ASSERT_GE(sockets.size(), 1u);
  std::set<int> ports;
  for (const Socket& sock : sockets) {
    SocketAddress local = SocketAddress::local_of(sock.get());
    EXPECT_TRUE(local.host() == "127.0.0.1" || local.host() == "::1")
        << local.to_string();
    ports.insert(local.port());
    // Each one really accepts connections.
    Socket client = connect_to(local);
    EXPECT_TRUE(wait_connected(client)) << local.to_string();
  }
  EXPECT_EQ(ports.size(), 1u);
}

TEST(BindSocketsTest, FamilyRestrictsResolution) {
  std::vector<Socket> v6 = bind_sockets(0, "", AF_INET6);
  ASSERT_EQ(v6.size(), 1u);
  SocketAddress local = SocketAddress::local_of(v6[0].get());
  EXPECT_EQ(local.host(), "::");
  EXPECT_EQ(int_option(v6[0].get(), IPPROTO_IPV6, IPV6_V6ONLY), 1);
}

TEST(BindSocketsTest, ReusePortLetsTwoSocketsBindTheSamePort) {
  std::vector<Socket> first =
      bind_sockets(0, "127.0.0.1", AF_INET, kDefaultBacklog, true);
  int port = SocketAddress::local_of(first[0].get()).port();
  EXPECT_EQ(int_option(first[0].get(), SOL_SOCKET, SO_REUSEPORT), 1);
  std::vector<Socket> second =
      bind_sockets(port, "127.0.0.1", AF_INET, kDefaultBacklog, true);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(SocketAddress::local_of(second[0].get()).port(), port);
}

TEST(BindSocketsTest, AddressInUseNamesAddressAndPort) {
  std::vector<Socket> first = bind_sockets(0, "127.0.0.1");
  int port = SocketAddress::local_of(first[0].get()).port();
  try {
    bind_sockets(port, "127.0.0.1");
    FAIL() << "second bind succeeded";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), EADDRINUSE);
    EXPECT_STREQ(error.what(), ("bind 127.0.0.1:" + std::to_string(port) +
                                ": Address already in use")
                                   .c_str());
  }
  // Without reuse_port on both, SO_REUSEPORT on the second is not enough.
  EXPECT_THROW(bind_sockets(port, "127.0.0.1", AF_INET, kDefaultBacklog, true),
               std::system_error);
}

TEST(BindSocketsTest, AddressInUseOnV6UsesBrackets) {
  std::vector<Socket> first = bind_sockets(0, "::1");
  int port = SocketAddress::local_of(first[0].get()).port();
  try {
    bind_sockets(port, "::1");
    FAIL() << "second bind succeeded";
  } catch (const std::system_error& error) {
    EXPECT_STREQ(error.what(), ("bind [::1]:" + std::to_string(port) +
                                ": Address already in use")
                                   .c_str());
  }
}

TEST(BindSocketsTest, BadAddressNamesTheAddress) {
  try {
    bind_sockets(8888, "no.such.host.invalid");
    FAIL() << "resolved an invalid name";
  } catch (const std::system_error& error) {
    EXPECT_EQ(std::string(error.what())
                  .rfind("getaddrinfo 'no.such.host.invalid' port 8888: ", 0),
              0u)
        << error.what();
  }
}

TEST(BindSocketsTest, PortOutOfRangeIsRejected) {
  EXPECT_THROW(bind_sockets(65536, "127.0.0.1"), std::system_error);
  EXPECT_THROW(bind_sockets(-1, "127.0.0.1"), std::system_error);
}

// Drops CAP_NET_BIND_SERVICE from this (child) process.
bool drop_net_bind_service() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  data[0].effective &= ~(1u << CAP_NET_BIND_SERVICE);
  data[0].permitted &= ~(1u << CAP_NET_BIND_SERVICE);
  return syscall(SYS_capset, &header, data) == 0;
}

TEST(BindSocketsTest, PrivilegedPortNamesAddressAndPort) {
  // Tests often run as root, who may bind port 80: try it in a child process
  // without CAP_NET_BIND_SERVICE. Exit codes: 0 right message, 1 wrong one, 2
  // bind worked (this host lets everyone bind low ports), 3 could not drop
  // privileges, 4 another exception (an abort would dump core, slowly).
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!drop_net_bind_service()) _exit(3);
    try {
      bind_sockets(80, "127.0.0.1");
      _exit(2);
    } catch (const std::system_error& error) {
      _exit(std::string(error.what()) == "bind 127.0.0.1:80: Permission denied"
                ? 0
                : 1);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "child: %s\n", error.what());
      _exit(4);
    }
    _exit(1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) GTEST_SKIP() << "unprivileged low ports";
  if (WEXITSTATUS(status) == 3) GTEST_SKIP() << "cannot drop privileges";
  EXPECT_NE(WEXITSTATUS(status), 4) << "bind_sockets threw a non-system_error";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "wrong message for a privileged port";
}

// --- add_accept_handler ----------------------------------------------------

TEST(AddAcceptHandlerTest, AcceptsABurstOf500InBoundedBatches) {
  constexpr int kClients = 500;
  IOLoop loop;
  Socket listener = listen_loopback(1024);
  SocketAddress address = SocketAddress::local_of(listener.get());
  std::vector<Socket> clients;
  std::set<int> client_ports;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(connect_to(address));
    ASSERT_TRUE(wait_connected(clients.back()));
    client_ports.insert(SocketAddress::local_of(clients.back().get()).port());
  }
  // Every connection is now in the accept queue before the loop first runs.
  AcceptStats stats;
  std::set<int> peer_ports;
  bool flags_ok = true;
  auto remove = add_accept_handler(
      listener.get(),
      [&](Socket connection, const SocketAddress& peer) {
        flags_ok = flags_ok && is_nonblocking(connection.get()) &&
                   is_cloexec(connection.get()) && peer.host() == "127.0.0.1";
        peer_ports.insert(peer.port());
      },
      loop, &stats);
  EXPECT_TRUE(
      loop.run_until([&] { return peer_ports.size() == kClients; }, 10));
  remove();
  EXPECT_EQ(stats.accepted, static_cast<uint64_t>(kClients));
  EXPECT_EQ(peer_ports, client_ports);
  EXPECT_TRUE(flags_ok);
  // The bound was reached, and not exceeded: 500 needs at least 4 wakeups.
  EXPECT_EQ(stats.max_accepts_in_one_wakeup, kMaxAcceptsPerEvent);
  EXPECT_GE(stats.wakeups, 4u);
}

// multi_accept off: one connection per wake-up, the rest on later wake-ups
// (the level-triggered listener stays ready), none lost.
TEST(AddAcceptHandlerTest, OneAcceptPerEventStillTakesEveryConnection) {
  constexpr int kClients = 20;
  IOLoop loop;
  Socket listener = listen_loopback(64);
  SocketAddress address = SocketAddress::local_of(listener.get());
  std::vector<Socket> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(connect_to(address));
    ASSERT_TRUE(wait_connected(clients.back()));
  }
  AcceptStats stats;
  int accepted = 0;
  auto remove = add_accept_handler(
      listener.get(), [&](Socket, const SocketAddress&) { ++accepted; }, loop,
      &stats, /*max_accepts_per_event=*/1);
  EXPECT_TRUE(loop.run_until([&] { return accepted == kClients; }, 10));
  remove();
  EXPECT_EQ(stats.max_accepts_in_one_wakeup, 1);
  EXPECT_GE(stats.wakeups, static_cast<uint64_t>(kClients));
}

TEST(AddAcceptHandlerTest, NonPositiveAcceptsPerEventIsRejected) {
  IOLoop loop;
  Socket listener = listen_loopback();
  EXPECT_THROW(add_accept_handler(
                   listener.get(), [](Socket, const SocketAddress&) {}, loop,
                   nullptr, 0),
               std::invalid_argument);
}

TEST(AddAcceptHandlerTest, RemoverStopsFurtherAccepts) {
  IOLoop loop;
  Socket listener = listen_loopback();
  SocketAddress address = SocketAddress::local_of(listener.get());
  int accepted = 0;
  auto remove = add_accept_handler(
      listener.get(), [&](Socket, const SocketAddress&) { ++accepted; }, loop);
  Socket first = connect_to(address);
  ASSERT_TRUE(loop.run_until([&] { return accepted == 1; }, 5));
  remove();
  EXPECT_FALSE(loop.has_handler(listener.get()));
  Socket second = connect_to(address);
  ASSERT_TRUE(wait_connected(second));
  EXPECT_FALSE(loop.run_until([&] { return accepted > 1; }, 0.2));
  remove();  // Idempotent.
  EXPECT_EQ(accepted, 1);
}

TEST(AddAcceptHandlerTest, RemoverCalledInsideTheCallbackStopsTheBatch) {
  IOLoop loop;
  Socket listener = listen_loopback();
  SocketAddress address = SocketAddress::local_of(listener.get());
  std::vector<Socket> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(connect_to(address));
    ASSERT_TRUE(wait_connected(clients.back()));
  }
  int accepted = 0;
  std::function<void()> remove;
  remove = add_accept_handler(
      listener.get(),
      [&](Socket, const SocketAddress&) {
        ++accepted;
        remove();
      },
      loop);
  EXPECT_TRUE(loop.run_until([&] { return accepted >= 1; }, 5));
  EXPECT_FALSE(loop.run_until([&] { return accepted > 1; }, 0.2));
  EXPECT_EQ(accepted, 1);
  remove = nullptr;  // Drops the state; the loop must not touch it again.
  EXPECT_FALSE(loop.run_until([] { return false; }, 0.05));
}

TEST(AddAcceptHandlerTest, AcceptsOnUnixSockets) {
  char dir_template[] = "/tmp/eddy_netutil_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string path = std::string(dir_template) + "/s";
  IOLoop loop;
  Socket listener = bind_unix_socket(path);
  int family = 0;
  auto remove = add_accept_handler(
      listener.get(),
      [&](Socket, const SocketAddress& peer) { family = peer.family(); }, loop);
  SocketAddress target = SocketAddress::local_of(listener.get());
  EXPECT_EQ(target.to_string(), path);
  Socket client = connect_to(target);
  EXPECT_TRUE(loop.run_until([&] { return family != 0; }, 5));
  EXPECT_EQ(family, AF_UNIX);
  remove();
  std::filesystem::remove_all(dir_template);
}

// Lowers RLIMIT_NOFILE for one test and restores it however the test ends.
class DescriptorLimit {
 public:
  DescriptorLimit() { getrlimit(RLIMIT_NOFILE, &saved_); }
  ~DescriptorLimit() {
    fillers_.clear();
    setrlimit(RLIMIT_NOFILE, &saved_);
  }
  // Sets the soft limit a little above the highest descriptor in use, then
  // opens /dev/null until open fails with EMFILE: no descriptor is left.
  void exhaust() {
    int highest = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator("/proc/self/fd")) {
      highest = std::max(highest, std::atoi(entry.path().filename().c_str()));
    }
    rlimit lowered = saved_;
    lowered.rlim_cur = highest + 16;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
    for (;;) {
      int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        ASSERT_EQ(errno, EMFILE);
        break;
      }
      fillers_.emplace_back(fd);
    }
  }
  void release_some(size_t count) {
    for (size_t i = 0; i < count && !fillers_.empty(); ++i) fillers_.pop_back();
  }

 private:
  rlimit saved_{};
  std::vector<FileDescriptor> fillers_;
};

TEST(AddAcceptHandlerTest, EmfileShedsConnectionsWithoutSpinning) {
  IOLoop loop;
  Socket listener = listen_loopback();
  SocketAddress address = SocketAddress::local_of(listener.get());
  AcceptStats stats;
  std::vector<Socket> connections;
  auto remove = add_accept_handler(
      listener.get(),
      [&](Socket connection, const SocketAddress&) {
        connections.push_back(std::move(connection));
      },
      loop, &stats);
  std::vector<Socket> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(connect_to(address));
  for (const Socket& client : clients) ASSERT_TRUE(wait_connected(client));

  DescriptorLimit limit;
  limit.exhaust();
  // A level-triggered listener whose accept fails with EMFILE would wake the
  // loop thousands of times in 300 ms; shedding drains the queue instead.
  EXPECT_FALSE(loop.run_until([] { return false; }, 0.3));
  EXPECT_LT(stats.wakeups, 20u);
  EXPECT_EQ(stats.shed, 3u);
  EXPECT_TRUE(connections.empty());
  EXPECT_TRUE(loop.has_handler(listener.get())) << "listener lost";
  for (const Socket& client : clients) {
    EXPECT_TRUE(wait_closed_by_peer(client)) << "client left hanging";
  }

  // Descriptors free up: accepting resumes.
  limit.release_some(8);
  Socket late = connect_to(address);
  EXPECT_TRUE(loop.run_until([&] { return connections.size() == 1; }, 5));
  connections.clear();
  remove();
}

// A listener shared by workers (one accept per event) steps aside on EMFILE
// instead of closing the connections another worker could serve.
TEST(AddAcceptHandlerTest, EmfileOnASharedListenerPausesInsteadOfShedding) {
  IOLoop loop;
  Socket listener = listen_loopback();
  SocketAddress address = SocketAddress::local_of(listener.get());
  AcceptStats stats;
  std::vector<Socket> connections;
  auto remove = add_accept_handler(
      listener.get(),
      [&](Socket connection, const SocketAddress&) {
        connections.push_back(std::move(connection));
      },
      loop, &stats, /*max_accepts_per_event=*/1);
  Socket client = connect_to(address);
  ASSERT_TRUE(wait_connected(client));
  DescriptorLimit limit;
  limit.exhaust();
  EXPECT_FALSE(loop.run_until([] { return false; }, 0.35));
  EXPECT_GE(stats.pauses, 1u);
  EXPECT_LE(stats.wakeups, 8u);
  EXPECT_EQ(stats.shed, 0u);
  EXPECT_TRUE(connections.empty());
  // Descriptors free up: the connection that waited in the backlog is taken.
  limit.release_some(8);
  EXPECT_TRUE(loop.run_until([&] { return connections.size() == 1; }, 5));
  connections.clear();
  remove();
}

TEST(AddAcceptHandlerTest, EmfileWithoutSpareDescriptorPausesTheListener) {
  IOLoop loop;
  Socket listener = listen_loopback();
  SocketAddress address = SocketAddress::local_of(listener.get());
  Socket client(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(client.valid());
  AcceptStats stats;
  std::vector<Socket> connections;
  DescriptorLimit limit;
  limit.exhaust();
  // The spare cannot be opened now, so EMFILE can only be met by pausing.
  auto remove = add_accept_handler(
      listener.get(),
      [&](Socket connection, const SocketAddress&) {
        connections.push_back(std::move(connection));
      },
      loop, &stats);
  int rc =
      connect(client.get(), reinterpret_cast<const sockaddr*>(&address.storage),
              address.length);
  ASSERT_TRUE(rc == 0 || errno == EINPROGRESS);
  ASSERT_TRUE(wait_connected(client));
  EXPECT_FALSE(loop.run_until([] { return false; }, 0.35));
  // One wakeup per pause of kAcceptPauseSeconds, not one per loop iteration.
  EXPECT_GE(stats.pauses, 1u);
  EXPECT_LE(stats.wakeups, 8u);
  EXPECT_TRUE(connections.empty());

  limit.release_some(8);
  EXPECT_TRUE(loop.run_until([&] { return connections.size() == 1; }, 5));
  EXPECT_TRUE(loop.has_handler(listener.get()));
  connections.clear();
  remove();
  // The remover also cancels a pending retry: nothing re-registers it.
  EXPECT_FALSE(
      loop.run_until([&] { return loop.has_handler(listener.get()); }, 0.25));
}

TEST(AddAcceptHandlerTest, RemoverCancelsAPendingRetry) {
  IOLoop loop;
  Socket listener = listen_loopback();
  SocketAddress address = SocketAddress::local_of(listener.get());
  Socket client(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  AcceptStats stats;
  DescriptorLimit limit;
  limit.exhaust();
  auto remove = add_accept_handler(
      listener.get(), [](Socket, const SocketAddress&) {}, loop, &stats);
  int rc =
      connect(client.get(), reinterpret_cast<const sockaddr*>(&address.storage),
              address.length);
  ASSERT_TRUE(rc == 0 || errno == EINPROGRESS);
  ASSERT_TRUE(wait_connected(client));
  ASSERT_TRUE(loop.run_until([&] { return stats.pauses == 1; }, 5));
  EXPECT_FALSE(loop.has_handler(listener.get()));
  remove();
  limit.release_some(8);
  EXPECT_FALSE(loop.run_until(
      [&] { return loop.has_handler(listener.get()) || stats.wakeups > 1; },
      3 * kAcceptPauseSeconds));
}

// --- bind_unix_socket ------------------------------------------------------

class UnixSocketTest : public ::testing::Test {
 protected:
  // Under /tmp: a unix socket path must fit in 108 bytes, which Bazel's
  // TEST_TMPDIR may not.
  void SetUp() override {
    char dir_template[] = "/tmp/eddy_unix_XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    path_ = dir_ + "/server.sock";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  std::string path_;
};

TEST_F(UnixSocketTest, CreatesASocketWithTheMode) {
  Socket sock = bind_unix_socket(path_, 0640);
  struct stat info;
  ASSERT_EQ(lstat(path_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0640u);
  EXPECT_TRUE(is_nonblocking(sock.get()));
  EXPECT_TRUE(is_cloexec(sock.get()));
}

TEST_F(UnixSocketTest, ReplacesAStaleSocketFile) {
  bind_unix_socket(path_);  // Closed at once: the file stays, stale.
  ASSERT_TRUE(std::filesystem::is_socket(path_));
  Socket sock = bind_unix_socket(path_);
  Socket client = connect_to(SocketAddress::local_of(sock.get()));
  EXPECT_TRUE(wait_connected(client));
}

TEST_F(UnixSocketTest, RefusesToDeleteARegularFile) {
  std::ofstream(path_) << "precious";
  try {
    bind_unix_socket(path_);
    FAIL() << "replaced a regular file";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), EEXIST);
    EXPECT_NE(std::string(error.what()).find(path_), std::string::npos)
        << error.what();
  }
  std::ifstream in(path_);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST_F(UnixSocketTest, RejectsAPathTooLongForSunPath) {
  EXPECT_THROW(bind_unix_socket(dir_ + "/" + std::string(200, 'x')),
               std::system_error);
}

// --- is_valid_ip -----------------------------------------------------------

struct IpCase {
  std::string_view text;
  bool valid;
};

TEST(IsValidIpTest, Table) {
  using namespace std::string_view_literals;
  const IpCase cases[] = {
      {"127.0.0.1", true},
      {"4.4.4.4", true},
      {"::1", true},
      {"2620:0:1cfe:face:b00c::3", true},
      {"::ffff:127.0.0.1", true},
      {"fe80::1%lo", true},  // Scoped, as getaddrinfo(AI_NUMERICHOST).
      {"fe80::1%1", true},
      {"www.google.com", false},
      {"localhost", false},
      {"4.4.4.4<", false},
      {" 127.0.0.1", false},
      {"127.0.0.1 ", false},
      {"127.1", false},  // inet_aton shorthand: not a literal we accept.
      {"256.0.0.1", false},
      {"", false},
      {" ", false},
      {"\n", false},
      {"\0"sv, false},
      {"127.0.0.1\0"sv, false},
      {"::1\0evil"sv, false},
      {":::", false},
      {"fe80::1%", false},
  };
  for (const IpCase& c : cases) {
    EXPECT_EQ(is_valid_ip(c.text), c.valid)
        << "'" << std::string(c.text) << "'";
  }
  EXPECT_FALSE(is_valid_ip(std::string(100, 'a')));
}

}  // namespace
}  // namespace eddy
