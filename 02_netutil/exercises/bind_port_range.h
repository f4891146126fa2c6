// Exercise 02.1 (easy): bind the first free port of a range.
//
// Development servers often say "8888 is busy, using 8889". This is that:
// bind_sockets() on each port of [first_port, last_port] in order until one
// succeeds. Tornado's own tests have a helper of the same spirit
// (tornado.testing.bind_unused_port, which simply asks for port 0).
//
// Contract
// - Tries first_port, first_port + 1, ..., last_port with
//   bind_sockets(port, address, family); returns the first port that binds
//   and its sockets (all of them: "localhost" may give IPv4 and IPv6).
// - Only "address in use" (EADDRINUSE) moves on to the next port; any other
//   failure (bad address, privileged port, ...) is rethrown at once, as is.
// - When every port is in use, throws std::system_error with EADDRINUSE and a
//   message naming the range ("no free port in 8000-8010 on 127.0.0.1").
// - first_port < 1, last_port > 65535 or first_port > last_port:
//   std::invalid_argument.
// Threads: any thread (no IOLoop involved).
#ifndef EDDY_02_NETUTIL_EXERCISES_BIND_PORT_RANGE_H_
#define EDDY_02_NETUTIL_EXERCISES_BIND_PORT_RANGE_H_

#include <sys/socket.h>

#include <string>
#include <vector>

#include "02_netutil/file_descriptor.h"

namespace eddy::exercises {

struct BoundPort {
  int port = 0;
  std::vector<Socket> sockets;
};

BoundPort bind_port_range(int first_port, int last_port,
                          const std::string& address = "127.0.0.1",
                          int family = AF_UNSPEC);

}  // namespace eddy::exercises

#endif  // EDDY_02_NETUTIL_EXERCISES_BIND_PORT_RANGE_H_
