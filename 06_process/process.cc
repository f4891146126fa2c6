// cpu_count, task_id, fork_processes, and the supervisor's signal plumbing
// (supervisor.h; the Supervisor itself is in supervisor.cc). The parent
// never runs signal handlers: SIGCHLD, SIGTERM and SIGINT are blocked and
// read from a signalfd, so all of the supervisor's work (waitpid, fork,
// kill, logging) happens in ordinary code, where nothing is
// async-signal-unsafe.
#include "06_process/process.h"

#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

#include "01_ioloop/ioloop.h"
#include "01_ioloop/log.h"
#include "06_process/supervisor.h"

namespace eddy {
namespace {

// Set once, in a child, right after fork; read by task_id().
std::optional<int> g_task_id;

void log_info(const std::string& message) {
  log(LogChannel::kGeneral, LogLevel::kInfo, message);
}

// Tornado's _reseed_random: children must not share the parent's sequence.
void reseed_random() {
  unsigned int seed = 0;
  if (::getrandom(&seed, sizeof seed, GRND_NONBLOCK) !=
      static_cast<ssize_t>(sizeof seed)) {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    seed = static_cast<unsigned int>(::getpid()) ^
           static_cast<unsigned int>(now.tv_nsec) ^
           static_cast<unsigned int>(::time(nullptr));
  }
  ::srandom(seed);
  ::srand(seed);
}

// Threads other than the caller do not exist in a forked child; any lock
// one of them held stays locked there forever. Say so when it happens.
void warn_if_threaded() {
  DIR* tasks = ::opendir("/proc/self/task");
  if (tasks == nullptr) return;
  int threads = 0;
  while (dirent* entry = ::readdir(tasks)) {
    if (entry->d_name[0] != '.') ++threads;
  }
  ::closedir(tasks);
  if (threads > 1) {
    log_warning("fork_processes: " + std::to_string(threads) +
                " threads are running; only the calling thread is copied "
                "into the children (fork before starting threads)");
  }
}

// The signals the supervisor reads: SIGCHLD, SIGTERM and SIGINT.
sigset_t supervised_signals() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  return mask;
}

}  // namespace

namespace internal {

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           ::strsignal(WTERMSIG(status)) + ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

void SupervisorSignals::take() {
  sigset_t mask = supervised_signals();
  if (::sigprocmask(SIG_BLOCK, &mask, &old_mask_) != 0) {
    throw std::system_error(errno, std::generic_category(), "sigprocmask");
  }
  taken_ = true;
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  ::sigaction(SIGCHLD, &default_action, &old_sigchld_);
  fd_ = ::signalfd(-1, &mask, SFD_CLOEXEC);
  if (fd_ < 0) {
    int error = errno;
    restore();
    throw std::system_error(error, std::generic_category(), "signalfd");
  }
}

int SupervisorSignals::wait() {
  for (;;) {
    signalfd_siginfo info;
    ssize_t n = ::read(fd_, &info, sizeof info);
    if (n == static_cast<ssize_t>(sizeof info)) {
      return static_cast<int>(info.ssi_signo);
    }
    if (n < 0 && errno == EINTR) continue;
    if (n >= 0) errno = EIO;  // A short read: no signal to return.
    return -1;
  }
}

void SupervisorSignals::restore(bool consume_pending) {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!taken_) return;
  taken_ = false;
  if (consume_pending) {
    sigset_t taken = supervised_signals();
    timespec no_wait{0, 0};
    while (::sigtimedwait(&taken, nullptr, &no_wait) > 0) {
    }
  }
  ::sigaction(SIGCHLD, &old_sigchld_, nullptr);
  ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
}

void become_child(int task_id, pid_t parent, SupervisorSignals& signals) {
  // fork cleared the pending set, so a signal pending here was sent to this
  // child since: a SIGTERM the supervisor forwarded while the child was
  // still starting. It must reach the worker when unblocked, not be
  // consumed (the worker would serve on and the supervisor wait forever).
  signals.restore(/*consume_pending=*/false);
  g_task_id = task_id;
  reseed_random();
  // A worker must not outlive its supervisor, even one killed by SIGKILL.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(1);  // It died before prctl.
}

}  // namespace internal

int cpu_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
  long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  if (online > 0) return static_cast<int>(online);
  log_error("Could not detect number of processors; assuming 1");
  return 1;
}

std::optional<int> task_id() { return g_task_id; }

std::optional<int> supervise_processes(int num_processes, int max_restarts,
                                       SupervisionResult& result) {
  if (IOLoop::initialized()) {
    throw std::logic_error(
        "fork_processes: cannot run in multiple processes: the IOLoop "
        "instance has already been initialized (create it after forking)");
  }
  if (g_task_id) {
    throw std::logic_error(
        "fork_processes: this process is already a forked child (task " +
        std::to_string(*g_task_id) + ")");
  }
  if (max_restarts < 0) {
    throw std::invalid_argument("fork_processes: max_restarts must be >= 0");
  }
  if (num_processes <= 0) num_processes = cpu_count();
  warn_if_threaded();
  result = SupervisionResult{};
  log_info("Starting " + std::to_string(num_processes) + " processes");
  internal::SupervisorSignals signals;
  signals.take();
  internal::Supervisor supervisor(max_restarts, result, signals);
  if (auto child = supervisor.start_children(num_processes)) return child;
  return supervisor.run();
}

int fork_processes(int num_processes, int max_restarts) {
  SupervisionResult result;
  if (auto child = supervise_processes(num_processes, max_restarts, result)) {
    return *child;
  }
  std::exit(result.exit_status);
}

TCPServer::ProcessForker process_forker(int max_restarts) {
  return [max_restarts](int num_processes) {
    return fork_processes(num_processes, max_restarts);
  };
}

}  // namespace eddy
