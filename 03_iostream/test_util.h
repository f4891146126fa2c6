// Test helpers for 03_iostream (testonly): connected socket pairs and small
// blocking helpers for the "other side" of a stream under test.
#ifndef EDDY_03_IOSTREAM_TEST_UTIL_H_
#define EDDY_03_IOSTREAM_TEST_UTIL_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

#include "02_netutil/file_descriptor.h"
#include "02_netutil/socket_address.h"

namespace eddy::testing {

inline void check(bool ok, const char* what) {
  if (!ok) throw std::system_error(errno, std::generic_category(), what);
}

inline void set_blocking(int fd, bool blocking) {
  int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK);
}

// A connected AF_UNIX stream pair; both ends non-blocking.
inline std::pair<Socket, Socket> unix_pair() {
  int fds[2];
  check(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                     fds) == 0,
        "socketpair");
  return {Socket(fds[0]), Socket(fds[1])};
}

// A listening TCP socket on 127.0.0.1 with an ephemeral port.
inline Socket tcp_listener() {
  Socket listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  check(listener.valid(), "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  check(::bind(listener.get(), reinterpret_cast<sockaddr*>(&address),
               sizeof address) == 0,
        "bind");
  check(::listen(listener.get(), 16) == 0, "listen");
  return listener;
}

// Sets SO_SNDBUF and SO_RCVBUF (the kernel doubles and clamps them).
inline void set_buffer_sizes(int fd, int size) {
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

// A connected TCP pair over 127.0.0.1, both ends non-blocking. With
// `buffer_size` > 0 both ends get tiny socket buffers (set before connect so
// the window is small from the start).
inline std::pair<Socket, Socket> tcp_pair(int buffer_size = 0) {
  Socket listener = tcp_listener();
  if (buffer_size > 0) set_buffer_sizes(listener.get(), buffer_size);
  SocketAddress address = SocketAddress::local_of(listener.get());
  Socket client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  check(client.valid(), "socket");
  if (buffer_size > 0) set_buffer_sizes(client.get(), buffer_size);
  check(::connect(client.get(), reinterpret_cast<sockaddr*>(&address.storage),
                  address.length) == 0,
        "connect");
  Socket server(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  check(server.valid(), "accept");
  set_blocking(client.get(), false);
  set_blocking(server.get(), false);
  return {std::move(client), std::move(server)};
}

// Bytes waiting to be read on fd.
inline int bytes_readable(int fd) {
  int count = 0;
  ::ioctl(fd, FIONREAD, &count);
  return count;
}

// Writes all of `data` to a (possibly non-blocking) fd, spinning on EAGAIN;
// only for small test inputs the peer's socket buffer can hold.
inline void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    check(n > 0, "send");
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// Reads what is there now (non-blocking); "" when nothing.
inline std::string read_available(int fd) {
  std::string out;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

// Closes fd with an RST instead of a FIN (SO_LINGER with a zero timeout).
inline void reset_close(Socket& socket) {
  linger option{1, 0};
  ::setsockopt(socket.get(), SOL_SOCKET, SO_LINGER, &option, sizeof option);
  socket.reset();
}

// A deterministic pseudo-random pattern (xorshift64), fast to make and check.
inline std::string make_pattern(size_t size,
                                uint64_t seed = 88172645463325252ull) {
  std::string out(size, '\0');
  uint64_t x = seed;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    __builtin_memcpy(&out[i], &x, 8);
  }
  if (i < size) __builtin_memcpy(&out[i], &x, size - i);  // The tail.
  return out;
}

}  // namespace eddy::testing

#endif  // EDDY_03_IOSTREAM_TEST_UTIL_H_
