// Exercise 01.2: a timer queue with cheap cancellation. Replace every TODO;
// the statement is in README.md, the contract in timer_queue.h, the grading
// tests in timer_queue_test.cc:
//   tools/bazel test //01_ioloop/exercises:timer_queue_test
#include "01_ioloop/exercises/timer_queue.h"

#include <stdexcept>
#include <vector>

namespace eddy::exercises {

// TODO: your data. One possibility: a min-heap of {deadline, sequence, slot}
// entries, a vector of slots each holding {callback, generation, live}, and a
// free list of slot indices; a Handle packs (slot, generation).
struct TimerQueue::State {};

TimerQueue::TimerQueue() : state_(std::make_unique<State>()) {}
TimerQueue::~TimerQueue() = default;

TimerQueue::Handle TimerQueue::add(Clock::time_point deadline,
                                   Callback callback) {
  // TODO
  (void)deadline;
  (void)callback;
  throw std::logic_error("TODO: TimerQueue::add");
}

bool TimerQueue::cancel(Handle handle) {
  // TODO: mark the timer dead in O(1); compact the heap when dead entries
  // exceed the bound in the contract.
  (void)handle;
  throw std::logic_error("TODO: TimerQueue::cancel");
}

size_t TimerQueue::run_due(Clock::time_point now) {
  // TODO: collect the due batch first, then run it, re-checking liveness
  // before each callback.
  (void)now;
  throw std::logic_error("TODO: TimerQueue::run_due");
}

std::optional<TimerQueue::Clock::time_point> TimerQueue::next_deadline() {
  // TODO
  throw std::logic_error("TODO: TimerQueue::next_deadline");
}

size_t TimerQueue::size() const {
  // TODO
  return 0;
}

size_t TimerQueue::heap_size() const {
  // TODO
  return 0;
}

}  // namespace eddy::exercises
