// Exercise 01.1: call_at with wall-clock time. Replace every TODO; the
// statement is in README.md, the contract in call_at_wall.h, the grading
// tests in call_at_wall_test.cc:
//   tools/bazel test //01_ioloop/exercises:call_at_wall_test
#include "01_ioloop/exercises/call_at_wall.h"

#include <stdexcept>

namespace eddy::exercises {

double wall_to_loop_time(const IOLoop& loop,
                         std::chrono::system_clock::time_point when) {
  // TODO: read both clocks now and return loop.time() plus the distance from
  // the wall clock's now to `when`, in seconds (std::chrono::duration<double>).
  (void)loop;
  (void)when;
  throw std::logic_error("TODO: wall_to_loop_time");
}

TimeoutHandle call_at_wall(IOLoop& loop,
                           std::chrono::system_clock::time_point when,
                           IOLoop::Callback callback) {
  // TODO: convert once with wall_to_loop_time and hand the deadline to
  // IOLoop::add_timeout(double, ...).
  (void)loop;
  (void)when;
  (void)callback;
  throw std::logic_error("TODO: call_at_wall(time_point)");
}

TimeoutHandle call_at_wall(IOLoop& loop, double unix_seconds,
                           IOLoop::Callback callback) {
  // TODO: the same for seconds since the epoch. Careful: do not convert
  // unix_seconds to an integer duration (NaN and infinity are allowed).
  (void)loop;
  (void)unix_seconds;
  (void)callback;
  throw std::logic_error("TODO: call_at_wall(double)");
}

}  // namespace eddy::exercises
