// Reference solution of exercise 02.1 (02_netutil/exercises/bind_port_range.h).
#include "02_netutil/exercises/bind_port_range.h"

#include <stdexcept>
#include <system_error>

#include "02_netutil/netutil.h"

namespace eddy::exercises {

BoundPort bind_port_range(int first_port, int last_port,
                          const std::string& address, int family) {
  if (first_port < 1 || last_port > 65535 || first_port > last_port) {
    throw std::invalid_argument("bind_port_range: bad range " +
                                std::to_string(first_port) + "-" +
                                std::to_string(last_port));
  }
  for (int port = first_port; port <= last_port; ++port) {
    try {
      return BoundPort{port, bind_sockets(port, address, family)};
    } catch (const std::system_error& e) {
      if (e.code() != std::errc::address_in_use) throw;
    }
  }
  throw std::system_error(std::make_error_code(std::errc::address_in_use),
                          "no free port in " + std::to_string(first_port) +
                              "-" + std::to_string(last_port) + " on " +
                              address);
}

}  // namespace eddy::exercises
