// Exercise 02.3 (hard): accept-rate limiting.
//
// add_accept_handler accepts as fast as clients connect. A server that must
// protect something slow behind it (a database, a TLS handshake budget) can
// instead accept at most N connections per second and leave the rest waiting
// in the kernel's backlog, where they cost the server nothing. The
// walkthrough's exercise 1 ("Accept-rate limiting").
//
// Contract
// - Like add_accept_handler(listener, callback, io_loop): calls `callback`
//   for each accepted connection, and returns a remover.
// - Time is cut into consecutive one-second windows on the loop's clock
//   (IOLoop::time()), the first starting when the handler is added. At most
//   `max_per_second` connections are accepted in any window.
// - When a window's budget is spent, the listener is not watched until the
//   next window starts: IOLoop::has_handler(listener) is false meanwhile, so
//   the level-triggered listener cannot make the loop spin. The waiting
//   connections stay in the backlog and are accepted in later windows.
// - An idle listener is watched normally; a connection arriving after a quiet
//   spell is accepted at once (no waiting for a window that already passed).
// - The remover stops everything: no further connection is accepted, no
//   handler or pending timeout of this limiter remains. It may be called from
//   inside `callback` and more than once.
// - max_per_second < 1 throws std::invalid_argument.
// - `stats` (optional, owned by the caller, kept alive until the remover ran):
//   `accepted` counts connections handed to the callback, `pauses` the times
//   the listener was unwatched because the budget was spent.
// Threads: the loop's thread.
#ifndef EDDY_02_NETUTIL_EXERCISES_RATE_LIMITED_ACCEPT_H_
#define EDDY_02_NETUTIL_EXERCISES_RATE_LIMITED_ACCEPT_H_

#include <cstdint>
#include <functional>

#include "01_ioloop/ioloop.h"
#include "02_netutil/netutil.h"

namespace eddy::exercises {

struct RateLimitStats {
  uint64_t accepted = 0;
  uint64_t pauses = 0;
};

std::function<void()> add_rate_limited_accept_handler(
    int listener, AcceptCallback callback, int max_per_second, IOLoop& io_loop,
    RateLimitStats* stats = nullptr);

}  // namespace eddy::exercises

#endif  // EDDY_02_NETUTIL_EXERCISES_RATE_LIMITED_ACCEPT_H_
