// Exercise 06.1: a crash-loop back-off policy. Replace every TODO; the
// statement is in README.md, the contract in restart_policy.h, the grading
// tests in restart_policy_test.cc:
//   tools/bazel test //06_process/exercises:restart_policy_test
#include "06_process/exercises/restart_policy.h"

#include <stdexcept>

namespace eddy::exercises {

// TODO: the options, the times of recent failures (a std::deque), and per
// task: its consecutive failures and when it was last restarted.
struct RestartPolicy::State {
  RestartPolicyOptions options;
};

RestartPolicy::RestartPolicy(RestartPolicyOptions options)
    : state_(std::make_unique<State>(State{options})) {
  // TODO: validate the options.
}

RestartPolicy::~RestartPolicy() = default;
RestartPolicy::RestartPolicy(RestartPolicy&&) noexcept = default;

std::optional<double> RestartPolicy::on_exit(int task_id, double now,
                                             bool failed) {
  // TODO. This starter restarts everything at once, forever: the behaviour
  // the exercise replaces.
  (void)task_id;
  (void)now;
  (void)failed;
  return 0.0;
}

}  // namespace eddy::exercises
