// One turn of the loop and the timer heap: IOLoop::run_iteration() and the
// steps it owns (1, 2, 4, 5 of README.md's "One turn of the loop"), with
// add_timeout/remove_timeout. Lab 01 has the student write this file
// (lab/README.md); the helpers it calls are in ioloop_internal.h and ioloop.cc.
#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>

#include "01_ioloop/ioloop.h"
#include "01_ioloop/ioloop_internal.h"
#include "01_ioloop/log.h"

namespace eddy {
namespace {

// Rebuild the timer heap when this many cancelled entries pile up (and they
// are more than half of it), as Tornado does.
constexpr size_t kCancelledTimeoutsBeforeCleanup = 512;

}  // namespace

// ---- The timer heap
// -----------------------------------------------------------

TimeoutHandle IOLoop::add_timeout(Clock::time_point deadline,
                                  Callback callback) {
  check_thread("add_timeout");
  uint64_t id = next_timeout_id_++;
  timeouts_.push_back(TimerEntry{deadline, id});
  std::push_heap(timeouts_.begin(), timeouts_.end(), std::greater<>());
  timeout_callbacks_.emplace(id, std::move(callback));
  return TimeoutHandle{id};
}

// DOC: remove-timeout. (README.md, "Timers".)
void IOLoop::remove_timeout(TimeoutHandle handle) {
  check_thread("remove_timeout");
  // Lazy cancellation: drop the callback now, the heap entry when it surfaces.
  if (timeout_callbacks_.erase(handle.id) == 0) return;
  cancelled_timeouts_++;
  if (cancelled_timeouts_ > kCancelledTimeoutsBeforeCleanup &&
      cancelled_timeouts_ > timeouts_.size() / 2) {
    forget_cancelled_timeouts();
  }
}

void IOLoop::forget_cancelled_timeouts() {
  auto cancelled = [this](uint64_t id) {
    return !timeout_callbacks_.contains(id);
  };
  std::erase_if(timeouts_,
                [&](const TimerEntry& entry) { return cancelled(entry.id); });
  std::make_heap(timeouts_.begin(), timeouts_.end(), std::greater<>());
  // The heap holds no cancelled entry now, but a batch of due timeouts being
  // run (run_due_timeouts) may: those are still counted, and uncounted when
  // the batch reaches them.
  cancelled_timeouts_ = static_cast<size_t>(
      std::count_if(due_timeouts_.begin() + static_cast<ptrdiff_t>(due_next_),
                    due_timeouts_.end(), cancelled));
}

// ---- One turn
// -----------------------------------------------------------------

// DOC: loop-turn.
// One turn of the loop (README.md, "One turn of the loop"):
//   1. Decide how long epoll may block: not at all when callbacks are queued,
//      until the earliest timeout when there is one, else until woken.
//   2. epoll_wait.
//   3. Call the handler of every ready fd that is still registered.
//   4. Run the timeouts that are due now (not those added while running).
//   5. Run the callbacks queued before this step (not those added by them).
void IOLoop::run_iteration(int max_wait_ms) {
  int wait_ms = poll_timeout_ms(max_wait_ms);  // 1
  int count =
      ::epoll_wait(epoll_fd_, events_.data(), static_cast<int>(events_.size()),
                   wait_ms);  // 2
  if (count < 0) {
    if (errno != EINTR)
      log_error(std::string("IOLoop: epoll_wait: ") + std::strerror(errno));
    count = 0;
  }
  dispatch_events(count);  // 3
  run_due_timeouts();      // 4
  run_callbacks();         // 5
}

int IOLoop::poll_timeout_ms(int max_wait_ms) const {
  if (callbacks_queued()) return 0;
  int wait_ms = max_wait_ms;
  if (!timeouts_.empty()) {
    // A cancelled entry on top only makes the loop wake early, harmlessly.
    auto left = std::chrono::ceil<std::chrono::milliseconds>(
        timeouts_.front().deadline - Clock::now());
    int64_t ms = std::clamp<int64_t>(left.count(), 0, 3600 * 1000);
    if (wait_ms < 0 || ms < wait_ms) wait_ms = static_cast<int>(ms);
  }
  return wait_ms;
}

void IOLoop::run_due_timeouts() {
  if (timeouts_.empty()) return;
  // Take the whole due batch off the heap first: timeouts added while it
  // runs wait for the next round even when they are already due.
  auto now = iteration_time();
  due_timeouts_.clear();
  due_next_ = 0;
  while (!timeouts_.empty() && timeouts_.front().deadline <= now) {
    std::pop_heap(timeouts_.begin(), timeouts_.end(), std::greater<>());
    uint64_t id = timeouts_.back().id;
    timeouts_.pop_back();
    if (timeout_callbacks_.contains(id)) {
      due_timeouts_.push_back(id);
    } else {
      cancelled_timeouts_--;
    }
  }
  while (due_next_ < due_timeouts_.size()) {
    uint64_t id = due_timeouts_[due_next_++];
    // An earlier timeout in this batch may have removed this one.
    auto it = timeout_callbacks_.find(id);
    if (it == timeout_callbacks_.end()) {
      cancelled_timeouts_--;
      continue;
    }
    Callback callback = std::move(it->second);
    timeout_callbacks_.erase(it);
    run_guarded("timeout", callback);
  }
  due_timeouts_.clear();
  due_next_ = 0;
}

void IOLoop::run_callbacks() {
  if (!take_callbacks()) return;
  for (Callback& callback : running_callbacks_)
    run_guarded("callback", callback);
  running_callbacks_.clear();
}

}  // namespace eddy
