// SocketAddress: an IPv4, IPv6 or unix-domain address as the kernel returns
// it from accept(2)/getsockname(2), with the (host, port) view Tornado's
// address tuples give.
#ifndef EDDY_02_NETUTIL_SOCKET_ADDRESS_H_
#define EDDY_02_NETUTIL_SOCKET_ADDRESS_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace eddy {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  // Numeric host ("127.0.0.1", "::1"), or the path of a unix socket.
  std::string host() const;
  // Port in host byte order; 0 for unix sockets.
  uint16_t port() const;
  // "127.0.0.1:8888", "[::1]:8888" or the unix path.
  std::string to_string() const;

  // The local address of a bound socket (getsockname). Throws
  // std::system_error.
  static SocketAddress local_of(int fd);
  // The peer address of a connected socket (getpeername). Throws
  // std::system_error.
  static SocketAddress peer_of(int fd);
};

}  // namespace eddy

#endif  // EDDY_02_NETUTIL_SOCKET_ADDRESS_H_
