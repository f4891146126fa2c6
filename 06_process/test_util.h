// Test helpers for chapter 06 (internal; tests only): waiting for a process
// with a deadline (pidfd + poll, never sleep), reading lines from a pipe with
// a deadline, listing a process's children from /proc, and a small blocking
// HTTP client for the server tests.
#ifndef EDDY_06_PROCESS_TEST_UTIL_H_
#define EDDY_06_PROCESS_TEST_UTIL_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace eddy::testing {

// Waits up to `timeout` seconds for child `pid` to exit and reaps it; returns
// its raw wait status, or nullopt if it is still running at the deadline.
std::optional<int> wait_for_pid(pid_t pid, double timeout);

// Reads from `fd` until a full line ('\n') is in `buffer` or `timeout`
// seconds pass; returns the line without its newline (and removes it from
// `buffer`), or nullopt on timeout or EOF.
std::optional<std::string> read_line(int fd, std::string& buffer,
                                     double timeout);

// The pids whose parent is `parent`, from /proc/<pid>/stat.
std::vector<pid_t> children_of(pid_t parent);

// True while /proc/<pid> exists and the process is not a zombie.
bool process_alive(pid_t pid);

// Polls /proc/<pid>/stat until the process is in `state` ('T' stopped, 'Z'
// a zombie) or `timeout` seconds pass; true if it got there. For
// process-table facts, which have no event to wait on.
bool wait_for_state(pid_t pid, char state, double timeout);

// Makes this process the reaper of its orphaned descendants
// (PR_SET_CHILD_SUBREAPER), so a worker left behind by a dead supervisor
// shows up as our child instead of disappearing under init.
void become_subreaper();

// A GET of `path` to 127.0.0.1:`port` over a fresh connection with
// `Connection: close`, made from `source_ip` when given (any 127.x address
// works on Linux loopback). Returns the whole response, or an empty string
// if connecting or reading fails or `timeout` passes.
std::string http_get(int port, const std::string& path, double timeout,
                     const std::string& source_ip = "",
                     const std::string& extra_headers = "");

// A program started by start_program: its pid and the read end of a pipe on
// its stdout (close-on-exec; the caller closes it). Its stderr goes to the
// file given to start_program, appended, so nothing blocks on a full pipe.
struct Program {
  pid_t pid = -1;
  int stdout_fd = -1;
};

// Starts `argv` with `extra_env` ("NAME=value") added to (or replacing in)
// this process's environment and stderr appended to `stderr_path` ("" keeps
// ours). Throws std::system_error if it cannot start.
Program start_program(const std::vector<std::string>& argv,
                      const std::string& stderr_path = "",
                      const std::vector<std::string>& extra_env = {});

// The path of a data dependency: $TEST_SRCDIR/$TEST_WORKSPACE/<path>.
std::string runfile(const std::string& path);

// The whole content of a file ("" if it cannot be read).
std::string read_file(const std::string& path);

}  // namespace eddy::testing

#endif  // EDDY_06_PROCESS_TEST_UTIL_H_
