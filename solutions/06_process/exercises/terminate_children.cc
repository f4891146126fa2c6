// Reference solution of exercise 06.2
// (06_process/exercises/terminate_children.h).
#include "06_process/exercises/terminate_children.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

namespace eddy::exercises {

namespace {

enum class Poll { kRunning, kExited, kNotAChild };

Poll poll_child(pid_t pid) {
  while (true) {
    int status;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return Poll::kExited;
    if (r == 0) return Poll::kRunning;
    if (errno != EINTR) return Poll::kNotAChild;
  }
}

void nap_ms(int ms) {
  timespec ts{0, ms * 1000000L};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

}  // namespace

TerminationResult terminate_children(const std::vector<pid_t>& pids,
                                     double kill_timeout) {
  if (!(kill_timeout >= 0))
    throw std::invalid_argument("terminate_children: negative kill_timeout");
  TerminationResult result;
  std::vector<pid_t> running;
  // 1. Only our own, still running children are signalled.
  for (pid_t pid : pids) {
    switch (poll_child(pid)) {
      case Poll::kExited:
        result.terminated++;
        break;
      case Poll::kRunning:
        ::kill(pid, SIGTERM);
        running.push_back(pid);
        break;
      case Poll::kNotAChild:
        break;
    }
  }
  // 2. Wait for them, napping, until all left or the deadline.
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration<double>(kill_timeout);
  while (!running.empty()) {
    std::erase_if(running, [&](pid_t pid) {
      Poll p = poll_child(pid);
      if (p == Poll::kExited) result.terminated++;
      return p != Poll::kRunning;
    });
    if (running.empty() || std::chrono::steady_clock::now() >= deadline) break;
    nap_ms(5);
  }
  // 3. Whoever is left gets SIGKILL, and is reaped.
  for (pid_t pid : running) {
    ::kill(pid, SIGKILL);
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.killed++;
  }
  return result;
}

}  // namespace eddy::exercises
