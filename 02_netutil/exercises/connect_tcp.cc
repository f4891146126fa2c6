// Exercise 02.2: a non-blocking connect on the IOLoop. Replace the TODO; the
// statement is in README.md, the contract in connect_tcp.h, the grading tests
// in connect_tcp_test.cc:
//   tools/bazel test //02_netutil/exercises:connect_tcp_test
#include "02_netutil/exercises/connect_tcp.h"

#include <stdexcept>

namespace eddy::exercises {

void connect_to(IOLoop& loop, const SocketAddress& address, double timeout,
                ConnectCallback callback) {
  // TODO:
  // 1. socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0).
  // 2. connect(); 0 or an error other than EINPROGRESS: report it with
  //    loop.add_callback (never call `callback` from inside connect_to).
  // 3. EINPROGRESS: add_handler(fd, ..., IOLoop::WRITE) and, if timeout > 0,
  //    call_later(timeout, ...). Whichever comes first removes the other,
  //    then reports. Read the result with getsockopt(SO_ERROR).
  // Keep the state (socket, handle, callback) in one shared_ptr that both
  // lambdas capture.
  (void)loop;
  (void)address;
  (void)timeout;
  (void)callback;
  throw std::logic_error("TODO: connect_to");
}

}  // namespace eddy::exercises
