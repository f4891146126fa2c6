// Exercise 06.1 (easy): a crash-loop back-off policy for the supervisor.
//
// fork_processes restarts a crashed worker at once and gives up after
// max_restarts restarts over the life of the process: a server that loses a
// worker once a week gives up after two years, and a worker that crashes on
// start is restarted in a tight loop. RestartPolicy is the replacement the
// walkthrough's exercise 3 ("Crash-loop back-off") asks for, as a pure class
// the supervisor would consult (time is passed in, so it tests without
// waiting).
//
// Contract
// - on_exit(task_id, now, failed) is called when worker `task_id` exits at
//   time `now` (seconds, any monotonic origin, never decreasing). It returns
//   the delay in seconds before restarting that task, or std::nullopt to give
//   up (the supervisor then stops everything).
// - A clean exit (failed == false) returns 0 (restart at once) and ends that
//   task's failure streak: a worker may exit cleanly to be recycled. It
//   never gives up.
// - Failures count in a sliding window: when more than max_failures failures
//   (over all tasks) happened in the last window_seconds (including this
//   one; failures exactly window_seconds old no longer count), give up.
// - Otherwise the delay is exponential per task: base_delay after a task's
//   first consecutive failure, then doubled per further consecutive failure
//   of that task, capped at max_delay. A task's streak ends (the next
//   failure is "first" again) after a clean exit, or when the task ran for
//   at least `healthy_seconds` since its last restart (the last on_exit of
//   that task plus the delay returned then).
// - Construction throws std::invalid_argument unless max_failures >= 0,
//   window_seconds > 0, 0 <= base_delay <= max_delay, healthy_seconds >= 0.
// Threads: one thread (the supervisor's).
#ifndef EDDY_06_PROCESS_EXERCISES_RESTART_POLICY_H_
#define EDDY_06_PROCESS_EXERCISES_RESTART_POLICY_H_

#include <memory>
#include <optional>

namespace eddy::exercises {

struct RestartPolicyOptions {
  int max_failures = 10;
  double window_seconds = 60;
  double base_delay = 0.1;
  double max_delay = 30;
  double healthy_seconds = 10;
};

class RestartPolicy {
 public:
  explicit RestartPolicy(RestartPolicyOptions options = {});
  ~RestartPolicy();
  RestartPolicy(RestartPolicy&&) noexcept;

  std::optional<double> on_exit(int task_id, double now, bool failed);

 private:
  struct State;  // Yours: define it in restart_policy.cc.
  std::unique_ptr<State> state_;
};

}  // namespace eddy::exercises

#endif  // EDDY_06_PROCESS_EXERCISES_RESTART_POLICY_H_
