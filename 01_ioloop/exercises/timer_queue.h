// Exercise 01.2 (medium): a timer queue with cheap cancellation.
//
// IOLoop keeps its timeouts in a min-heap of {deadline, id} plus a hash map
// id -> callback; cancelling erases from the map and leaves a dead heap entry
// behind (lazy deletion), and the heap is rebuilt when dead entries pile up.
// Here you write that data structure on its own, as a class, and choose how
// to make cancellation cheap (the walkthrough's exercise 3: callbacks in the
// heap entries and a generation per slot instead of the hash map, or
// anything else that meets this contract).
//
// Contract
// - add(): O(log n). Timers run in deadline order; equal deadlines in the
//   order they were added.
// - cancel(): O(1) amortised; a cancelled timer never runs and its callback
//   is destroyed no later than the next add/cancel/run_due that compacts.
// - Memory stays bounded under cancellation: after every public call,
//   heap_size() <= 2 * size() + 64.
// - run_due(now) runs every live timer with deadline <= now. A timer added by
//   a callback during run_due() never runs in that same call (even if already
//   due); a timer cancelled by an earlier callback of the batch does not run.
// - Callbacks must not throw; if one does, the exception propagates out of
//   run_due() and the due timers not yet run stay queued.
//
// Threads: one thread (the loop's). Not copyable.
#ifndef EDDY_01_IOLOOP_EXERCISES_TIMER_QUEUE_H_
#define EDDY_01_IOLOOP_EXERCISES_TIMER_QUEUE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace eddy::exercises {

class TimerQueue {
 public:
  using Clock = std::chrono::steady_clock;
  using Callback = std::function<void()>;

  // Names one added timer. A default-constructed handle names none.
  struct Handle {
    uint64_t id = 0;
    explicit operator bool() const { return id != 0; }
  };

  TimerQueue();
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Schedules `callback` at `deadline`.
  Handle add(Clock::time_point deadline, Callback callback);
  // Cancels a pending timer: returns true if it was pending, false if it
  // already ran, was cancelled, or the handle is empty.
  bool cancel(Handle handle);
  // Runs the due timers (see the contract above); returns how many ran.
  size_t run_due(Clock::time_point now);
  // The earliest deadline among live timers, or nullopt when there is none.
  // May drop cancelled entries from the top of the heap (hence not const).
  std::optional<Clock::time_point> next_deadline();
  // Live timers: added, not yet run, not cancelled.
  size_t size() const;
  // Entries the queue holds, live or cancelled (the memory bound above).
  size_t heap_size() const;

 private:
  struct State;  // Yours: define it in timer_queue.cc.
  std::unique_ptr<State> state_;
};

}  // namespace eddy::exercises

#endif  // EDDY_01_IOLOOP_EXERCISES_TIMER_QUEUE_H_
