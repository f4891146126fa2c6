// Exercise 02.1: bind the first free port of a range. Replace the TODO; the
// statement is in README.md, the contract in bind_port_range.h, the grading
// tests in bind_port_range_test.cc:
//   tools/bazel test //02_netutil/exercises:bind_port_range_test
#include "02_netutil/exercises/bind_port_range.h"

#include <stdexcept>

#include "02_netutil/netutil.h"

namespace eddy::exercises {

BoundPort bind_port_range(int first_port, int last_port,
                          const std::string& address, int family) {
  // TODO: validate the range, then call bind_sockets on each port; catch
  // std::system_error and look at e.code() (compare with
  // std::errc::address_in_use) to decide between "next port" and "rethrow".
  (void)first_port;
  (void)last_port;
  (void)address;
  (void)family;
  throw std::logic_error("TODO: bind_port_range");
}

}  // namespace eddy::exercises
