// The raw echo example under load: a client that reads slowly forces the
// server into partial writes, and every byte must still come back in order.
#include "02_netutil/raw_echo.h"

#include <sys/socket.h>

#include <cerrno>
#include <string>

#include "01_ioloop/ioloop.h"
#include "02_netutil/netutil.h"
#include "gtest/gtest.h"

namespace eddy::examples {
namespace {

TEST(RawEchoServerTest, EchoesEveryByteThroughPartialWrites) {
  IOLoop loop;
  std::vector<Socket> listeners = bind_sockets(0, "127.0.0.1");
  SocketAddress address = SocketAddress::local_of(listeners[0].get());
  RawEchoServer server(std::move(listeners), loop);

  std::string payload(4 << 20, '\0');
  for (size_t i = 0; i < payload.size(); ++i) {
    payload[i] = static_cast<char>((i * 7919) >> 3);
  }
  Socket client(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  int small = 4096;  // A small window makes the server's sends come up short.
  setsockopt(client.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  int rc =
      connect(client.get(), reinterpret_cast<const sockaddr*>(&address.storage),
              address.length);
  ASSERT_TRUE(rc == 0 || errno == EINPROGRESS);

  size_t sent = 0;
  std::string received;
  bool done = false;
  bool failed = false;
  loop.add_handler(
      client.get(),
      [&](int fd, uint32_t events) {
        if ((events & IOLoop::WRITE) && sent < payload.size()) {
          ssize_t n = send(fd, payload.data() + sent,
                           std::min<size_t>(payload.size() - sent, 256 << 10),
                           MSG_NOSIGNAL);
          if (n > 0) sent += static_cast<size_t>(n);
          if (sent == payload.size()) {
            shutdown(fd, SHUT_WR);
            loop.update_handler(fd, IOLoop::READ);
          }
        }
        if (events & (IOLoop::READ | IOLoop::ERROR)) {
          char buffer[2048];  // Read slowly.
          ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
          if (n > 0) received.append(buffer, static_cast<size_t>(n));
          if (n == 0) done = true;
          if (n < 0 && errno != EAGAIN) failed = true;
        }
      },
      IOLoop::READ | IOLoop::WRITE);
  EXPECT_TRUE(loop.run_until([&] { return done || failed; }, 30));
  loop.remove_handler(client.get());
  EXPECT_FALSE(failed);
  EXPECT_EQ(received.size(), payload.size());
  EXPECT_TRUE(received == payload) << "echo corrupted or reordered";
  EXPECT_GT(server.partial_writes(), 0u) << "the test never filled a buffer";
  EXPECT_TRUE(
      loop.run_until([&] { return server.connection_count() == 0; }, 5));
}

TEST(RawEchoServerTest, ClientVanishingMidEchoClosesTheConnection) {
  IOLoop loop;
  std::vector<Socket> listeners = bind_sockets(0, "127.0.0.1");
  SocketAddress address = SocketAddress::local_of(listeners[0].get());
  RawEchoServer server(std::move(listeners), loop);
  {
    Socket client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_EQ(connect(client.get(),
                      reinterpret_cast<const sockaddr*>(&address.storage),
                      address.length),
              0);
    ASSERT_TRUE(
        loop.run_until([&] { return server.connection_count() == 1; }, 5));
    std::string chunk(1 << 20, 'x');
    ASSERT_GT(send(client.get(), chunk.data(), chunk.size(), MSG_DONTWAIT), 0);
  }  // Closed without reading the echo: the server's sends fail.
  EXPECT_TRUE(
      loop.run_until([&] { return server.connection_count() == 0; }, 5));
}

}  // namespace
}  // namespace eddy::examples
