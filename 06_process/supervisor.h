// The supervisor behind fork_processes: the parent's loop that forks the
// workers, reaps them, restarts the ones that failed and forwards
// SIGTERM/SIGINT (06_process/README.md, "The supervisor" and "Signals").
// It is the parent half of Tornado 2.4.1's process.fork_processes (its
// `while children: pid, status = os.wait()` loop), with eddy's differences:
// a signalfd instead of os.wait, waitpid on its own pids only, forwarding,
// and stopping every child when it gives up instead of raising.
//
// Internal to chapter 06: a private header of //06_process:process (in its
// srcs, so no other package can include it). supervise_processes in
// process.cc checks its arguments, takes the signals and then drives a
// Supervisor:
//
//   SupervisorSignals signals;
//   signals.take();
//   Supervisor supervisor(max_restarts, result, signals);
//   if (auto child = supervisor.start_children(num_processes)) return child;
//   return supervisor.run();  // The parent, once no child is left.
//
// Two halves. The signal plumbing (SupervisorSignals, become_child,
// describe_status) is in process.cc. The Supervisor's own functions are in
// supervisor.cc: they are lab 06 (06_process/lab/README.md).
//
// Errors: only start_children may throw (std::system_error when the very
// first fork fails: there is nothing to supervise yet). Everything after
// that never throws: a failure is logged on the `general` channel, recorded
// in SupervisionResult::error, and ends the supervision with exit status 1.
//
// Threads: the main thread of a single-threaded process (process.h).
#ifndef EDDY_06_PROCESS_SUPERVISOR_H_
#define EDDY_06_PROCESS_SUPERVISOR_H_

#include <signal.h>
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

#include "06_process/process.h"

namespace eddy::internal {

// ---- Given: the signal plumbing (process.cc) --------------------------------

// SIGCHLD, SIGTERM and SIGINT, blocked and read from a signalfd instead of
// handled, so the supervisor does all its work (waitpid, fork, kill,
// logging) in ordinary code where nothing is async-signal-unsafe.
class SupervisorSignals {
 public:
  SupervisorSignals() = default;
  SupervisorSignals(const SupervisorSignals&) = delete;
  SupervisorSignals& operator=(const SupervisorSignals&) = delete;
  ~SupervisorSignals() { restore(); }

  // Blocks the three signals, gives SIGCHLD its default disposition (with
  // SIG_IGN the kernel would reap the children itself and waitpid would
  // fail) and opens the signalfd. Throws std::system_error.
  void take();

  // Blocks until one of the three signals arrives, consumes it and returns
  // its number (SIGCHLD, SIGTERM or SIGINT). Returns -1 with errno set if
  // the signalfd cannot be read (cannot happen with a valid one).
  int wait();

  // Closes the signalfd and puts back the caller's signal mask and SIGCHLD
  // disposition; does nothing if the signals are not taken. With
  // `consume_pending`, first discards the three signals still pending (the
  // parent's end: a SIGTERM that came after the last child exited must not
  // kill it on unblock).
  void restore(bool consume_pending = true);

 private:
  int fd_ = -1;
  bool taken_ = false;
  sigset_t old_mask_{};
  struct sigaction old_sigchld_ {};
};

// Turns a process that fork() just returned 0 in into a worker, in the
// walkthrough's order ("In each child"): restores `signals` without
// consuming what is pending (a SIGTERM forwarded while the child was
// starting must reach it), records `task_id` for task_id(), reseeds
// random()/rand(), and asks for SIGTERM when the parent dies
// (PR_SET_PDEATHSIG), exiting at once if `parent` died already.
void become_child(int task_id, pid_t parent, SupervisorSignals& signals);

// How a child ended, from its waitpid status: "exited with status 3" or
// "killed by signal 9 (Killed)".
std::string describe_status(int status);

// ---- The lab: the Supervisor (supervisor.cc) --------------------------------

// The parent's state while it supervises; lives on supervise_processes'
// stack. In a child it is abandoned: the child returns its task id up the
// stack and never touches it again.
class Supervisor {
 public:
  // `signals` are taken already; `signals` and `result` outlive this.
  Supervisor(int max_restarts, SupervisionResult& result,
             SupervisorSignals& signals)
      : max_restarts_(max_restarts), result_(result), signals_(signals) {}

  // Forks the children for task ids 0..num_processes-1 (start_child). In a
  // child, returns its task id. In the parent, returns std::nullopt once
  // all are started. If the first fork fails, throws its std::system_error
  // (nothing was started); if a later one fails, gives up (give_up) and
  // returns std::nullopt, and run() then waits for the ones already running.
  std::optional<int> start_children(int num_processes);

  // The loop (the walkthrough's state diagram): until no child is left,
  // wait for a signal; on SIGCHLD reap(); on SIGTERM/SIGINT forward() it.
  // Returns a task id in a child restarted from here, std::nullopt in the
  // parent at the end, with result_.exit_status 0 (every child exited 0, or
  // a forwarded signal ended them) or 1 (it gave up; result_.error says
  // why). If the signalfd fails, gives up and waits (wait_blocking).
  std::optional<int> run();

 private:
  // Forks the child for `task_id` and records it in children_. In the child
  // (after become_child) returns `task_id`; in the parent std::nullopt.
  // Throws std::system_error when fork fails.
  std::optional<int> start_child(int task_id);

  // One SIGCHLD may stand for several exits (signals coalesce): tries
  // waitpid(pid, WNOHANG) on every pid in children_ (never waitpid(-1),
  // which would steal other children of the process), forgets each one
  // that has ended and passes it to on_exit. Returns a task id in a
  // restarted child, else std::nullopt.
  std::optional<int> reap();

  // Tornado's rule for a child that ended with wait status `status`: exit
  // status 0 finishes its task (logged at info level as "child <id> (pid
  // <pid>) exited with status 0"), and so does any end while shutting
  // down; a signal or a non-zero status restarts it with the same task id
  // (a warning that says "restarting", result_.restarts counts it), unless
  // max_restarts_ restarts were made already: then it gives up. A failed
  // restart gives up too. Returns the task id in the restarted child.
  std::optional<int> on_exit(pid_t pid, int task_id, int status);

  // SIGTERM/SIGINT: stop restarting and send `signal_number` to every live
  // child (again on a second signal: a worker may be waiting for it).
  void forward(int signal_number);

  // Logs `error` and records it (the first one) in result_.error, stops
  // restarting and sends SIGTERM to every live child.
  void give_up(const std::string& error);

  // Last resort when the signalfd fails: a blocking waitpid on each child.
  void wait_blocking();

  const int max_restarts_;
  SupervisionResult& result_;
  SupervisorSignals& signals_;
  std::map<pid_t, int> children_;  // Live children: pid → task id.
  bool shutting_down_ = false;     // After a signal or giving up: no restarts.
};

}  // namespace eddy::internal

#endif  // EDDY_06_PROCESS_SUPERVISOR_H_
