// The tutorial's finale: the same handle_request as chapter 05's
// hello_server, served by one process per core.
//
//   tools/bazel run //06_process:server                  # :8888, one per CPU
//   tools/bazel run //06_process:server -- --port=0 --processes=2
//   tools/bazel run //06_process:server -- --reuse_port  # a socket per worker
//
// The order is Tornado's: bind_sockets → fork_processes → (in each child)
// HTTPServer(handle_request).add_sockets → IOLoop::instance().start(). The
// parent binds before forking so that a bad address or a port in use fails
// once, in the parent, with one message and exit status 1; it then prints
// one line and supervises. SIGTERM or SIGINT to the parent is forwarded to
// the workers, which shut down gracefully (shutdown.h); the parent exits 0
// once they all have.
#include <gflags/gflags.h>
#include <signal.h>
#include <sys/socket.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "02_netutil/netutil.h"
#include "05_httpserver/httpserver.h"
#include "06_process/process.h"
#include "06_process/shutdown.h"
#include "06_process/signal_watcher.h"

DEFINE_int32(port, 8888, "TCP port to listen on (0 picks a free one)");
DEFINE_string(address, "", "address to listen on (empty: every interface)");
DEFINE_int32(processes, 0, "worker processes (0: one per CPU)");
DEFINE_int32(max_restarts, eddy::kDefaultMaxRestarts,
             "worker restarts allowed before the server gives up");
DEFINE_bool(reuse_port, false,
            "each worker binds its own SO_REUSEPORT socket instead of "
            "sharing the parent's");
DEFINE_bool(xheaders, false,
            "trust X-Real-Ip/X-Forwarded-For and X-Scheme/X-Forwarded-Proto "
            "(only behind a proxy that sets them, such as nginx)");
DEFINE_double(grace_period, 10,
              "seconds a worker lets requests in flight finish on SIGTERM");

static bool valid_port(const char*, int32_t value) {
  return value >= 0 && value <= 65535;
}
DEFINE_validator(port, &valid_port);
static bool not_negative(const char*, int32_t value) { return value >= 0; }
DEFINE_validator(processes, &not_negative);
DEFINE_validator(max_restarts, &not_negative);
static bool valid_seconds(const char*, double value) { return value >= 0; }
DEFINE_validator(grace_period, &valid_seconds);

// The tutorial's handler, byte for byte.
void handle_request(eddy::HTTPServerRequest& request) {
  std::string message = "You requested " + request.uri + "\n";
  request.write("HTTP/1.1 200 OK\r\nContent-Length: " +
                std::to_string(message.size()) + "\r\n\r\n" + message);
  request.finish();
}

namespace {

std::string describe(const std::vector<eddy::Socket>& sockets) {
  std::string text;
  for (const eddy::Socket& socket : sockets) {
    if (!text.empty()) text += " and ";
    text += "http://" +
            eddy::SocketAddress::local_of(socket.get()).to_string() + "/";
  }
  return text;
}

// One worker: its own loop, server and signal handling, after the fork.
int run_worker(std::vector<eddy::Socket> sockets, int port, int workers) {
  eddy::IOLoop& loop = eddy::IOLoop::instance();
  if (FLAGS_reuse_port) {
    // The kernel spreads connections over every SO_REUSEPORT socket bound
    // to the port, so each worker has its own accept queue. Replacing
    // `sockets` closes this worker's copies of the parent's (not listening).
    sockets = eddy::bind_sockets(port, FLAGS_address, AF_UNSPEC,
                                 eddy::kDefaultBacklog, /*reuse_port=*/true);
  }
  eddy::HTTPServerOptions options;
  options.xheaders = FLAGS_xheaders;
  eddy::HTTPServer server(handle_request, options);
  // Workers sharing the parent's listening sockets take one connection per
  // wake-up, as nginx's multi_accept off: otherwise the first worker awake
  // takes a whole burst (all of wrk's 50 connections, in the benchmark) and
  // the others idle. Each SO_REUSEPORT socket has its own queue.
  if (!FLAGS_reuse_port && workers > 1) {
    server.set_max_accepts_per_event(1);
  }
  server.add_sockets(std::move(sockets));
  bool stopping = false;
  eddy::SignalWatcher signals(loop, {SIGTERM, SIGINT}, [&](int) {
    if (stopping) return;  // A second signal changes nothing.
    stopping = true;
    eddy::shutdown_gracefully(server, loop, FLAGS_grace_period);
  });
  loop.start();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "the tutorial's HTTP server, one worker process per CPU: answers "
      "\"You requested <uri>\"");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  try {
    // Bind first, in the parent: errors surface once, and the workers
    // inherit the listening sockets (Tornado's order).
    std::vector<eddy::Socket> sockets =
        eddy::bind_sockets(FLAGS_port, FLAGS_address, AF_UNSPEC,
                           eddy::kDefaultBacklog, FLAGS_reuse_port);
    int port = eddy::SocketAddress::local_of(sockets.front().get()).port();
    int workers = FLAGS_processes > 0 ? FLAGS_processes : eddy::cpu_count();
    std::printf("server listening on %s with %d worker processes (%s)\n",
                describe(sockets).c_str(), workers,
                FLAGS_reuse_port ? "one SO_REUSEPORT socket per worker"
                                 : "sharing the listening sockets");
    std::fflush(stdout);
    // With --reuse_port the parent's sockets only checked the address and
    // fixed the port; each worker binds its own. The parent must not keep
    // listening (the kernel would queue a share of the connections on
    // sockets nobody accepts from), but it keeps them bound: shutdown(2) on
    // a listening socket stops listening on Linux and keeps the port, so a
    // restarted worker can always bind it again.
    if (FLAGS_reuse_port) {
      for (eddy::Socket& socket : sockets) ::shutdown(socket.get(), SHUT_RD);
    }
    eddy::fork_processes(workers,
                         FLAGS_max_restarts);  // Parent: never returns.
    return run_worker(std::move(sockets), port, workers);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "server: %s\n", e.what());
    return 1;
  }
}
