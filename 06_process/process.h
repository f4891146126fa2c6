// Pre-fork multi-process support: Tornado's tornado.process (cpu_count,
// fork_processes, task_id).
//
// The model (Tornado's): bind the listening sockets in one process, fork one
// child per core, and let every child run its own IOLoop on the inherited
// sockets. The parent runs no loop; it only supervises its children:
//
//   std::vector<eddy::Socket> sockets = eddy::bind_sockets(8888);
//   eddy::fork_processes(0);            // the parent never returns from here
//   eddy::HTTPServer server(handle_request);
//   server.add_sockets(std::move(sockets));
//   eddy::IOLoop::instance().start();
//
// That order matters: an IOLoop's epoll instance must never be shared
// across fork (children would edit one another's interest lists), so loops
// are created in the children, after fork_processes. Tornado's other form,
// server.bind(port) + server.start(n), is TCPServer::start(n,
// process_forker()): the server takes its IOLoop lazily, after the fork
// (06_process/README.md, "TCPServer::start(n), and the seam with chapter 03").
//
// Errors (this layer's rule). Misuse (forking after the IOLoop exists,
// forking twice) throws std::logic_error; bad arguments throw
// std::invalid_argument; a failing fork(2) or signalfd(2) throws
// std::system_error. The parent's supervision never throws: it logs on the
// `general` channel and ends the process with an exit status.
//
// Threads: call fork_processes from the main thread of a single-threaded
// process (fork copies only the calling thread; other threads' locks would
// stay held forever in the children; it logs a warning when it sees other
// threads). task_id() and cpu_count() may be called from any thread.
#ifndef EDDY_06_PROCESS_PROCESS_H_
#define EDDY_06_PROCESS_PROCESS_H_

#include <optional>
#include <string>

#include "03_iostream/tcpserver.h"

namespace eddy {

// The number of CPUs this process may run on (its affinity mask, which
// honours taskset and cgroup cpusets), else the online CPUs, else 1 with an
// error logged (cpu_count).
int cpu_count();

// The task id of this process, 0..n-1, in a child made by fork_processes;
// std::nullopt in the parent and in a process that never forked (task_id).
std::optional<int> task_id();

constexpr int kDefaultMaxRestarts = 100;

// Starts `num_processes` children (<= 0 means cpu_count()) and returns each
// child's task id in that child (fork_processes). The parent never returns:
// it supervises (see supervise_processes) and ends the process with
// std::exit(status): 0 when every child exited with status 0 or when a
// SIGTERM/SIGINT it forwarded has ended them all, 1 when it gave up after
// more than `max_restarts` restarts.
//
// In each child: the signal mask and SIGCHLD/SIGTERM/SIGINT dispositions the
// caller had are restored (a SIGTERM/SIGINT forwarded while the child was
// starting is delivered then, not dropped); random() and rand() are
// reseeded from getrandom(2) (falling back to pid and time) so children do
// not share a sequence — generators the program seeded before forking (a
// std::mt19937) are copies of the parent's and must be reseeded by their owner;
// and the child asks for SIGTERM if the parent dies (PR_SET_PDEATHSIG), so even
// a supervisor killed with SIGKILL leaves no worker behind.
//
// Throws std::logic_error if IOLoop::instance() was ever created (as
// Tornado: "Cannot run in multiple processes: IOLoop instance has already
// been initialized") or if this process was already forked by it;
// std::invalid_argument if max_restarts < 0; std::system_error if the first
// fork fails.
int fork_processes(int num_processes, int max_restarts = kDefaultMaxRestarts);

// fork_processes as the forker TCPServer::start(n, forker) takes: chapter 03
// cannot call chapter 06 itself, so the caller hands it over:
//   eddy::HTTPServer server(handle_request);  // no IOLoop yet
//   server.bind(8888);
//   server.start(0, eddy::process_forker());  // Tornado's server.start(0)
//   eddy::IOLoop::current().start();
TCPServer::ProcessForker process_forker(int max_restarts = kDefaultMaxRestarts);

// What the parent's supervision ended with.
struct SupervisionResult {
  int exit_status = 0;  // What fork_processes passes to std::exit.
  int restarts = 0;     // Children restarted after a crash or failed exit.
  std::string error;    // Why it gave up; empty on a clean end.
};

// fork_processes without the exit: each child gets its task id as the return
// value; the parent supervises until the end, fills `result` and returns
// std::nullopt instead of exiting. For tests and for
// programs that want to do something in the parent afterwards (the parent
// must still never create an IOLoop). Same preconditions and errors as
// fork_processes. On return the caller's signal mask is back; a SIGTERM or
// SIGINT that arrived after the last child exited has been consumed.
//
// The supervision loop, in the order of its body (the walkthrough's state
// diagram): block SIGCHLD/SIGTERM/SIGINT and read them from a signalfd; fork
// the children; then repeat: wait for a signal; on SIGCHLD reap every child
// that exited (waitpid(pid, WNOHANG) on our own pids only, so other children
// of the process are left alone); restart one that died by a signal or
// exited non-zero, with the same task id, unless shutting down or past
// max_restarts (then SIGTERM the others, wait for them, and report the
// failure); on SIGTERM/SIGINT forward the signal to every live child and stop
// restarting; end when no child is left.
std::optional<int> supervise_processes(int num_processes, int max_restarts,
                                       SupervisionResult& result);

}  // namespace eddy

#endif  // EDDY_06_PROCESS_PROCESS_H_
