// Reference solution of exercise 01.1 (01_ioloop/exercises/call_at_wall.h).
#include "01_ioloop/exercises/call_at_wall.h"

#include <chrono>

namespace eddy::exercises {

double wall_to_loop_time(const IOLoop& loop,
                         std::chrono::system_clock::time_point when) {
  // Read both clocks back to back; the conversion happens once, here.
  double loop_now = loop.time();
  auto wall_now = std::chrono::system_clock::now();
  return loop_now + std::chrono::duration<double>(when - wall_now).count();
}

TimeoutHandle call_at_wall(IOLoop& loop,
                           std::chrono::system_clock::time_point when,
                           IOLoop::Callback callback) {
  return loop.add_timeout(wall_to_loop_time(loop, when), std::move(callback));
}

TimeoutHandle call_at_wall(IOLoop& loop, double unix_seconds,
                           IOLoop::Callback callback) {
  // Stay in double seconds: NaN and infinity pass through to add_timeout,
  // which defines them (NaN = now, +inf = never).
  double wall_now = std::chrono::duration<double>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  return loop.add_timeout(loop.time() + (unix_seconds - wall_now),
                          std::move(callback));
}

}  // namespace eddy::exercises
