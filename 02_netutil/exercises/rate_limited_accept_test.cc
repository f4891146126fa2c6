// Grading tests of exercise 02.3 (rate_limited_accept.h). Clients connect to
// 127.0.0.1 with non-blocking sockets; every wait is run_until with a
// deadline, and the timing bounds are wide (the machine may be busy).
#include "02_netutil/exercises/rate_limited_accept.h"

#include <poll.h>
#include <sys/socket.h>

#include <stdexcept>
#include <vector>

#include "02_netutil/socket_address.h"
#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

struct Server {
  IOLoop loop;
  Socket listener;
  SocketAddress address;
  Server() {
    std::vector<Socket> sockets = bind_sockets(0, "127.0.0.1", AF_INET);
    listener = std::move(sockets.at(0));
    address = SocketAddress::local_of(listener.get());
  }
  // Opens `n` connections and waits until each is in the accept queue.
  std::vector<Socket> connect(int n) {
    std::vector<Socket> clients;
    for (int i = 0; i < n; ++i) {
      Socket s(
          ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      ::connect(s.get(), reinterpret_cast<const sockaddr*>(&address.storage),
                address.length);
      pollfd p{s.get(), POLLOUT, 0};
      EXPECT_EQ(::poll(&p, 1, 5000), 1);
      clients.push_back(std::move(s));
    }
    return clients;
  }
};

TEST(RateLimitedAcceptTest, AcceptsAtMostTheBudgetInTheFirstWindow) {
  Server server;
  std::vector<Socket> clients = server.connect(25);
  std::vector<Socket> accepted;
  RateLimitStats stats;
  double start = server.loop.time();
  auto remove = add_rate_limited_accept_handler(
      server.listener.get(),
      [&](Socket s, const SocketAddress&) { accepted.push_back(std::move(s)); },
      10, server.loop, &stats);
  ASSERT_TRUE(
      server.loop.run_until([&] { return accepted.size() >= 10; }, 5.0));
  // Stay inside the first window (it ends 1 s after `start`).
  double until = start + 0.6 - server.loop.time();
  if (until > 0) server.loop.run_until([] { return false; }, until);
  if (server.loop.time() - start < 0.9) {
    EXPECT_EQ(accepted.size(), 10u);
    EXPECT_EQ(stats.accepted, 10u);
    EXPECT_GE(stats.pauses, 1u);
    EXPECT_FALSE(server.loop.has_handler(server.listener.get()))
        << "while the budget is spent the listener must not be watched";
  }
  remove();
}

TEST(RateLimitedAcceptTest, LaterWindowsTakeTheRestOfTheBacklog) {
  Server server;
  std::vector<Socket> clients = server.connect(25);
  std::vector<double> times;
  double start = server.loop.time();
  auto remove = add_rate_limited_accept_handler(
      server.listener.get(),
      [&](Socket, const SocketAddress&) {
        times.push_back(server.loop.time() - start);
      },
      10, server.loop);
  ASSERT_TRUE(server.loop.run_until([&] { return times.size() == 25; }, 8.0))
      << "accepted " << times.size() << " of 25";
  // 10 in [0,1), 10 in [1,2), 5 in [2,3): the 11th and 21st wait for a window.
  EXPECT_LT(times[9], 1.0);
  EXPECT_GE(times[10], 0.99);
  EXPECT_GE(times[20], 1.99);
  EXPECT_LT(times[24], 5.0);
  remove();
}

TEST(RateLimitedAcceptTest, QuietListenerAcceptsAtOnce) {
  Server server;
  int accepted = 0;
  auto remove = add_rate_limited_accept_handler(
      server.listener.get(), [&](Socket, const SocketAddress&) { ++accepted; },
      2, server.loop);
  EXPECT_TRUE(server.loop.has_handler(server.listener.get()));
  // Spend the first window's budget, then stay quiet past it.
  std::vector<Socket> first = server.connect(2);
  ASSERT_TRUE(server.loop.run_until([&] { return accepted == 2; }, 5.0));
  server.loop.run_until([] { return false; }, 1.3);
  EXPECT_TRUE(server.loop.has_handler(server.listener.get()))
      << "once the window has passed, the listener is watched again";
  double before = server.loop.time();
  std::vector<Socket> second = server.connect(1);
  ASSERT_TRUE(server.loop.run_until([&] { return accepted == 3; }, 5.0));
  EXPECT_LT(server.loop.time() - before, 0.5);
  remove();
}

TEST(RateLimitedAcceptTest, RemoverDuringAPauseCancelsTheResume) {
  Server server;
  std::vector<Socket> clients = server.connect(6);
  int accepted = 0;
  auto remove = add_rate_limited_accept_handler(
      server.listener.get(), [&](Socket, const SocketAddress&) { ++accepted; },
      3, server.loop);
  ASSERT_TRUE(server.loop.run_until([&] { return accepted == 3; }, 5.0));
  remove();
  remove();  // Twice is harmless.
  server.loop.run_until([] { return false; }, 1.5);
  EXPECT_EQ(accepted, 3);
  EXPECT_FALSE(server.loop.has_handler(server.listener.get()));
}

TEST(RateLimitedAcceptTest, RemoverInsideTheCallbackStopsAccepting) {
  Server server;
  std::vector<Socket> clients = server.connect(5);
  int accepted = 0;
  std::function<void()> remove;
  remove = add_rate_limited_accept_handler(
      server.listener.get(),
      [&](Socket, const SocketAddress&) {
        if (++accepted == 2) remove();
      },
      100, server.loop);
  ASSERT_TRUE(server.loop.run_until([&] { return accepted >= 2; }, 5.0));
  server.loop.run_until([] { return false; }, 0.2);
  EXPECT_EQ(accepted, 2);
  EXPECT_FALSE(server.loop.has_handler(server.listener.get()));
}

TEST(RateLimitedAcceptTest, BadRateThrowsInvalidArgument) {
  Server server;
  auto cb = [](Socket, const SocketAddress&) {};
  EXPECT_THROW(add_rate_limited_accept_handler(server.listener.get(), cb, 0,
                                               server.loop),
               std::invalid_argument);
  EXPECT_THROW(add_rate_limited_accept_handler(server.listener.get(), cb, -5,
                                               server.loop),
               std::invalid_argument);
  EXPECT_FALSE(server.loop.has_handler(server.listener.get()));
}

}  // namespace
}  // namespace eddy::exercises
