// A plain-socket client for the exercises' tests (given; not graded). The
// server under test runs on an IOLoop in the same thread, so the client
// never blocks: wait_for() drives the loop until the expected bytes arrive
// or a deadline passes. The client's socket is not registered with the loop
// (a client that stops reading must stay stopped), so the loop is driven in
// short slices and the socket checked between them: otherwise the loop would
// sleep in epoll_wait while the client's bytes arrive.
#ifndef EDDY_03_IOSTREAM_EXERCISES_TEST_CLIENT_H_
#define EDDY_03_IOSTREAM_EXERCISES_TEST_CLIENT_H_

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <string_view>

#include "01_ioloop/ioloop.h"
#include "02_netutil/file_descriptor.h"
#include "02_netutil/socket_address.h"

namespace eddy::exercises::testing {

constexpr double kDeadline = 5.0;

// Drives `loop` until `condition` holds or `timeout` seconds pass, in 5 ms
// slices.
template <typename Condition>
bool drive(IOLoop& loop, Condition condition, double timeout) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    loop.run_until(condition, 0.005);
  }
  return true;
}

class Client {
 public:
  Client(IOLoop& loop, const SocketAddress& address) : loop_(loop) {
    socket_.reset(::socket(address.family(),
                           SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    ::connect(socket_.get(),
              reinterpret_cast<const sockaddr*>(&address.storage),
              address.length);
    connected_ = drive(
        loop_,
        [&] {
          pollfd p{socket_.get(), POLLOUT, 0};
          return ::poll(&p, 1, 0) == 1;
        },
        kDeadline);
  }
  bool connected() const { return connected_; }

  // Sends everything, driving the loop while the socket is full.
  bool send(std::string_view data) {
    return drive(
        loop_,
        [&] {
          while (!data.empty()) {
            ssize_t n =
                ::send(socket_.get(), data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            data.remove_prefix(static_cast<size_t>(n));
          }
          return true;
        },
        kDeadline);
  }

  // Drives the loop until received() contains `text` (true), or the server
  // closes the connection without sending it, or the deadline passes.
  bool wait_for(std::string_view text, double timeout = kDeadline) {
    drive(
        loop_,
        [&] {
          pump();
          return eof_ || received_.find(text) != std::string::npos;
        },
        timeout);
    return received_.find(text) != std::string::npos;
  }
  // Drives the loop until the server closes the connection.
  bool wait_closed(double timeout = kDeadline) {
    return drive(
        loop_,
        [&] {
          pump();
          return eof_;
        },
        timeout);
  }
  // Drives the loop for `seconds`, collecting whatever arrives.
  void settle(double seconds = 0.05) {
    loop_.run_until(
        [&] {
          pump();
          return false;
        },
        seconds);
  }

  const std::string& received() const { return received_; }
  void clear() { received_.clear(); }
  bool eof() const { return eof_; }
  int fd() const { return socket_.get(); }
  void close() { socket_.reset(); }

  // Reads what is available without blocking.
  void pump() {
    if (!socket_) return;
    char buffer[65536];
    while (true) {
      ssize_t n = ::recv(socket_.get(), buffer, sizeof buffer, 0);
      if (n > 0) {
        received_.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        eof_ = true;
      return;
    }
  }

 private:
  IOLoop& loop_;
  Socket socket_;
  bool connected_ = false;
  bool eof_ = false;
  std::string received_;
};

}  // namespace eddy::exercises::testing

#endif  // EDDY_03_IOSTREAM_EXERCISES_TEST_CLIENT_H_
