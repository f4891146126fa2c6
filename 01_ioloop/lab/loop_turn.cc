// Lab 01: one turn of the loop and the timer heap, written by you (README.md
// next to this file says what to build, in which order, and how it is
// graded).
//
// The contract is in 01_ioloop/ioloop.h: add_timeout and remove_timeout (the
// public part) and the private block "One turn of the loop and the timer
// heap", which also lists the state you work on and the ready-made helpers
// you call (dispatch_events, callbacks_queued, take_callbacks, run_guarded,
// check_thread). Every function below starts as a call to todo(), which
// throws "TODO(lab 01): ..."; replace each body, in the order of the file
// (README.md, "Order of work", has the tests to run after each part).
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
#include "tools/lab/todo.h"

namespace eddy {
namespace {

// Rebuild the timer heap when more entries than this are cancelled (and
// they are more than half of it), as Tornado's remove_timeout does.
[[maybe_unused]] constexpr size_t kCancelledTimeoutsBeforeCleanup = 512;

}  // namespace

// ---- Part 1: one turn
// -----------------------------------------------------------

void IOLoop::run_iteration(int max_wait_ms) {
  // TODO(lab 01), part 1 (walkthrough: "One turn of the loop"), the five
  // steps in this order, numbered as there:
  // 1. wait_ms = poll_timeout_ms(max_wait_ms).
  // 2. ::epoll_wait(epoll_fd_, events_.data(), <events_.size() as int>,
  //    wait_ms). A negative result is a round with no event: with errno
  //    EINTR (a signal) silently, otherwise after
  //    log_error("IOLoop: epoll_wait: <strerror(errno)>").
  // 3. dispatch_events(count): ready-made, and called every turn, also when
  //    count is 0 (it starts the turn's iteration_time()).
  // 4. run_due_timeouts().
  // 5. run_callbacks().
  // Do not catch exceptions here: steps 3-5 run every user function through
  // run_guarded, and start() must not swallow the loop's own errors.
  (void)max_wait_ms;
  lab::todo("01", "IOLoop::run_iteration");
}

int IOLoop::poll_timeout_ms(int max_wait_ms) const {
  // TODO(lab 01), part 1 (walkthrough: "One turn of the loop", step 1):
  // 1. callbacks_queued(): return 0 (the loop must not sleep on them).
  // 2. Start from max_wait_ms (-1: no limit, sleep until woken).
  // 3. (Part 2, once add_timeout fills timeouts_.) With a timer: the time
  //    until timeouts_.front().deadline from Clock::now(), in milliseconds
  //    rounded UP (std::chrono::ceil), clamped to [0, one hour] so that a
  //    timer 100 years away cannot overflow an int; take it when it is
  //    smaller than max_wait_ms or when there is no limit.
  (void)max_wait_ms;
  lab::todo("01", "IOLoop::poll_timeout_ms");
}

void IOLoop::run_callbacks() {
  // TODO(lab 01), part 1 (walkthrough: "One turn of the loop", step 5):
  // 1. take_callbacks(); when it returns false there is nothing to run.
  // 2. Run each callback of running_callbacks_, in order, through
  //    run_guarded("callback", ...): an exception is logged, the rest run.
  // 3. Clear running_callbacks_ (the callbacks' captures die now, and the
  //    next take_callbacks() needs it empty).
  // Callbacks added meanwhile are in callbacks_ again: they wait a round.
  lab::todo("01", "IOLoop::run_callbacks");
}

// ---- Part 2: the timer heap
// -------------------------------------------------------

TimeoutHandle IOLoop::add_timeout(Clock::time_point deadline,
                                  Callback callback) {
  // TODO(lab 01), part 2 (walkthrough: "Data layouts", the timer heap):
  // 1. check_thread("add_timeout").
  // 2. Take the next id (next_timeout_id_, which starts at 1: id 0 is the
  //    empty handle).
  // 3. Push TimerEntry{deadline, id} on timeouts_, a min-heap: std::push_heap
  //    with std::greater<>() (TimerEntry orders by deadline, then id).
  // 4. Store the callback in timeout_callbacks_[id]; return TimeoutHandle{id}.
  (void)deadline, (void)callback;
  lab::todo("01", "IOLoop::add_timeout");
}

void IOLoop::run_due_timeouts() {
  // TODO(lab 01), part 2 (walkthrough: "One turn of the loop", step 4):
  // 1. now = iteration_time() (one clock reading per turn).
  // 2. Pop every entry with deadline <= now off the heap (std::pop_heap with
  //    std::greater<>(), then pop_back) BEFORE running any: append the id
  //    of a live one (its callback is in timeout_callbacks_) to
  //    due_timeouts_; a cancelled one only lowers cancelled_timeouts_.
  // 3. Run the batch in order, due_next_ being the next index to run: move
  //    the callback out of timeout_callbacks_, erase it, then
  //    run_guarded("timeout", ...). An id no longer there was removed by an
  //    earlier timeout of the batch: lower cancelled_timeouts_, skip it.
  // 4. Clear due_timeouts_ and due_next_.
  // Part 3 relies on step 3's bookkeeping: forget_cancelled_timeouts() may
  // run in the middle of the batch, from a timeout calling remove_timeout.
  if (timeouts_.empty()) return;  // Given: lets part 1 run without timers.
  lab::todo("01", "IOLoop::run_due_timeouts");
}

// ---- Part 3: cancellation
// -------------------------------------------------------

void IOLoop::remove_timeout(TimeoutHandle handle) {
  // TODO(lab 01), part 3 (walkthrough: "Key code paths", Timers):
  // 1. check_thread("remove_timeout").
  // 2. Lazy cancellation: erase the callback from timeout_callbacks_ and
  //    leave the heap entry where it is. Nothing erased (the timeout ran,
  //    was removed, or the handle is empty): return.
  // 3. Count the dead entry in cancelled_timeouts_; when that is more than
  //    kCancelledTimeoutsBeforeCleanup and more than half of timeouts_,
  //    forget_cancelled_timeouts().
  (void)handle;
  lab::todo("01", "IOLoop::remove_timeout");
}

void IOLoop::forget_cancelled_timeouts() {
  // TODO(lab 01), part 3:
  // 1. Erase from timeouts_ every entry whose id has no callback any more,
  //    then std::make_heap it again (std::greater<>()).
  // 2. cancelled_timeouts_ = the number of cancelled ids among the part of
  //    the batch still to run (due_timeouts_ from due_next_ on): the heap
  //    has none left, but run_due_timeouts() will still meet those.
  lab::todo("01", "IOLoop::forget_cancelled_timeouts");
}

}  // namespace eddy
