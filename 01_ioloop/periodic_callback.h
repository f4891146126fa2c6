// PeriodicCallback: calls a function every `callback_time` milliseconds on an
// IOLoop, Tornado's tornado.ioloop.PeriodicCallback.
//
// Threads: loop thread only, like the IOLoop methods it uses.
// Scheduling: the next call is planned when the callback returns, from the
// previous deadline (not from the return time), so the period does not
// drift; when the loop falls behind (a slow callback, a long handler), missed
// ticks are skipped rather than run in a burst, as Tornado does.
// Errors: an exception from the callback is logged by the loop and the
// schedule continues. The constructor throws std::invalid_argument when
// callback_time is not a positive finite number.
// Lifetime: the object must outlive its schedule; the destructor stops it.
#ifndef EDDY_01_IOLOOP_PERIODIC_CALLBACK_H_
#define EDDY_01_IOLOOP_PERIODIC_CALLBACK_H_

#include <functional>

#include "01_ioloop/ioloop.h"

namespace eddy {

class PeriodicCallback {
 public:
  // `callback_time` is in milliseconds, as in Tornado.
  PeriodicCallback(std::function<void()> callback, double callback_time,
                   IOLoop& io_loop = IOLoop::current());
  ~PeriodicCallback();
  PeriodicCallback(const PeriodicCallback&) = delete;
  PeriodicCallback& operator=(const PeriodicCallback&) = delete;

  // Schedules the first call one period from now. No-op when running. If
  // scheduling throws (IOLoop::add_timeout), it stays stopped.
  void start();
  // Cancels the pending call. No-op when stopped.
  void stop();
  bool is_running() const { return running_; }

 private:
  void run();
  void schedule_next();

  std::function<void()> callback_;
  IOLoop::Clock::duration period_;
  IOLoop& io_loop_;
  bool running_ = false;
  IOLoop::Clock::time_point next_deadline_;
  TimeoutHandle timeout_;
};

}  // namespace eddy

#endif  // EDDY_01_IOLOOP_PERIODIC_CALLBACK_H_
