// Listening sockets and the accept handler: Tornado's tornado.netutil
// (bind_sockets, bind_unix_socket, add_accept_handler, is_valid_ip).
//
// Errors (this layer's rule). Setup failures throw std::system_error whose
// message names what failed and the address/port or path involved ("bind
// 127.0.0.1:80: Permission denied"). Once a listener runs, nothing throws:
// per-connection accept errors are skipped or logged on the `general`
// channel, and an exception from the accept callback is logged by the IOLoop.
//
// Threads: call everything on the thread of the IOLoop involved.
#ifndef EDDY_02_NETUTIL_NETUTIL_H_
#define EDDY_02_NETUTIL_NETUTIL_H_

#include <sys/socket.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "02_netutil/file_descriptor.h"
#include "02_netutil/socket_address.h"

namespace eddy {

constexpr int kDefaultBacklog = 128;

// Creates listening sockets bound to `port` on `address` (bind_sockets).
// - address "" binds every interface (0.0.0.0 and ::); "localhost" resolves
//   to both 127.0.0.1 and ::1; a literal IP binds just that one.
// - family AF_UNSPEC (both), AF_INET or AF_INET6 restricts resolution.
// - Every socket is non-blocking, close-on-exec, SO_REUSEADDR; v6 sockets get
//   IPV6_V6ONLY; SO_REUSEPORT when reuse_port is true.
// - port 0: the first socket gets an ephemeral port and every further family
//   binds that same port, as Tornado does.
// The caller owns the returned sockets. Throws std::system_error (address in
// use, bad address, privileged port, ...), naming the address and port.
std::vector<Socket> bind_sockets(int port, const std::string& address = "",
                                 int family = AF_UNSPEC, int backlog = kDefaultBacklog,
                                 bool reuse_port = false);

// Creates a listening unix-domain socket at `path` with permissions `mode`
// (bind_unix_socket). A stale socket file at `path` is replaced; any other
// kind of file there is left alone and std::system_error (EEXIST) is thrown.
Socket bind_unix_socket(const std::string& path, mode_t mode = 0600,
                        int backlog = kDefaultBacklog);

// Called with each accepted connection (non-blocking, close-on-exec) and its
// peer address. The callback owns the connection socket.
using AcceptCallback = std::function<void(Socket connection, const SocketAddress& address)>;

// Watches `listener` (a listening socket the caller keeps open) on `io_loop`
// and calls `callback` for each connection (add_accept_handler). On each
// readiness event it accepts until EAGAIN, at most kMaxAcceptsPerEvent
// connections so one busy listener cannot starve other handlers;
// ECONNABORTED and EINTR are skipped. When the process runs out of
// descriptors (EMFILE/ENFILE) it does not spin: see README.md ("The EMFILE
// trap") for the strategy.
// Returns a function that removes the handler (and any pending retry); call
// it before closing `listener`. Calling it twice is harmless.
constexpr int kMaxAcceptsPerEvent = 128;
std::function<void()> add_accept_handler(int listener, AcceptCallback callback,
                                         IOLoop& io_loop = IOLoop::current());

// True when `ip` is a literal IPv4 or IPv6 address (is_valid_ip). Host names,
// empty strings and strings with NUL bytes are not.
bool is_valid_ip(std::string_view ip);

}  // namespace eddy

#endif  // EDDY_02_NETUTIL_NETUTIL_H_
