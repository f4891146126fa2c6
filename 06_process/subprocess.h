// Subprocess: runs a program with its standard streams optionally connected
// to IOStreams on an IOLoop, and reports its exit through a callback —
// Tornado's tornado.process.Subprocess.
//
//   eddy::SubprocessOptions options;
//   options.stdout_mode = eddy::Stdio::kStream;
//   eddy::Subprocess child({"ls", "-l"}, options);
//   child.stdout_stream()->read_until_close([](std::string_view text) {...});
//   child.set_exit_callback([](int returncode) {...});
//
// The reaper. All Subprocesses of the process share one SIGCHLD reaper bound
// to one IOLoop (Tornado's Subprocess.initialize): SIGCHLD is blocked and
// read from a signalfd on that loop; on each SIGCHLD the reaper calls
// waitpid(pid, WNOHANG) for every pid a Subprocess registered — never
// waitpid(-1), so children that others own (fork_processes' workers, a
// library's helpers) are never stolen. The first Subprocess starts it on its
// loop; initialize() does so explicitly. While it runs, SIGCHLD has its
// default disposition (SIG_IGN would let the kernel reap programs first). Every
// Subprocess is reaped, whether or not an exit callback was set, so none is
// left a zombie.
//
// Threads: the loop's thread. Create the first Subprocess (or call
// initialize) on the main thread before starting other threads: SIGCHLD is
// blocked only in the calling thread, and a thread that leaves it unblocked
// would swallow it. Spawned programs start with an empty signal mask and
// default dispositions for the signals servers commonly change (SIGPIPE,
// SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2).
//
// Ownership: the Subprocess owns the parent's ends of the pipes through its
// streams (shared_ptr: keep a copy to outlive the Subprocess). Destroying a
// Subprocess does not kill the program; the reaper still reaps it, and its
// exit callback is dropped without running. Every pipe end is close-on-exec,
// so no program inherits another's pipes.
//
// Errors (this chapter's rule, process.h): an empty argv throws
// std::invalid_argument; a program that cannot be started (not found, not
// executable) throws std::system_error naming it; a Subprocess on a loop
// other than the reaper's throws std::logic_error. Nothing throws after that:
// pipe errors close the stream (iostream.h), and exit callbacks run on the
// loop, which logs their exceptions.
#ifndef EDDY_06_PROCESS_SUBPROCESS_H_
#define EDDY_06_PROCESS_SUBPROCESS_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "03_iostream/iostream.h"

namespace eddy {

// What a standard stream of the program is connected to: the parent's
// (Python's None), a pipe exposed as an IOStream (Subprocess.STREAM), or
// /dev/null (subprocess.DEVNULL).
enum class Stdio { kInherit, kStream, kDevNull };

struct SubprocessOptions {
  Stdio stdin_mode = Stdio::kInherit;
  Stdio stdout_mode = Stdio::kInherit;
  Stdio stderr_mode = Stdio::kInherit;
  // The program's environment ("NAME=value"); the parent's when unset.
  std::optional<std::vector<std::string>> env;
};

class Subprocess {
 public:
  using ExitCallback = std::function<void(int returncode)>;

  // Starts argv[0] (searched in PATH) with arguments argv[1..]. Pipes are
  // created for the streams set to kStream; the pid is registered with the
  // reaper before the constructor returns.
  explicit Subprocess(std::vector<std::string> argv,
                      SubprocessOptions options = {},
                      IOLoop& io_loop = IOLoop::current());
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const;
  // The pipe streams (Tornado's proc.stdin/stdout/stderr); null for a
  // stream not set to kStream. Closing stdin_stream() sends the program EOF.
  std::shared_ptr<IOStream> stdin_stream() const { return stdin_; }
  std::shared_ptr<IOStream> stdout_stream() const { return stdout_; }
  std::shared_ptr<IOStream> stderr_stream() const { return stderr_; }

  // Runs `callback(returncode)` on the loop once the program has exited and
  // been reaped (set_exit_callback). returncode is as Python's: the exit
  // status, or -N when killed by signal N. If it already exited, the
  // callback is scheduled with add_callback. Replaces an earlier callback.
  // A program reaped by someone else (waitpid fails with ECHILD) reports 255.
  void set_exit_callback(ExitCallback callback);
  // The returncode once reaped; nullopt while the program runs.
  std::optional<int> returncode() const;

  // Drives the loop (run_until) until the program has been reaped or
  // `timeout` seconds pass; returns the returncode, or nullopt on timeout.
  // For tests and tools: the loop must not be running. Unlike Tornado's
  // wait_for_exit it never raises for a non-zero code.
  std::optional<int> wait_for_exit(double timeout);

  // Sends `signal_number` to the program, if it has not been reaped yet (so
  // the pid cannot belong to another process). Returns false otherwise.
  bool send_signal(int signal_number);

  // Starts the reaper on `io_loop` (Subprocess.initialize). Idempotent on
  // the same loop; throws std::logic_error if it runs on another loop.
  static void initialize(IOLoop& io_loop = IOLoop::current());
  // Stops the reaper and restores the SIGCHLD mask (Subprocess.uninitialize).
  // Call it before destroying a loop the reaper was started on. Programs
  // still running are no longer reaped (their exit callbacks never run).
  static void uninitialize();

  // Shared with the reaper, which may outlive this object.
  struct State {
    pid_t pid = -1;
    IOLoop* io_loop = nullptr;
    std::optional<int> returncode;
    ExitCallback exit_callback;
  };

 private:
  std::shared_ptr<State> state_;
  std::shared_ptr<IOStream> stdin_;
  std::shared_ptr<IOStream> stdout_;
  std::shared_ptr<IOStream> stderr_;
};

}  // namespace eddy

#endif  // EDDY_06_PROCESS_SUBPROCESS_H_
