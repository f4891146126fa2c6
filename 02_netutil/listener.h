// The heart of netutil (internal to 02_netutil; Lab 02's contract):
// binding the listening sockets and the accept loop of one readiness event.
//
// listener.cc implements the functions marked "Lab 02" below, and so does
// the student's lab/listener.cc (--config=lab02; see lab/README.md).
// netutil.cc is the glue around them: it resolves addresses, registers the
// listener on the IOLoop, pauses it when accept_ready asks, and makes the
// remover. The helpers marked "Given" are that glue's, for both to use.
//
// Errors follow netutil.h: setup throws std::system_error naming the step and
// the address; accept_ready never throws (the accept callback's own
// exceptions excepted, which leave through it to the IOLoop, which logs them).
// Threads: the IOLoop's thread only.
#ifndef EDDY_02_NETUTIL_LISTENER_H_
#define EDDY_02_NETUTIL_LISTENER_H_

#include <string>
#include <vector>

#include "02_netutil/file_descriptor.h"
#include "02_netutil/netutil.h"
#include "02_netutil/socket_address.h"

namespace eddy {

// ---- bind_sockets ---------------------------------------------------------
//
// Lab 02: bind_sockets itself (declared in netutil.h, where its contract is):
// check the port, resolve with resolve_passive, then for each address create,
// configure, bind and listen one socket, sharing the first ephemeral port.

// Given: throws std::system_error(error, generic_category) whose what() is
// "<what>: <strerror(error)>", e.g. "bind 127.0.0.1:80: Permission denied".
[[noreturn]] void throw_errno(int error, const std::string& what);

// Given: the addresses bind_sockets binds, each carrying `port`: what
// getaddrinfo(address or NULL for "", port, family, SOCK_STREAM, AI_PASSIVE)
// lists, keeping AF_INET and AF_INET6 only, without duplicates, IPv4 before
// IPv6, without link-local entries for "localhost" (and with 127.0.0.1 and ::1
// when a resolver does not know "localhost", RFC 6761 §6.3). Throws
// std::system_error "getaddrinfo '<address>' port <port>: <reason>".
std::vector<SocketAddress> resolve_passive(int port, const std::string& address,
                                           int family);

// Given: sets the port of an AF_INET or AF_INET6 address (host byte order).
void set_port(SocketAddress& address, uint16_t port);

// ---- The accept loop ------------------------------------------------------
//
// One listener watched by add_accept_handler: what accept_ready works with
// (muduo calls the same object Acceptor). Owned by add_accept_handler's
// state; loop thread only.
struct Acceptor {
  int listener = -1;        // The listening socket (the caller owns it).
  AcceptCallback callback;  // Gets each connection and its peer address.
  int max_accepts = kMaxAcceptsPerEvent;  // Per readiness event, >= 1.
  AcceptStats* stats = nullptr;           // Never null: counters to keep.
  // /dev/null, opened in advance (open_spare): closing it frees exactly one
  // descriptor when accept4 fails with EMFILE ("The EMFILE trap"). Invalid
  // when it could not be opened, or for a listener shared by worker
  // processes (max_accepts 1), which must step aside instead of shedding.
  FileDescriptor spare;
  bool removed = false;  // The remover ran (maybe inside `callback`).
};

// Lab 02. Opens the spare descriptor: /dev/null, read-only, close-on-exec.
// Returns an invalid FileDescriptor if that fails (say, with EMFILE): the
// listener then pauses on EMFILE instead of shedding. add_accept_handler
// calls it once up front, and again when a paused listener resumes.
FileDescriptor open_spare();

// What a readiness event asks of add_accept_handler afterwards.
enum class AfterAccept {
  kKeepWatching,  // The level-triggered listener wakes us for what is left.
  kPause,  // Stop watching for kAcceptPauseSeconds (no descriptor, no memory).
};

// Lab 02. One readiness event of `acceptor.listener` (Tornado 2.4.1's
// accept_handler inside netutil.add_accept_handler): accept4 (non-blocking,
// close-on-exec) until EAGAIN, at most max_accepts times, and hand each
// connection with its peer address to the callback; stop as soon as
// `removed` is set. Counts stats: wakeups (once per call), accepted,
// max_accepts_in_one_wakeup, errors (per-connection errors skipped), shed.
// Errors of accept4:
// - per-connection ones (is_per_connection_error): skip, continue;
// - EMFILE/ENFILE: with a spare, give its slot to the pending connection,
//   close that at once (counted in `shed`), reopen the spare, continue
//   (EAGAIN there: nothing was pending after all, kKeepWatching); without a
//   spare, or if it cannot be reopened, return kPause;
// - anything else (ENOBUFS, ENOMEM, ...): return kPause.
// Returns kKeepWatching otherwise.
AfterAccept accept_ready(Acceptor& acceptor);

// Given: errors Linux accept(2) says to treat like EAGAIN: that connection
// failed, the listener is fine (ECONNABORTED, EINTR, EPROTO, EPERM, ...).
bool is_per_connection_error(int error);

}  // namespace eddy

#endif  // EDDY_02_NETUTIL_LISTENER_H_
