// IOLoop: a level-triggered epoll reactor, Tornado's tornado.ioloop.IOLoop.
//
// Threads. An IOLoop belongs to the thread that runs start(). Every method
// except add_callback() and stop() must be called on that thread (or, before
// the loop first starts, on the thread that set it up); a call from another
// thread while the loop runs aborts the process with a message, in every
// build. add_callback() and stop() may be called from any thread: they are
// the way other threads talk to the loop.
//
// Errors (the one rule of this layer). Setup failures (epoll/eventfd
// creation, registering an fd twice, epoll_ctl errors) throw
// std::system_error; misuse (starting a running loop, closing a running loop)
// throws std::logic_error. Nothing throws out of start(): an exception thrown
// by a handler, callback or timeout is caught, logged on the `application`
// channel (Tornado's handle_callback_exception), and the loop keeps serving.
//
// Ownership. The loop owns the std::function objects given to it and
// destroys them after they can no longer run. It does not own the file
// descriptors registered with add_handler: close(true) closes them, nothing
// else does. A handler removed during a poll round is destroyed at the end of
// that round, so a handler may safely remove itself.
#ifndef EDDY_01_IOLOOP_IOLOOP_H_
#define EDDY_01_IOLOOP_IOLOOP_H_

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace eddy {

// The handle add_timeout()/call_later() return; pass it to remove_timeout().
// A default-constructed handle refers to no timeout.
struct TimeoutHandle {
  uint64_t id = 0;
  explicit operator bool() const { return id != 0; }
};

// An object the loop calls when its fd is ready: the allocation-free form
// of add_handler, for objects that watch one fd for their whole life
// (IOStream registers itself this way). The loop does not own it.
class IOHandler {
 public:
  virtual void handle_events(int fd, uint32_t events) = 0;

 protected:
  ~IOHandler() = default;
};

class IOLoop {
 public:
  // Event bits, as Tornado's IOLoop.READ/WRITE/ERROR (the epoll values).
  static constexpr uint32_t READ = EPOLLIN;
  static constexpr uint32_t WRITE = EPOLLOUT;
  static constexpr uint32_t ERROR = EPOLLERR | EPOLLHUP;
  // (Addition.) For add_handler only, on an fd several processes' loops
  // watch (a shared listening socket): each event wakes one loop that is
  // waiting, not all of them (EPOLLEXCLUSIVE). update_handler refuses such
  // an fd (EINVAL): remove and add it again instead.
  static constexpr uint32_t EXCLUSIVE = EPOLLEXCLUSIVE;
  // (Addition.) Edge-triggered (EPOLLET), for add_handler and
  // update_handler: the handler is called when the fd becomes ready again
  // (new data arrived, send space freed), not on every iteration while it
  // stays ready. The handler then owns the difference: if it stops before
  // read() returns EAGAIN (or a short count), nothing reminds it that data
  // is left. update_handler re-arms: if the fd is ready, the next iteration
  // reports it. IOStream uses it (03_iostream/README.md).
  static constexpr uint32_t EDGE = EPOLLET;
  // (Addition.) The peer shut down its sending side (EPOLLRDHUP): reported
  // only to handlers that ask for it. With EDGE, the one event that carries
  // both the last data and the FIN is all the handler will get, so it must
  // read until read() returns 0, not stop at a short read.
  static constexpr uint32_t RDHUP = EPOLLRDHUP;
  // (Addition.) TCP urgent data is pending (EPOLLPRI), reported only to
  // handlers that ask for it. read() stops short at the urgent mark, so an
  // EDGE handler must not take that short read for "drained".
  static constexpr uint32_t PRI = EPOLLPRI;

  using Handler = std::function<void(int fd, uint32_t events)>;
  using Callback = std::function<void()>;
  using Clock = std::chrono::steady_clock;

  // Creates the epoll instance and the eventfd waker. Throws std::system_error.
  IOLoop();
  // Closes the loop (without closing registered fds) if close() was not called.
  ~IOLoop();
  IOLoop(const IOLoop&) = delete;
  IOLoop& operator=(const IOLoop&) = delete;

  // The process-wide default loop (Tornado 2.x IOLoop.instance()), created on
  // first use and never destroyed. Not thread-safe to create: call it once
  // on the main thread before starting other threads.
  static IOLoop& instance();
  // True once instance() has created the default loop (Tornado's
  // IOLoop.initialized()); fork_processes refuses to run after that.
  static bool initialized();
  // The loop running on this thread, or instance() when none is (Tornado 3).
  static IOLoop& current();

  // Registers `handler` to be called with (fd, events) when `fd` is ready for
  // any of `events` (READ | WRITE; ERROR is always reported). Mirrors
  // add_handler. Throws std::system_error if fd is already registered or
  // epoll refuses it (e.g. a regular file).
  void add_handler(int fd, Handler handler, uint32_t events);
  // The same with a handler object the loop only points to (no allocation,
  // no std::function call): it must stay alive until remove_handler(fd),
  // which its owner calls at the latest from its destructor.
  void add_handler(int fd, IOHandler& handler, uint32_t events);
  // Changes the events fd is registered for (update_handler).
  void update_handler(int fd, uint32_t events);
  // Stops watching fd (remove_handler). A handler removed during a poll round
  // is not called for the rest of that round. Unknown fds are ignored.
  void remove_handler(int fd);
  // True while fd has a handler.
  bool has_handler(int fd) const;

  // Queues `callback` to run on the loop's next iteration, in FIFO order
  // (add_callback). Thread-safe; wakes a loop blocked in epoll_wait. A
  // callback added while callbacks run waits for the next iteration, so a
  // callback that re-adds itself cannot starve I/O or timers.
  void add_callback(Callback callback);

  // Runs `callback` at or after `deadline`, a time on this loop's monotonic
  // clock (add_timeout). Timeouts run in deadline order; equal deadlines in
  // the order they were added.
  TimeoutHandle add_timeout(Clock::time_point deadline, Callback callback);
  // Same, with the deadline in seconds as returned by time().
  TimeoutHandle add_timeout(double deadline, Callback callback);
  // Runs `callback` `delay` seconds from now (call_later). For both forms of
  // seconds, NaN means now and values are clamped to +-100 years (so an
  // infinite delay means never).
  TimeoutHandle call_later(double delay, Callback callback);
  // Cancels a pending timeout; it will never run. Removing a timeout that
  // already ran or was removed is a no-op (remove_timeout).
  void remove_timeout(TimeoutHandle handle);

  // The loop's clock in seconds: CLOCK_MONOTONIC, so only differences
  // matter. It plays the part of Tornado's IOLoop.time(), which is the wall
  // clock (time.time()) in 2.x to 4.x and monotonic only from 5.0 on.
  double time() const;
  // The clock as read at most once per loop iteration: the first call after
  // epoll_wait returned reads it, later calls in the same iteration return
  // that reading (outside start()/run_until(), every call reads the clock).
  // Cheaper than Clock::now() when called often, and at most one
  // iteration stale: for deadlines that may come that early and timestamps
  // of "this event arrived", as nginx's ngx_current_msec. Loop thread only.
  Clock::time_point iteration_time() const {
    if (!running_) return Clock::now();
    if (!iteration_time_valid_) {
      iteration_time_ = Clock::now();
      iteration_time_valid_ = true;
    }
    return iteration_time_;
  }

  // Runs the loop until stop() (start). If stop() was called while the loop
  // was not running, start() returns at once and clears that request, as
  // Tornado. Throws std::logic_error if the loop is already running or closed.
  void start();
  // Asks the loop to return from start() after the current iteration.
  // Thread-safe (stop).
  void stop();
  // True while start() or run_until() runs. Loop thread only: running_ is a
  // plain bool, so another thread asking would be a data race.
  bool running() const { return running_; }

  // Aborts the process with "eddy::<type><method> called from a thread that
  // is not running the loop" unless called on the thread running this loop
  // (or the loop is not running), in every build mode. The loop's own
  // loop-thread methods call it, and so do objects that belong to a loop and
  // are loop-thread only, such as IOStream (type "IOStream::", method
  // "write"). Cheap: one relaxed load and a thread-id compare.
  void check_loop_thread(const char* type, const char* method) const {
    std::thread::id owner = loop_thread_.load(std::memory_order_relaxed);
    if (owner != std::thread::id() && owner != std::this_thread::get_id())
        [[unlikely]] {
      abort_wrong_thread(type, method);
    }
  }

  // Drives the loop until `condition()` is true or `timeout` seconds pass;
  // returns the final value of condition(). For tests and tools: it is how a
  // test waits for an event with a deadline instead of sleeping.
  bool run_until(const std::function<bool()>& condition, double timeout);

  // Releases the epoll fd and the waker, and closes every registered fd when
  // `all_fds` is true (close). The loop cannot be used afterwards. Throws
  // std::logic_error if the loop is running. Other threads must have stopped
  // calling add_callback()/stop() by then: they read waker_fd_ unlocked.
  void close(bool all_fds = false);

 private:
  friend class IOLoopTestPeer;  // Tests read the timer heap (test_util.h).

  // add_handler's std::function form: an IOHandler the loop owns.
  struct FunctionHandler;
  // 16 bytes per fd. `handler` is owned (a FunctionHandler) when `owned`.
  struct HandlerEntry {
    IOHandler* handler = nullptr;
    uint32_t generation = 0;  // Bumped on every add; tags epoll events.
    bool active = false;
    bool owned = false;
  };
  // One timer heap entry. The callback lives in timeout_callbacks_; a heap
  // entry whose id is missing there was cancelled and is skipped when popped.
  //
  //   timeouts_ (min-heap on {deadline, id})      timeout_callbacks_
  //   [ {t=1.0,id=7} {t=2.5,id=3} {t=1.2,id=9} ]   {7: cb, 9: cb}  (3
  //   cancelled)
  struct TimerEntry {
    Clock::time_point deadline;
    uint64_t id;
    bool operator>(const TimerEntry& other) const {
      return deadline != other.deadline ? deadline > other.deadline
                                        : id > other.id;
    }
  };

  class RunningScope;  // Sets and restores the running state (ioloop.cc).

  // ---- One turn of the loop and the timer heap (loop_turn.cc) -------------
  // Lab 01 (lab/README.md) has the student write these, with add_timeout()
  // and remove_timeout() above, against the state drawn in README.md's
  // "Data layouts": events_, timeouts_, timeout_callbacks_, next_timeout_id_,
  // cancelled_timeouts_, due_timeouts_/due_next_ and running_callbacks_.

  // One turn of start()'s loop, steps 1-5 (README.md, "One turn of the
  // loop"; Tornado 2.4.1's IOLoop.start body): epoll_wait for at most
  // poll_timeout_ms(max_wait_ms) into events_ (EINTR is an empty round,
  // other errors are logged), then dispatch_events, run_due_timeouts and
  // run_callbacks. max_wait_ms < 0 means no limit of its own.
  void run_iteration(int max_wait_ms);
  // Step 1: how long epoll_wait may block, in ms: 0 when callbacks are
  // queued; else until the earliest heap entry (rounded up, at most an
  // hour), capped at max_wait_ms when that is >= 0; else -1 (until woken).
  int poll_timeout_ms(int max_wait_ms) const;
  // Step 4: takes every entry due at iteration_time() off the heap, then
  // runs the live ones in deadline order, each through run_guarded; one
  // removed by an earlier one of the batch does not run, one added by the
  // batch waits for a later round. Keeps cancelled_timeouts_ exact.
  void run_due_timeouts();
  // Step 5: runs, through run_guarded and in FIFO order, the callbacks that
  // were queued when the step began (take_callbacks); callbacks they add
  // wait for the next round.
  void run_callbacks();
  // Rebuilds the heap without its cancelled entries (remove_timeout calls it
  // when more than 512 entries, and more than half the heap, are cancelled,
  // as Tornado's remove_timeout); cancelled_timeouts_ then counts only the
  // cancelled entries of the batch run_due_timeouts() is running.
  void forget_cancelled_timeouts();

  // Ready-made steps and helpers they call (ioloop.cc, ioloop_internal.h).
  // Step 3: calls the handler of each of events_[0, count) whose fd is still
  // registered (the waker's event only drains it), and starts a new
  // iteration for iteration_time(). Call it every turn, also with count 0.
  void dispatch_events(int count);
  // True when callbacks are queued: read without the lock, exact for the
  // loop thread's own callbacks (another thread's also wakes the loop).
  bool callbacks_queued() const;
  // Moves the queued callbacks into the empty running_callbacks_ (under the
  // lock, also resetting the wake-up protocol); false when none are queued.
  bool take_callbacks();
  // Calls fn(), catching and logging an exception on the `application`
  // channel as "Exception in <what>: ..." (handle_callback_exception).
  template <typename Fn>
  void run_guarded(const char* what, Fn&& fn);
  // check_loop_thread() for the loop's own methods.
  void check_thread(const char* method) const {
    check_loop_thread("IOLoop::", method);
  }
  [[noreturn]] static void abort_wrong_thread(const char* type,
                                              const char* method);

  // ---- The rest of the loop (ioloop.cc) -------------------------------------
  void register_handler(int fd, IOHandler* handler, bool owned,
                        uint32_t events);
  void release_handler(HandlerEntry& entry);
  void drain_waker();
  void wake();

  int epoll_fd_ = -1;
  int waker_fd_ = -1;
  bool closed_ = false;

  // Loop-thread state.
  bool running_ = false;
  // Indexed by fd. Handlers live outside this vector (owned ones on the
  // heap) so that growing it, or removing a handler while it runs, never
  // moves the object being called.
  std::vector<HandlerEntry> handlers_;
  // Owned handlers removed during a poll round, freed after the round.
  std::vector<std::unique_ptr<FunctionHandler>> removed_handlers_;
  bool dispatching_ = false;
  // iteration_time()'s reading; invalid again after each epoll_wait, so an
  // iteration that never asks (no timeouts, no HTTP) reads no clock.
  mutable Clock::time_point iteration_time_{};
  mutable bool iteration_time_valid_ = false;
  std::vector<epoll_event> events_;
  std::vector<TimerEntry> timeouts_;  // Min-heap (std::greater).
  std::unordered_map<uint64_t, Callback> timeout_callbacks_;
  uint64_t next_timeout_id_ = 1;
  // Timer entries whose callback is gone: in timeouts_, or in the batch
  // run_due_timeouts() is running (due_timeouts_ from due_next_ on).
  size_t cancelled_timeouts_ = 0;
  std::vector<uint64_t> due_timeouts_;  // The batch of due timeout ids.
  size_t due_next_ = 0;                 // Next index of due_timeouts_ to run.
  std::vector<Callback> running_callbacks_;

  // Shared with other threads.
  std::atomic<bool> stop_requested_{false};
  std::atomic<std::thread::id> loop_thread_{};
  mutable std::mutex callbacks_mutex_;
  std::vector<Callback> callbacks_;  // Guarded by callbacks_mutex_.
  bool wake_pending_ = false;        // Guarded by callbacks_mutex_.
  // True while callbacks_ is not empty (written under the mutex), so that
  // an iteration with no callbacks queued takes no lock (a hint: a
  // callback added right after it was read wakes the loop anyway).
  std::atomic<bool> has_callbacks_{false};
};

}  // namespace eddy

#endif  // EDDY_01_IOLOOP_IOLOOP_H_
