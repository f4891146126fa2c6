// Reference solution of exercise 06.1 (06_process/exercises/restart_policy.h).
#include "06_process/exercises/restart_policy.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <stdexcept>

namespace eddy::exercises {

struct RestartPolicy::State {
  struct Task {
    int streak = 0;           // Consecutive failures.
    double restarted_at = 0;  // Last on_exit time + the delay returned.
    bool has_run = false;
  };
  RestartPolicyOptions options;
  std::deque<double> failures;  // Times within the window, oldest first.
  std::map<int, Task> tasks;
};

RestartPolicy::RestartPolicy(RestartPolicyOptions o)
    : state_(std::make_unique<State>()) {
  if (o.max_failures < 0 || !(o.window_seconds > 0) || !(o.base_delay >= 0) ||
      !(o.max_delay >= o.base_delay) || !(o.healthy_seconds >= 0))
    throw std::invalid_argument("RestartPolicy: bad options");
  state_->options = o;
}

RestartPolicy::~RestartPolicy() = default;
RestartPolicy::RestartPolicy(RestartPolicy&&) noexcept = default;

std::optional<double> RestartPolicy::on_exit(int task_id, double now,
                                             bool failed) {
  State& s = *state_;
  const RestartPolicyOptions& o = s.options;
  State::Task& task = s.tasks[task_id];
  bool healthy = task.has_run && now - task.restarted_at >= o.healthy_seconds;
  if (!failed || healthy) task.streak = 0;
  if (!failed) {
    task.restarted_at = now;
    task.has_run = true;
    return 0.0;
  }
  // The sliding window: failures exactly window_seconds old have left it.
  while (!s.failures.empty() && s.failures.front() <= now - o.window_seconds)
    s.failures.pop_front();
  s.failures.push_back(now);
  if (static_cast<int>(s.failures.size()) > o.max_failures) return std::nullopt;
  task.streak++;
  double delay =
      std::min(o.max_delay,
               o.base_delay * std::ldexp(1.0, std::min(task.streak - 1, 60)));
  task.restarted_at = now + delay;
  task.has_run = true;
  return delay;
}

}  // namespace eddy::exercises
