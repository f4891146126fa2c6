// Grading tests of exercise 02.1 (bind_port_range.h). Ports are found by
// binding port 0 first, so the tests do not depend on fixed port numbers.
#include "02_netutil/exercises/bind_port_range.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "02_netutil/netutil.h"
#include "02_netutil/socket_address.h"
#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

// A port that is in use (held by the returned sockets) on 127.0.0.1.
BoundPort hold_some_port() {
  std::vector<Socket> sockets = bind_sockets(0, "127.0.0.1", AF_INET);
  int port = SocketAddress::local_of(sockets.at(0).get()).port();
  return BoundPort{port, std::move(sockets)};
}

bool is_listening(int fd) {
  int value = 0;
  socklen_t length = sizeof(value);
  return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) == 0 &&
         value == 1;
}

TEST(BindPortRangeTest, BindsTheFirstPortWhenItIsFree) {
  int port;
  {
    BoundPort probe = hold_some_port();
    port = probe.port;
  }  // Released: very likely free again now.
  BoundPort bound = bind_port_range(port, port + 5, "127.0.0.1", AF_INET);
  EXPECT_EQ(bound.port, port);
  ASSERT_EQ(bound.sockets.size(), 1u);
  EXPECT_TRUE(is_listening(bound.sockets[0].get()));
  EXPECT_EQ(SocketAddress::local_of(bound.sockets[0].get()).port(), port);
}

TEST(BindPortRangeTest, SkipsPortsInUse) {
  BoundPort busy = hold_some_port();
  if (busy.port >= 65500) GTEST_SKIP() << "port too close to the top";
  BoundPort bound =
      bind_port_range(busy.port, busy.port + 50, "127.0.0.1", AF_INET);
  EXPECT_GT(bound.port, busy.port);
  EXPECT_LE(bound.port, busy.port + 50);
  ASSERT_FALSE(bound.sockets.empty());
  EXPECT_EQ(SocketAddress::local_of(bound.sockets[0].get()).port(), bound.port);
}

TEST(BindPortRangeTest, AllPortsInUseThrowsEaddrinuseNamingTheRange) {
  BoundPort busy = hold_some_port();
  std::string port = std::to_string(busy.port);
  try {
    bind_port_range(busy.port, busy.port, "127.0.0.1", AF_INET);
    FAIL() << "expected std::system_error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::address_in_use) << e.what();
    EXPECT_NE(std::string(e.what()).find(port), std::string::npos) << e.what();
  }
}

TEST(BindPortRangeTest, OtherErrorsAreRethrownAtOnce) {
  // 192.0.2.1 (TEST-NET-1) is not an address of this host: EADDRNOTAVAIL,
  // which no other port would fix.
  try {
    bind_port_range(20000, 20100, "192.0.2.1", AF_INET);
    FAIL() << "expected std::system_error";
  } catch (const std::system_error& e) {
    EXPECT_NE(e.code(), std::errc::address_in_use) << e.what();
    EXPECT_NE(std::string(e.what()).find("192.0.2.1"), std::string::npos)
        << "the original message (naming the address) is kept: " << e.what();
  }
}

TEST(BindPortRangeTest, BadRangesThrowInvalidArgument) {
  EXPECT_THROW(bind_port_range(0, 10), std::invalid_argument);
  EXPECT_THROW(bind_port_range(9000, 8000), std::invalid_argument);
  EXPECT_THROW(bind_port_range(65000, 65536), std::invalid_argument);
}

TEST(BindPortRangeTest, ReturnsEverySocketOfTheAddress) {
  // "localhost" may resolve to 127.0.0.1 and ::1: both sockets come back,
  // on the same port.
  int port;
  {
    BoundPort probe = hold_some_port();
    port = probe.port;
  }
  BoundPort bound = bind_port_range(port, port + 20, "localhost");
  ASSERT_FALSE(bound.sockets.empty());
  for (const Socket& s : bound.sockets)
    EXPECT_EQ(SocketAddress::local_of(s.get()).port(), bound.port);
}

}  // namespace
}  // namespace eddy::exercises
