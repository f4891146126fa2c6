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

#include <cstdint>
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
// - address "" binds every interface (0.0.0.0 and ::); a host name binds
//   every address getaddrinfo(AI_PASSIVE) gives for it ("localhost": 127.0.0.1
//   and, where /etc/hosts lists it, ::1; on a system whose resolver does
//   not know "localhost" at all, 127.0.0.1 and ::1, as RFC 6761 §6.3 asks);
//   a literal IP binds just that one.
//   Duplicate results and families the kernel lacks (EAFNOSUPPORT) are
//   skipped; IPv4 addresses are bound before IPv6 ones.
// - family AF_UNSPEC (both), AF_INET or AF_INET6 restricts resolution.
// - Every socket is non-blocking, close-on-exec, SO_REUSEADDR; v6 sockets get
//   IPV6_V6ONLY; SO_REUSEPORT when reuse_port is true.
// - port 0: the first socket gets an ephemeral port and every further family
//   binds that same port, as Tornado does.
// The caller owns the returned sockets. Throws std::system_error (address in
// use, bad address, privileged port, port outside 0..65535, ...), naming the
// address and port: "bind [::1]:8888: Address already in use".
std::vector<Socket> bind_sockets(int port, const std::string& address = "",
                                 int family = AF_UNSPEC,
                                 int backlog = kDefaultBacklog,
                                 bool reuse_port = false);

// Creates a listening unix-domain socket at `path` with permissions `mode`
// (bind_unix_socket). A stale socket file at `path` is replaced; any other
// kind of file there is left alone and std::system_error (EEXIST) is thrown.
// A path that does not fit in sockaddr_un throws ENAMETOOLONG. Messages name
// the path.
Socket bind_unix_socket(const std::string& path, mode_t mode = 0600,
                        int backlog = kDefaultBacklog);

// Called with each accepted connection (non-blocking, close-on-exec) and its
// peer address. The callback owns the connection socket.
using AcceptCallback =
    std::function<void(Socket connection, const SocketAddress& address)>;

// Watches `listener` (a listening socket the caller keeps open) on `io_loop`
// and calls `callback` for each connection (add_accept_handler). On each
// readiness event it accepts until EAGAIN, at most kMaxAcceptsPerEvent
// connections so one busy listener cannot starve other handlers;
// ECONNABORTED and EINTR are skipped, and so are the other per-connection
// errors accept(2) lists (EPROTO, ENETDOWN, ...), logged. When the process
// runs out of descriptors (EMFILE/ENFILE) it does not spin: it keeps a spare
// descriptor (/dev/null) and spends it to accept and at once close each
// pending connection; if even that fails, it stops watching the listener for
// kAcceptPauseSeconds. See README.md ("The EMFILE trap").
// `max_accepts_per_event` (an addition, >= 1, else std::invalid_argument) is
// nginx's multi_accept: worker processes sharing one listening socket
// balance better with 1 (nginx's default), because the worker that woke
// first then takes one connection and the next one wakes another worker
// (the listener is registered with IOLoop::EXCLUSIVE: one waiting loop is
// woken per event, not every process's). With 1, EMFILE/ENFILE pause this
// listener instead of shedding: another worker may have descriptors left.
// Returns a function that removes the handler (and any pending retry); call
// it before closing `listener`. Calling it twice is harmless, and so is
// calling it from inside `callback`: no further connection is accepted.
// `stats` (optional, an addition) receives counters; see AcceptStats.
constexpr int kMaxAcceptsPerEvent = 128;

// (Addition to the original contract.) How long a listener stops accepting
// after an accept error it cannot work around (EMFILE/ENFILE with no spare
// descriptor left, ENOBUFS, ENOMEM, ...), before it is watched again.
constexpr double kAcceptPauseSeconds = 0.1;

// (Addition to the original contract.) Counters an accept handler keeps when
// given a pointer to them: what tests and monitoring read to prove the
// per-event bound and that EMFILE does not spin. The caller owns the struct
// and keeps it alive until the remover has been called; loop thread only.
struct AcceptStats {
  uint64_t wakeups = 0;   // Times the listener's handler ran.
  uint64_t accepted = 0;  // Connections handed to the callback.
  uint64_t shed = 0;      // Connections accepted and closed at once (EMFILE).
  uint64_t pauses = 0;    // Times accepting stopped for kAcceptPauseSeconds.
  uint64_t errors = 0;    // Per-connection errors skipped (ECONNABORTED, ...).
  // Never above max_accepts_per_event.
  int max_accepts_in_one_wakeup = 0;
};

std::function<void()> add_accept_handler(
    int listener, AcceptCallback callback, IOLoop& io_loop = IOLoop::current(),
    AcceptStats* stats = nullptr,
    int max_accepts_per_event = kMaxAcceptsPerEvent);

// True when `ip` is a literal IPv4 or IPv6 address (is_valid_ip). Host names,
// empty strings and strings with NUL bytes are not. IPv4 must be a dotted
// quad ("127.1" is rejected, unlike inet_aton); IPv6 may carry a scope
// ("fe80::1%lo"), accepted as getaddrinfo(AI_NUMERICHOST) accepts it.
bool is_valid_ip(std::string_view ip);

}  // namespace eddy

#endif  // EDDY_02_NETUTIL_NETUTIL_H_
