#include "02_netutil/socket_address.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace eddy {

std::string SocketAddress::host() const {
  switch (family()) {
    case AF_INET:
    case AF_INET6: {
      char buffer[NI_MAXHOST];
      if (getnameinfo(reinterpret_cast<const sockaddr*>(&storage), length,
                      buffer, sizeof(buffer), nullptr, 0,
                      NI_NUMERICHOST) != 0) {
        return "";
      }
      return buffer;
    }
    case AF_UNIX: {
      const auto* un = reinterpret_cast<const sockaddr_un*>(&storage);
      size_t offset = offsetof(sockaddr_un, sun_path);
      if (length <= offset) return "";  // An unnamed socket.
      size_t size = length - offset;
      // Abstract sockets start with a NUL byte; keep it so they stay distinct.
      if (un->sun_path[0] != '\0') size = strnlen(un->sun_path, size);
      return std::string(un->sun_path, size);
    }
    default:
      return "";
  }
}

uint16_t SocketAddress::port() const {
  switch (family()) {
    case AF_INET:
      return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
    case AF_INET6:
      return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
    default:
      return 0;
  }
}

std::string SocketAddress::to_string() const {
  switch (family()) {
    case AF_INET:
      return host() + ":" + std::to_string(port());
    case AF_INET6:
      return "[" + host() + "]:" + std::to_string(port());
    default:
      return host();
  }
}

namespace {

template <typename GetName>
SocketAddress query(int fd, GetName get_name, const char* what) {
  SocketAddress address;
  address.length = sizeof(address.storage);
  if (get_name(fd, reinterpret_cast<sockaddr*>(&address.storage),
               &address.length) != 0) {
    throw std::system_error(errno, std::generic_category(),
                            std::string(what) + " fd " + std::to_string(fd));
  }
  return address;
}

}  // namespace

SocketAddress SocketAddress::local_of(int fd) {
  return query(fd, ::getsockname, "getsockname");
}

SocketAddress SocketAddress::peer_of(int fd) {
  return query(fd, ::getpeername, "getpeername");
}

}  // namespace eddy
