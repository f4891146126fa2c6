// Lab 06: fork_processes' supervisor. Write the Supervisor's functions
// declared in 06_process/supervisor.h (the contract: read it first), in the
// order of the TODOs below; README.md here says which tests each one makes
// pass. Given, in process.cc: SupervisorSignals (take, wait, restore),
// become_child and describe_status.
#include "06_process/supervisor.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <system_error>

#include "01_ioloop/log.h"
#include "tools/lab/todo.h"

namespace eddy::internal {
namespace {

// The `general` channel at info level (log_warning and log_error, from
// 01_ioloop/log.h, are the other two levels you need).
[[maybe_unused]] void log_info(const std::string& message) {
  log(LogChannel::kGeneral, LogLevel::kInfo, message);
}

}  // namespace

std::optional<int> Supervisor::start_child(int task_id) {
  // TODO 1: flush stdio buffers (std::fflush(nullptr): a child would write
  // them a second time), remember getpid() as the parent and fork().
  // fork failed: throw std::system_error(errno, std::generic_category(),
  // "fork"). In the child: become_child(task_id, parent, signals_) and
  // return the task id. In the parent: record pid → task id in children_,
  // log_info "child <id> started as pid <pid>", return std::nullopt.
  (void)task_id;
  lab::todo("06", "Supervisor::start_child");
}

std::optional<int> Supervisor::start_children(int num_processes) {
  // TODO 2: start_child for ids 0..num_processes-1; return at once what it
  // returns in a child. When a fork throws: rethrow if no child is running
  // yet, else give_up("cannot start child <id>: ...") and stop forking.
  (void)num_processes;
  lab::todo("06", "Supervisor::start_children");
}

std::optional<int> Supervisor::run() {
  // TODO 3: while children_ is not empty, signals_.wait(): SIGCHLD → reap()
  // (a task id it returns is a restarted child: return it), SIGTERM or
  // SIGINT → forward(). A negative result: give_up, wait_blocking, stop.
  // At the end, set result_.exit_status: 0, or 1 if result_.error is set.
  lab::todo("06", "Supervisor::run");
}

std::optional<int> Supervisor::reap() {
  // TODO 4: for every pid in children_ (iterate over a copy: on_exit
  // changes the map), waitpid(pid, &status, WNOHANG). 0: still running.
  // Ended: erase it and pass it to on_exit. -1 (ECHILD: someone else
  // reaped it): erase it with a warning. Never waitpid(-1).
  lab::todo("06", "Supervisor::reap");
}

std::optional<int> Supervisor::on_exit(pid_t pid, int task_id, int status) {
  // TODO 5: clean (WIFEXITED and status 0) or shutting_down_: log_info
  // "child <id> (pid <pid>) " + describe_status(status), done. Else, at
  // max_restarts_ restarts already: give_up. Else count the restart, log a
  // warning containing "restarting", and start_child(task_id) again (if
  // that throws: give_up).
  (void)pid;
  (void)task_id;
  (void)status;
  lab::todo("06", "Supervisor::on_exit");
}

void Supervisor::forward(int signal_number) {
  // TODO 6: stop restarting, kill() every live child with signal_number.
  (void)signal_number;
  lab::todo("06", "Supervisor::forward");
}

void Supervisor::give_up(const std::string& error) {
  // TODO 7: log_error, keep the first error in result_.error, stop
  // restarting, SIGTERM every live child.
  (void)error;
  lab::todo("06", "Supervisor::give_up");
}

void Supervisor::wait_blocking() {
  // TODO 8: a blocking waitpid(pid, &status, 0) per child (retry on EINTR),
  // then clear children_.
  lab::todo("06", "Supervisor::wait_blocking");
}

}  // namespace eddy::internal
