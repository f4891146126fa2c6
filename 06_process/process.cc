// fork_processes and its supervisor. The parent never runs signal handlers:
// SIGCHLD, SIGTERM and SIGINT are blocked and read from a signalfd, so all of
// the supervisor's work (waitpid, fork, kill, logging) happens in ordinary
// code, where nothing is async-signal-unsafe.
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
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>

#include "01_ioloop/ioloop.h"
#include "01_ioloop/log.h"

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

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           ::strsignal(WTERMSIG(status)) + ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

// The parent's state while it supervises. Lives on the stack of
// supervise_processes; in a child it is abandoned (child() clears it).
class Supervisor {
 public:
  Supervisor(int max_restarts, SupervisionResult& result)
      : max_restarts_(max_restarts), result_(result) {}
  ~Supervisor() { restore_signals(); }

  // Blocks the signals the parent reads and opens the signalfd.
  void take_signals() {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    if (::sigprocmask(SIG_BLOCK, &mask, &old_mask_) != 0) {
      throw std::system_error(errno, std::generic_category(), "sigprocmask");
    }
    signals_taken_ = true;
    // SIGCHLD set to SIG_IGN would make the kernel reap children for us and
    // waitpid fail; the default disposition keeps them waitable.
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    ::sigaction(SIGCHLD, &default_action, &old_sigchld_);
    signal_fd_ = ::signalfd(-1, &mask, SFD_CLOEXEC);
    if (signal_fd_ < 0) {
      int error = errno;
      restore_signals();
      throw std::system_error(error, std::generic_category(), "signalfd");
    }
  }

  // Forks the child for `id`. Returns the id in the child, nullopt in the
  // parent. Throws std::system_error when fork fails.
  // DOC: start-child. (README.md, "The supervisor".)
  std::optional<int> start_child(int id) {
    std::fflush(nullptr);  // Buffered output must not be written twice.
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
      throw std::system_error(errno, std::generic_category(), "fork");
    }
    if (pid == 0) {
      become_child(id, parent);
      return id;
    }
    children_[pid] = id;
    log_info("child " + std::to_string(id) + " started as pid " +
             std::to_string(pid));
    return std::nullopt;
  }
  // DOC: end start-child

  // Starts children 0..n-1. A fork failure after the first child ends the
  // supervision as a failure (the children already running are stopped).
  std::optional<int> start_children(int num_processes) {
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

  // The loop: one signal at a time until no child is left.
  // DOC: supervisor-loop. (README.md, "The supervisor".)
  std::optional<int> run() {
    while (!children_.empty()) {
      signalfd_siginfo info;
      ssize_t n = ::read(signal_fd_, &info, sizeof info);
      if (n != static_cast<ssize_t>(sizeof info)) {
        if (n < 0 && errno == EINTR) continue;
        // Cannot happen with a valid signalfd; do not spin if it does.
        give_up(std::string("reading the signalfd failed: ") +
                std::strerror(errno));
        wait_blocking();
        break;
      }
      if (info.ssi_signo == SIGCHLD) {
        if (auto child = reap()) return child;
      } else {
        forward(static_cast<int>(info.ssi_signo));
      }
    }
    result_.exit_status = result_.error.empty() ? 0 : 1;
    return std::nullopt;
  }
  // DOC: end supervisor-loop

 private:
  void become_child(int id, pid_t parent) {
    ::close(signal_fd_);
    signal_fd_ = -1;
    // fork cleared the pending set, so a signal pending here was sent to this
    // child since: a SIGTERM the supervisor forwarded while the child was
    // still starting. It must reach the worker when unblocked, not be
    // consumed (the worker would serve on and the supervisor wait forever).
    restore_signals(/*consume_pending=*/false);
    children_.clear();
    g_task_id = id;
    reseed_random();
    // A worker must not outlive its supervisor, even one killed by SIGKILL.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);  // It died before prctl.
  }

  void restore_signals(bool consume_pending = true) {
    if (signal_fd_ >= 0) {
      ::close(signal_fd_);
      signal_fd_ = -1;
    }
    if (!signals_taken_) return;
    signals_taken_ = false;
    // In the parent, a SIGTERM that arrived after the last child exited must
    // not kill it when unblocked below (turning exit 0 into "killed by
    // signal"): consume whatever is still pending.
    if (consume_pending) {
      sigset_t taken;
      sigemptyset(&taken);
      sigaddset(&taken, SIGCHLD);
      sigaddset(&taken, SIGTERM);
      sigaddset(&taken, SIGINT);
      timespec no_wait{0, 0};
      while (::sigtimedwait(&taken, nullptr, &no_wait) > 0) {
      }
    }
    ::sigaction(SIGCHLD, &old_sigchld_, nullptr);
    ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  }

  // Reaps every child of ours that has exited. SIGCHLDs coalesce, so one
  // signal may stand for several exits: check them all.
  std::optional<int> reap() {
    std::map<pid_t, int> live = children_;
    for (const auto& [pid, id] : live) {
      int status = 0;
      pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == 0) continue;
      if (done < 0 && errno == EINTR) continue;
      children_.erase(pid);
      if (done < 0) {
        log_warning("child " + std::to_string(id) + " (pid " +
                    std::to_string(pid) +
                    ") vanished: " + std::strerror(errno));
        continue;
      }
      if (auto child = on_exit(pid, id, status)) return child;
    }
    return std::nullopt;
  }

  // Tornado's rule: status 0 ends that task; a signal or a non-zero status
  // restarts it with the same id, up to max_restarts times.
  std::optional<int> on_exit(pid_t pid, int id, int status) {
    std::string who =
        "child " + std::to_string(id) + " (pid " + std::to_string(pid) + ") ";
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
      return start_child(id);
    } catch (const std::system_error& e) {
      give_up(std::string("cannot restart child ") + std::to_string(id) + ": " +
              e.what());
      return std::nullopt;
    }
  }

  // SIGTERM/SIGINT: pass it on to every worker and let them finish; the loop
  // ends when the last one has been reaped. A second signal is forwarded
  // again (a worker may be waiting for it).
  void forward(int signal_number) {
    if (!shutting_down_) {
      log_info(std::string("received ") + ::strsignal(signal_number) +
               ", forwarding to " + std::to_string(children_.size()) +
               " children");
    }
    shutting_down_ = true;
    for (const auto& [pid, id] : children_) ::kill(pid, signal_number);
  }

  // Stops restarting, records the error and asks the workers to stop.
  void give_up(const std::string& error) {
    log_error(error);
    if (result_.error.empty()) result_.error = error;
    shutting_down_ = true;
    for (const auto& [pid, id] : children_) ::kill(pid, SIGTERM);
  }

  // Last resort when the signalfd fails: block in waitpid on each child.
  void wait_blocking() {
    for (const auto& [pid, id] : children_) {
      int status;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    children_.clear();
  }

  const int max_restarts_;
  SupervisionResult& result_;
  std::map<pid_t, int> children_;  // Live children: pid → task id.
  bool shutting_down_ = false;
  int signal_fd_ = -1;
  bool signals_taken_ = false;
  sigset_t old_mask_{};
  struct sigaction old_sigchld_ {};
};

}  // namespace

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
  Supervisor supervisor(max_restarts, result);
  supervisor.take_signals();
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
