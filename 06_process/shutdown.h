// Graceful shutdown of an HTTPServer: the SIGTERM path of the multi-process
// server. Tornado leaves this to the application (its docs show
// server.stop(), then waiting, then IOLoop.stop()); eddy packages the steps:
//
//   1. server.stop(): close the listening sockets; new connections are
//      refused (or, in a pre-fork server, go to the workers still serving).
//   2. server.close_connections_when_idle(): idle keep-alive connections
//      close now; a connection with a request in flight closes right after
//      its response.
//   3. Wait until connection_count() is 0 (checked every
//      kShutdownPollInterval seconds on the loop's timers), but at most
//      `grace_seconds`; then close_all_connections() cuts what is left.
//   4. Run `done`, or stop the loop when no `done` is given.
//
// Threads: the loop's thread. Ownership: the server must outlive the
// shutdown (until `done` runs); the shutdown's own state is held by its
// timers. Errors: none after the call; calling it twice on one server runs
// two shutdowns (the first to finish runs its `done`), so guard signals.
#ifndef EDDY_06_PROCESS_SHUTDOWN_H_
#define EDDY_06_PROCESS_SHUTDOWN_H_

#include <functional>

#include "01_ioloop/ioloop.h"
#include "05_httpserver/httpserver.h"

namespace eddy {

constexpr double kShutdownPollInterval = 0.02;

// Steps 1–4 above. `done` always runs on the loop, never inside this call.
void shutdown_gracefully(HTTPServer& server, IOLoop& io_loop,
                         double grace_seconds,
                         std::function<void()> done = nullptr);

}  // namespace eddy

#endif  // EDDY_06_PROCESS_SHUTDOWN_H_
