// bind_sockets, open_spare and accept_ready: the heart of netutil (listener.h
// states the contract; netutil.cc is the glue around it). This file is also Lab
// 02's reference solution: a student writes lab/listener.cc to the same
// contract.
#include "02_netutil/listener.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "01_ioloop/log.h"

namespace eddy {

namespace {

void set_int_option(const Socket& sock, int level, int option, int value,
                    const char* name, const SocketAddress& address) {
  if (setsockopt(sock.get(), level, option, &value, sizeof(value)) != 0) {
    throw_errno(errno,
                std::string("setsockopt ") + name + " " + address.to_string());
  }
}

// Creates, configures, binds and listens one socket of bind_sockets; an
// invalid Socket when the kernel lacks the address's family.
Socket bind_one(const SocketAddress& address, int backlog, bool reuse_port) {
  Socket sock(::socket(address.family(),
                       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!sock) {
    // A kernel without IPv6 (or IPv4): skip that family, as Tornado does.
    if (errno == EAFNOSUPPORT) return Socket();
    throw_errno(errno, "socket " + address.to_string());
  }
  // Restarting a server must not fail because of connections of the previous
  // process lingering in TIME_WAIT.
  set_int_option(sock, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", address);
  if (reuse_port) {
    set_int_option(sock, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT", address);
  }
  if (address.family() == AF_INET6) {
    // The v4 socket (if any) is separate; without this, binding :: would
    // also claim 0.0.0.0 and the second bind would fail with EADDRINUSE.
    set_int_option(sock, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY", address);
  }
  if (::bind(sock.get(), reinterpret_cast<const sockaddr*>(&address.storage),
             address.length) != 0) {
    throw_errno(errno, "bind " + address.to_string());
  }
  if (::listen(sock.get(), backlog) != 0) {
    throw_errno(errno, "listen " + address.to_string());
  }
  return sock;
}

}  // namespace

std::vector<Socket> bind_sockets(int port, const std::string& address,
                                 int family, int backlog, bool reuse_port) {
  if (port < 0 || port > 65535) {
    throw_errno(EINVAL, "bind_sockets '" + address + "' port " +
                            std::to_string(port) + ": port out of range");
  }
  std::vector<Socket> sockets;
  uint16_t bound_port = 0;  // The ephemeral port the first bind got.
  for (SocketAddress target : resolve_passive(port, address, family)) {
    if (port == 0 && bound_port != 0) set_port(target, bound_port);
    Socket sock = bind_one(target, backlog, reuse_port);
    if (!sock) continue;
    if (port == 0 && bound_port == 0) {
      bound_port = SocketAddress::local_of(sock.get()).port();
    }
    sockets.push_back(std::move(sock));
  }
  if (sockets.empty()) {
    throw_errno(EAFNOSUPPORT, "bind_sockets '" + address + "' port " +
                                  std::to_string(port) +
                                  ": no address of a supported family");
  }
  return sockets;
}

FileDescriptor open_spare() {
  return FileDescriptor(::open("/dev/null", O_RDONLY | O_CLOEXEC));
}

namespace {

enum class Shed { kClosedOne, kNonePending, kImpossible };

// DOC: shed-one. (README.md, "The EMFILE trap".)
// EMFILE/ENFILE: give the spare descriptor's slot to the pending connection,
// close that connection at once (the client sees a close rather than hanging
// in the backlog), and take the slot back for the spare.
Shed shed_one_connection(Acceptor& acceptor) {
  if (!acceptor.spare) return Shed::kImpossible;
  acceptor.spare.reset();
  int fd = ::accept4(acceptor.listener, nullptr, nullptr,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
  int error = errno;
  if (fd >= 0) ::close(fd);
  acceptor.spare = open_spare();
  if (!acceptor.spare) return Shed::kImpossible;  // Another thread took it.
  if (fd >= 0) {
    acceptor.stats->shed++;
    return Shed::kClosedOne;
  }
  if (error == EAGAIN || error == EWOULDBLOCK) return Shed::kNonePending;
  if (is_per_connection_error(error)) return Shed::kClosedOne;
  return Shed::kImpossible;
}

// DOC: accept-loop. (README.md, "Non-blocking accept loops".)
// The accept loop proper; accept_ready adds the shed report.
AfterAccept accept_until_eagain(Acceptor& acceptor) {
  AcceptStats& stats = *acceptor.stats;
  int accepted = 0;
  for (int attempt = 0; attempt < acceptor.max_accepts; ++attempt) {
    if (acceptor.removed) break;  // The callback may have called the remover.
    SocketAddress address;
    address.length = sizeof(address.storage);
    int fd = ::accept4(acceptor.listener,
                       reinterpret_cast<sockaddr*>(&address.storage),
                       &address.length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      ++accepted;
      stats.accepted++;
      if (accepted > stats.max_accepts_in_one_wakeup) {
        stats.max_accepts_in_one_wakeup = accepted;
      }
      // An exception leaves through the IOLoop, which logs it; the level-
      // triggered listener wakes the loop again for what is left.
      acceptor.callback(Socket(fd), address);
      continue;
    }
    int error = errno;
    if (error == EAGAIN || error == EWOULDBLOCK) break;
    if (error == EMFILE || error == ENFILE) {
      Shed result = shed_one_connection(acceptor);
      if (result == Shed::kClosedOne) continue;
      if (result == Shed::kNonePending) break;
      log_error(std::string("accept: ") + std::strerror(error) +
                "; no spare descriptor, pausing the listener");
      return AfterAccept::kPause;
    }
    if (is_per_connection_error(error)) {
      stats.errors++;
      if (error != ECONNABORTED && error != EINTR) {
        log_warning(std::string("accept: skipped a connection: ") +
                    std::strerror(error));
      }
      continue;
    }
    // ENOBUFS, ENOMEM, EBADF...: retrying at once would spin; wait a little.
    log_error(std::string("accept on fd ") + std::to_string(acceptor.listener) +
              ": " + std::strerror(error) + "; pausing the listener");
    return AfterAccept::kPause;
  }
  return AfterAccept::kKeepWatching;
}

}  // namespace

AfterAccept accept_ready(Acceptor& acceptor) {
  AcceptStats& stats = *acceptor.stats;
  stats.wakeups++;
  uint64_t shed_before = stats.shed;
  AfterAccept next = accept_until_eagain(acceptor);
  if (stats.shed != shed_before) {
    log_warning("accept: out of file descriptors; closed " +
                std::to_string(stats.shed - shed_before) +
                " pending connection(s) on fd " +
                std::to_string(acceptor.listener));
  }
  return next;
}

}  // namespace eddy
