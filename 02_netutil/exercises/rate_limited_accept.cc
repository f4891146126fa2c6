// Exercise 02.3: accept-rate limiting. Replace the TODO; the statement is in
// README.md, the contract in rate_limited_accept.h, the grading tests in
// rate_limited_accept_test.cc:
//   tools/bazel test //02_netutil/exercises:rate_limited_accept_test
#include "02_netutil/exercises/rate_limited_accept.h"

#include <stdexcept>

namespace eddy::exercises {

std::function<void()> add_rate_limited_accept_handler(int listener,
                                                      AcceptCallback callback,
                                                      int max_per_second,
                                                      IOLoop& io_loop,
                                                      RateLimitStats* stats) {
  // TODO. One way: wrap add_accept_handler. Its remover may be called from
  // inside its callback and then accepts nothing more, which is exactly the
  // "budget spent" moment; re-add it with call_at the start of the next
  // window (IOLoop::add_timeout with a time() value). Keep the state in a
  // shared_ptr captured by the callback, the timeout and your remover.
  (void)listener;
  (void)callback;
  (void)max_per_second;
  (void)io_loop;
  (void)stats;
  throw std::logic_error("TODO: add_rate_limited_accept_handler");
}

}  // namespace eddy::exercises
