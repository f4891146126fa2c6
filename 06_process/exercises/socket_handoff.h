// Exercise 06.3 (hard): hand listening sockets to a new program, the
// mechanism under a zero-downtime restart.
//
// The walkthrough's exercise 1 ("Zero-downtime restart") re-executes the
// server with its listening sockets inherited, so the new binary accepts
// before the old one stops and no connection is refused. The protocol is
// systemd's socket activation (sd_listen_fds(3)): the sockets sit at
// descriptors 3, 4, ... and two environment variables say how many and for
// which process. This exercise is both halves of that protocol.
//
// Contract
// - listen_fds_from_env(): when LISTEN_PID is this process's pid (decimal)
//   and LISTEN_FDS a decimal count n with 1 <= n <= 1000, takes ownership of
//   descriptors 3 .. 3+n-1, marks them close-on-exec, and returns them in
//   order. Anything else (unset, another pid, not a number, 0, too large)
//   returns an empty vector and touches no descriptor. Either way it
//   unsets LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES, so the process's own
//   children do not inherit them.
// - spawn_with_listen_fds(argv, sockets): forks; in the child, sockets[i]
//   is at descriptor 3+i without FD_CLOEXEC (whatever numbers the sockets
//   had in the parent, including numbers in 3..3+n-1 in a different order),
//   the environment is this process's plus LISTEN_FDS=n and
//   LISTEN_PID=<the child's pid>, and argv[0] is executed with argv (searched
//   in PATH as execvp does). No other descriptor is left open by your code
//   (temporary duplicates must not leak into the new program); descriptors
//   the parent had without FD_CLOEXEC are not your concern. If exec fails the
//   child exits with status 127. Returns the child's pid; the parent's
//   sockets are not touched (same numbers, still open, still close-on-exec).
//   Throws std::invalid_argument for an empty argv, std::system_error if
//   fork fails.
// Threads: call from a single-threaded process (between fork and exec only
// async-signal-safe calls are allowed: prepare every string before fork).
#ifndef EDDY_06_PROCESS_EXERCISES_SOCKET_HANDOFF_H_
#define EDDY_06_PROCESS_EXERCISES_SOCKET_HANDOFF_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "02_netutil/file_descriptor.h"

namespace eddy::exercises {

std::vector<Socket> listen_fds_from_env();

pid_t spawn_with_listen_fds(const std::vector<std::string>& argv,
                            const std::vector<int>& sockets);

}  // namespace eddy::exercises

#endif  // EDDY_06_PROCESS_EXERCISES_SOCKET_HANDOFF_H_
