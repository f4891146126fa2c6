// The Supervisor's functions (supervisor.h): fork, reap, restart, forward.
// Lab 06 is to write this file (06_process/lab/README.md).
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

namespace eddy::internal {
namespace {

void log_info(const std::string& message) {
  log(LogChannel::kGeneral, LogLevel::kInfo, message);
}

}  // namespace

std::optional<int> Supervisor::start_children(int num_processes) {
  for (int id = 0; id < num_processes; ++id) {
    try {
      if (auto child = start_child(id)) return child;
    } catch (const std::system_error& e) {
      if (children_.empty()) throw;
      give_up(std::string("cannot start child ") + std::to_string(id) + ": " +
              e.what());
      break;
    }
  }
  return std::nullopt;
}

// DOC: supervisor-loop. (README.md, "The supervisor".)
std::optional<int> Supervisor::run() {
  while (!children_.empty()) {
    int signal_number = signals_.wait();
    if (signal_number < 0) {
      // Cannot happen with a valid signalfd; do not spin if it does.
      give_up(std::string("reading the signalfd failed: ") +
              std::strerror(errno));
      wait_blocking();
      break;
    }
    if (signal_number == SIGCHLD) {
      if (auto child = reap()) return child;
    } else {
      forward(signal_number);
    }
  }
  result_.exit_status = result_.error.empty() ? 0 : 1;
  return std::nullopt;
}

// DOC: start-child. (README.md, "The supervisor".)
std::optional<int> Supervisor::start_child(int task_id) {
  std::fflush(nullptr);  // Buffered output must not be written twice.
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    throw std::system_error(errno, std::generic_category(), "fork");
  }
  if (pid == 0) {
    become_child(task_id, parent, signals_);
    return task_id;
  }
  children_[pid] = task_id;
  log_info("child " + std::to_string(task_id) + " started as pid " +
           std::to_string(pid));
  return std::nullopt;
}

std::optional<int> Supervisor::reap() {
  std::map<pid_t, int> live = children_;
  for (const auto& [pid, id] : live) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == 0) continue;
    if (done < 0 && errno == EINTR) continue;
    children_.erase(pid);
    if (done < 0) {
      log_warning("child " + std::to_string(id) + " (pid " +
                  std::to_string(pid) + ") vanished: " + std::strerror(errno));
      continue;
    }
    if (auto child = on_exit(pid, id, status)) return child;
  }
  return std::nullopt;
}

std::optional<int> Supervisor::on_exit(pid_t pid, int task_id, int status) {
  std::string who = "child " + std::to_string(task_id) + " (pid " +
                    std::to_string(pid) + ") ";
  bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (clean || shutting_down_) {
    log_info(who + describe_status(status));
    return std::nullopt;
  }
  if (result_.restarts >= max_restarts_) {
    give_up(who + describe_status(status) + "; too many child restarts (" +
            std::to_string(result_.restarts) + "), giving up");
    return std::nullopt;
  }
  ++result_.restarts;
  log_warning(who + describe_status(status) + ", restarting (restart " +
              std::to_string(result_.restarts) + " of at most " +
              std::to_string(max_restarts_) + ")");
  try {
    return start_child(task_id);
  } catch (const std::system_error& e) {
    give_up(std::string("cannot restart child ") + std::to_string(task_id) +
            ": " + e.what());
    return std::nullopt;
  }
}

void Supervisor::forward(int signal_number) {
  if (!shutting_down_) {
    log_info(std::string("received ") + ::strsignal(signal_number) +
             ", forwarding to " + std::to_string(children_.size()) +
             " children");
  }
  shutting_down_ = true;
  for (const auto& [pid, id] : children_) ::kill(pid, signal_number);
}

void Supervisor::give_up(const std::string& error) {
  log_error(error);
  if (result_.error.empty()) result_.error = error;
  shutting_down_ = true;
  for (const auto& [pid, id] : children_) ::kill(pid, SIGTERM);
}

void Supervisor::wait_blocking() {
  for (const auto& [pid, id] : children_) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  children_.clear();
}

}  // namespace eddy::internal
