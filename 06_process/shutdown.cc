#include "06_process/shutdown.h"

#include <memory>
#include <string>

#include "01_ioloop/log.h"

namespace eddy {
namespace {

// One shutdown in progress, owned by the timer callbacks that refer to it.
struct Shutdown : std::enable_shared_from_this<Shutdown> {
  Shutdown(HTTPServer& server, IOLoop& io_loop, std::function<void()> done)
      : server(server), io_loop(io_loop), done(std::move(done)) {}

  void check() {
    poll = TimeoutHandle{};
    if (finished) return;
    if (server.connection_count() == 0) {
      finish();
      return;
    }
    poll = io_loop.call_later(kShutdownPollInterval,
                              [self = shared_from_this()] { self->check(); });
  }

  void grace_over() {
    deadline = TimeoutHandle{};
    if (finished) return;
    log_warning("graceful shutdown: grace period over, closing " +
                std::to_string(server.connection_count()) +
                " connection(s) still busy");
    server.close_all_connections();
    finish();
  }

  void finish() {
    finished = true;
    if (poll) io_loop.remove_timeout(poll);
    if (deadline) io_loop.remove_timeout(deadline);
    poll = deadline = TimeoutHandle{};
    if (done) {
      done();
    } else {
      io_loop.stop();
    }
  }

  HTTPServer& server;
  IOLoop& io_loop;
  std::function<void()> done;
  TimeoutHandle poll;
  TimeoutHandle deadline;
  bool finished = false;
};

}  // namespace

void shutdown_gracefully(HTTPServer& server, IOLoop& io_loop,
                         double grace_seconds, std::function<void()> done) {
  server.stop();
  server.close_connections_when_idle();
  auto shutdown = std::make_shared<Shutdown>(server, io_loop, std::move(done));
  shutdown->deadline =
      io_loop.call_later(grace_seconds, [shutdown] { shutdown->grace_over(); });
  // The first check runs on the loop, so `done` never runs inside this call.
  shutdown->poll = io_loop.call_later(0, [shutdown] { shutdown->check(); });
}

}  // namespace eddy
