// Subprocess: posix_spawn with close-on-exec pipes, and the SIGCHLD reaper.
#include "06_process/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <unordered_map>

#include "02_netutil/file_descriptor.h"
#include "06_process/signal_watcher.h"

extern char** environ;

namespace eddy {
namespace {

// The process-wide reaper: one SIGCHLD watcher and the pids it waits for.
struct Reaper {
  IOLoop* io_loop = nullptr;
  std::unique_ptr<SignalWatcher> watcher;
  std::unordered_map<pid_t, std::shared_ptr<Subprocess::State>> waiting;
  struct sigaction old_sigchld {};  // Restored by uninitialize().

  // Python's returncode: exit status, or -signal.
  static int returncode_of(int status) {
    return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
  }

  // Reaps every registered pid that exited (SIGCHLDs coalesce).
  void reap_all() {
    for (auto it = waiting.begin(); it != waiting.end();) {
      int status = 0;
      pid_t done = ::waitpid(it->first, &status, WNOHANG);
      if (done == 0 || (done < 0 && errno == EINTR)) {
        ++it;
        continue;
      }
      // done < 0 (ECHILD): someone else reaped it (or SIGCHLD was set to
      // SIG_IGN). Tornado would leave it waiting forever; report 255 so the
      // exit callback runs and can tell something was off.
      finish(it->second, done > 0 ? returncode_of(status) : 255);
      it = waiting.erase(it);
    }
  }

  static void finish(const std::shared_ptr<Subprocess::State>& state,
                     int returncode) {
    state->returncode = returncode;
    if (state->exit_callback) schedule_exit_callback(state);
  }

  // Runs the exit callback on the next iteration: it may destroy the
  // Subprocess or start new ones while we iterate `waiting`. The callback
  // stays in the state until then, so a Subprocess destroyed in between
  // (its destructor clears it) never has its callback run.
  static void schedule_exit_callback(
      const std::shared_ptr<Subprocess::State>& state) {
    state->io_loop->add_callback([state] {
      if (!state->exit_callback) return;
      Subprocess::ExitCallback callback = std::move(state->exit_callback);
      state->exit_callback = nullptr;
      callback(*state->returncode);
    });
  }
};

Reaper& reaper() {
  static Reaper instance;
  return instance;
}

// A pipe whose ends are close-on-exec and numbered 3 or more, so dup2 onto
// 0/1/2 in the child always copies (and so clears close-on-exec).
struct Pipe {
  FileDescriptor read_end;
  FileDescriptor write_end;
};

FileDescriptor above_stdio(int fd) {
  FileDescriptor owned(fd);
  if (fd > STDERR_FILENO) return owned;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  if (moved < 0)
    throw std::system_error(errno, std::generic_category(), "fcntl");
  return FileDescriptor(moved);
}

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  Pipe pipe;
  pipe.read_end = above_stdio(fds[0]);
  pipe.write_end = above_stdio(fds[1]);
  return pipe;
}

std::shared_ptr<IOStream> stream_over(FileDescriptor fd, IOLoop& io_loop) {
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0) {
    throw std::system_error(errno, std::generic_category(), "fcntl");
  }
  return IOStream::create(std::move(fd), io_loop);
}

// RAII for the posix_spawn attribute objects.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attributes_);
    // An empty mask (the reaper and signal watchers block signals in this
    // thread) and default actions for signals a server may ignore.
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attributes_, &empty);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int signal_number : {SIGPIPE, SIGCHLD, SIGINT, SIGTERM, SIGHUP,
                              SIGQUIT, SIGUSR1, SIGUSR2}) {
      sigaddset(&defaults, signal_number);
    }
    posix_spawnattr_setsigdefault(&attributes_, &defaults);
    posix_spawnattr_setflags(&attributes_,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attributes_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  // Connects the program's `target` fd (0, 1 or 2) as `mode` says. For
  // kStream, returns the parent's end of a new pipe.
  FileDescriptor connect(int target, Stdio mode, std::vector<Pipe>& keep) {
    if (mode == Stdio::kInherit) return FileDescriptor();
    if (mode == Stdio::kDevNull) {
      posix_spawn_file_actions_addopen(&actions_, target, "/dev/null", O_RDWR,
                                       0);
      return FileDescriptor();
    }
    Pipe pipe = make_pipe();
    bool child_reads = target == STDIN_FILENO;
    FileDescriptor& child_end = child_reads ? pipe.read_end : pipe.write_end;
    FileDescriptor& parent_end = child_reads ? pipe.write_end : pipe.read_end;
    posix_spawn_file_actions_adddup2(&actions_, child_end.get(), target);
    FileDescriptor parent = std::move(parent_end);
    keep.push_back(std::move(pipe));  // Child ends close after the spawn.
    return parent;
  }

  pid_t spawn(const std::vector<std::string>& argv,
              const std::optional<std::vector<std::string>>& env) {
    std::vector<char*> args;
    for (const std::string& arg : argv)
      args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    std::vector<char*> environment;
    if (env) {
      for (const std::string& entry : *env) {
        environment.push_back(const_cast<char*>(entry.c_str()));
      }
      environment.push_back(nullptr);
    }
    pid_t pid = -1;
    int error = ::posix_spawnp(&pid, args[0], &actions_, &attributes_,
                               args.data(), env ? environment.data() : environ);
    if (error != 0) {
      throw std::system_error(error, std::generic_category(),
                              "Subprocess: cannot start " + argv[0]);
    }
    return pid;
  }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attributes_;
};

}  // namespace

void Subprocess::initialize(IOLoop& io_loop) {
  Reaper& r = reaper();
  if (r.io_loop == &io_loop) return;
  if (r.io_loop != nullptr) {
    throw std::logic_error(
        "Subprocess: the SIGCHLD reaper runs on another IOLoop (call "
        "Subprocess::uninitialize() first)");
  }
  // SIGCHLD set to SIG_IGN would make the kernel reap our programs and
  // waitpid fail with ECHILD: use the default disposition while we reap.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  ::sigaction(SIGCHLD, &default_action, &r.old_sigchld);
  r.watcher = std::make_unique<SignalWatcher>(
      io_loop, std::initializer_list<int>{SIGCHLD},
      [](int) { reaper().reap_all(); });
  r.io_loop = &io_loop;
}

void Subprocess::uninitialize() {
  Reaper& r = reaper();
  if (r.io_loop == nullptr) return;
  r.watcher.reset();
  ::sigaction(SIGCHLD, &r.old_sigchld, nullptr);
  r.io_loop = nullptr;
  r.waiting.clear();
}

Subprocess::Subprocess(std::vector<std::string> argv, SubprocessOptions options,
                       IOLoop& io_loop)
    : state_(std::make_shared<State>()) {
  if (argv.empty()) throw std::invalid_argument("Subprocess: empty argv");
  initialize(io_loop);
  SpawnSetup setup;
  std::vector<Pipe> child_ends;
  FileDescriptor in =
      setup.connect(STDIN_FILENO, options.stdin_mode, child_ends);
  FileDescriptor out =
      setup.connect(STDOUT_FILENO, options.stdout_mode, child_ends);
  FileDescriptor err =
      setup.connect(STDERR_FILENO, options.stderr_mode, child_ends);
  state_->io_loop = &io_loop;
  state_->pid = setup.spawn(argv, options.env);
  reaper().waiting.emplace(state_->pid, state_);
  child_ends.clear();  // The program has its copies; EOF needs ours closed.
  if (in) stdin_ = stream_over(std::move(in), io_loop);
  if (out) stdout_ = stream_over(std::move(out), io_loop);
  if (err) stderr_ = stream_over(std::move(err), io_loop);
}

Subprocess::~Subprocess() { state_->exit_callback = nullptr; }

pid_t Subprocess::pid() const { return state_->pid; }

void Subprocess::set_exit_callback(ExitCallback callback) {
  state_->exit_callback = std::move(callback);
  if (state_->returncode) {
    if (state_->exit_callback) Reaper::schedule_exit_callback(state_);
    return;
  }
  // It may have exited before the reaper ran; check now, as Tornado's
  // _try_cleanup_process does.
  reaper().reap_all();
}

std::optional<int> Subprocess::returncode() const { return state_->returncode; }

std::optional<int> Subprocess::wait_for_exit(double timeout) {
  state_->io_loop->run_until([this] { return state_->returncode.has_value(); },
                             timeout);
  return state_->returncode;
}

bool Subprocess::send_signal(int signal_number) {
  if (state_->returncode) return false;
  return ::kill(state_->pid, signal_number) == 0;
}

}  // namespace eddy
