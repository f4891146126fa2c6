// Exercise 01.1 (easy): call_at with wall-clock time.
//
// Tornado 2.x's IOLoop.add_timeout took an absolute time.time() deadline: a
// wall-clock time. eddy's loop keeps a monotonic clock (IOLoop::time(),
// steady_clock), which never jumps when the system clock is set. (Tornado's
// IOLoop.time(), new in 3.0, is time.time() unless configured otherwise;
// call_at is new in 4.0; from 5.0 timers run on asyncio's monotonic clock.)
// These helpers accept a wall-clock time and convert it to the loop's clock
// ONCE, when the timeout is added:
//
//   loop deadline = loop.time() + (when - system_clock::now())
//
// so a later jump of the wall clock does not move the timeout (what Tornado
// 5+ does: its call_at converts the deadline to a delay, when - time()).
//
// Threads: the loop's thread, like IOLoop::add_timeout.
// Errors: none of their own; non-finite seconds follow IOLoop::add_timeout
// (NaN means now, +infinity means never).
#ifndef EDDY_01_IOLOOP_EXERCISES_CALL_AT_WALL_H_
#define EDDY_01_IOLOOP_EXERCISES_CALL_AT_WALL_H_

#include <chrono>

#include "01_ioloop/ioloop.h"

namespace eddy::exercises {

// The time on `loop`'s clock (IOLoop::time() seconds) that corresponds to
// the wall-clock time `when`, computed now.
double wall_to_loop_time(const IOLoop& loop,
                         std::chrono::system_clock::time_point when);

// Runs `callback` on `loop` when the wall clock reads `when` (as converted
// now). A time in the past runs on the next iteration. Returns the handle for
// IOLoop::remove_timeout.
TimeoutHandle call_at_wall(IOLoop& loop,
                           std::chrono::system_clock::time_point when,
                           IOLoop::Callback callback);

// Same, with `unix_seconds` a time.time() value (seconds since the epoch).
TimeoutHandle call_at_wall(IOLoop& loop, double unix_seconds,
                           IOLoop::Callback callback);

}  // namespace eddy::exercises

#endif  // EDDY_01_IOLOOP_EXERCISES_CALL_AT_WALL_H_
