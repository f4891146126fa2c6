// Exercise 06.2 (medium): stop workers, escalating to SIGKILL.
//
// The supervisor forwards SIGTERM to its workers and waits for them. A
// worker stuck in an infinite loop, or one that blocks SIGTERM, makes it
// wait forever (the walkthrough's exercise 2, "Escalation"). This function
// is the fix: SIGTERM, a bounded wait, then SIGKILL for whoever is left.
//
// Contract
// - Sends SIGTERM to each pid in `pids` (children of this process), then
//   waits until every one has exited or `kill_timeout` seconds have passed
//   since the SIGTERMs; sends SIGKILL to those still running, and waits for
//   them as well.
// - Reaps exactly the listed children (waitpid on each pid, never
//   waitpid(-1): other children's exit statuses are not stolen) and leaves
//   no zombie of them.
// - Returns as soon as all have exited: it does not sleep out the timeout
//   when every child complied. While waiting it sleeps (pidfd + poll,
//   sigtimedwait or short naps of at most 10 ms), it does not spin.
// - A pid that is not (or no longer) a child of this process is skipped and
//   counted in neither field; it is never signalled (a reaped pid may
//   already belong to another process): check with waitpid(pid, WNOHANG)
//   before the first kill().
// - Returns how many exited after the SIGTERM (`terminated`) and how many
//   needed the SIGKILL (`killed`).
// - kill_timeout < 0 throws std::invalid_argument.
// Threads: the supervisor's thread; no IOLoop.
#ifndef EDDY_06_PROCESS_EXERCISES_TERMINATE_CHILDREN_H_
#define EDDY_06_PROCESS_EXERCISES_TERMINATE_CHILDREN_H_

#include <sys/types.h>

#include <vector>

namespace eddy::exercises {

struct TerminationResult {
  int terminated = 0;
  int killed = 0;
};

TerminationResult terminate_children(const std::vector<pid_t>& pids,
                                     double kill_timeout);

}  // namespace eddy::exercises

#endif  // EDDY_06_PROCESS_EXERCISES_TERMINATE_CHILDREN_H_
