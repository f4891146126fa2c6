// Lab 02: bind_sockets and the accept loop, written by you (README.md next to
// this file says what to build, in which order, and how it is graded).
//
// The contract is in 02_netutil/netutil.h (bind_sockets) and
// 02_netutil/listener.h (open_spare, accept_ready, Acceptor, and the helpers
// marked "Given" that you may call). The three functions below start as a call
// to todo(), which throws "TODO(lab 02): ..."; replace each body. Add helpers
// in the anonymous namespace as you like (a bind_one for one socket and a
// shed_one_connection for EMFILE read well).
#include "02_netutil/listener.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "01_ioloop/log.h"
#include "tools/lab/todo.h"

namespace eddy {

namespace {

// Your helpers here.

}  // namespace

std::vector<Socket> bind_sockets(int port, const std::string& address,
                                 int family, int backlog, bool reuse_port) {
  // TODO(lab 02), in this order (walkthrough: "Sockets, bind, listen, accept",
  // "IPv4 and IPv6: dual stack without surprises", "SO_REUSEADDR and
  // SO_REUSEPORT"):
  // 1. A port outside 0..65535 throws (throw_errno with EINVAL), naming the
  //    address and the port.
  // 2. For each SocketAddress of resolve_passive(port, address, family), in
  //    that order: socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
  //    0). If it fails with EAFNOSUPPORT, skip the address; other failures
  //    throw "socket <address>: <reason>".
  // 3. setsockopt SO_REUSEADDR = 1; SO_REUSEPORT = 1 only when reuse_port;
  //    IPV6_V6ONLY = 1 on an AF_INET6 socket. A failure throws
  //    "setsockopt <OPTION> <address>: <reason>".
  // 4. bind, then listen(backlog): failures throw "bind <address>: <reason>"
  //    and "listen <address>: <reason>", where <address> is
  //    SocketAddress::to_string() ("127.0.0.1:80", "[::1]:80").
  // 5. port 0: read the port the first socket got (SocketAddress::local_of)
  //    and set_port every later address to it before binding it.
  // 6. No socket at all (every family unsupported): throw EAFNOSUPPORT.
  // The Sockets you return close themselves if a later step throws.
  (void)port, (void)address, (void)family, (void)backlog, (void)reuse_port;
  lab::todo("02", "bind_sockets");
}

FileDescriptor open_spare() {
  // TODO(lab 02) (walkthrough: "The EMFILE trap", step 1): open /dev/null
  // read-only and close-on-exec, and return it; if open fails, return an
  // invalid FileDescriptor (never throw: a listener without a spare still
  // works, it pauses instead of shedding).
  lab::todo("02", "open_spare");
}

AfterAccept accept_ready(Acceptor& acceptor) {
  // TODO(lab 02), in this order (walkthrough: "Non-blocking accept loops",
  // "The EMFILE trap"):
  // 1. Count the wakeup (acceptor.stats->wakeups).
  // 2. Loop at most acceptor.max_accepts times. Before each accept, stop if
  //    acceptor.removed: the callback may have called the remover.
  // 3. accept4(listener, &address.storage, &address.length,
  //    SOCK_NONBLOCK | SOCK_CLOEXEC) (set address.length to the size of the
  //    storage first). A connection: count it (accepted, and
  //    max_accepts_in_one_wakeup, the most accepted in one call so far), then
  //    acceptor.callback(Socket(fd), address). Let its exceptions through.
  // 4. EAGAIN / EWOULDBLOCK: the queue is empty; return kKeepWatching.
  // 5. is_per_connection_error: count it in stats->errors and go on.
  // 6. EMFILE / ENFILE: with a spare, close it (one free slot), accept the
  //    pending connection into that slot and close it at once (count
  //    stats->shed), reopen the spare (open_spare), go on. No spare, or it
  //    cannot be reopened: return kPause. (accept4 giving EAGAIN here means
  //    nothing was pending after all.)
  // 7. Any other error: return kPause.
  // Returning kKeepWatching after max_accepts connections is right: the
  // level-triggered listener wakes the loop again for the rest.
  (void)acceptor;
  lab::todo("02", "accept_ready");
}

}  // namespace eddy
