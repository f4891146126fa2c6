// Exercise 02.2 (medium): a non-blocking connect on the IOLoop.
//
// Chapter 02 is the server side: bind, listen, accept. The client side of a
// non-blocking socket is connect(2) returning EINPROGRESS, then waiting for
// the socket to become writable, then reading SO_ERROR to learn whether the
// connection succeeded. Tornado does this in IOStream.connect (and
// TCPClient); here it is on its own, with a timeout.
//
// Contract
// - Creates a non-blocking, close-on-exec stream socket of address.family()
//   (IPv4, IPv6 or unix) and connects it to `address`.
// - Calls `callback` exactly once, on the loop, never before connect_to()
//   has returned (also when connect(2) succeeds or fails at once):
//     success: (the connected socket, an empty error_code);
//     failure: (an invalid Socket, the errno as a std::generic_category()
//              error_code: ECONNREFUSED, ENOENT, ...). The socket is closed.
//     timeout: no connection after `timeout` seconds (<= 0: none) ->
//              (invalid Socket, ETIMEDOUT); the attempt is abandoned.
// - Leaves nothing behind: after the callback, no handler and no timeout of
//   this attempt remain on the loop, and no descriptor is leaked.
// - Errors: socket(2) failing (EMFILE, ...) is reported through the callback
//   as well; connect_to() itself does not throw.
// Threads: the loop's thread.
#ifndef EDDY_02_NETUTIL_EXERCISES_CONNECT_TCP_H_
#define EDDY_02_NETUTIL_EXERCISES_CONNECT_TCP_H_

#include <functional>
#include <system_error>

#include "01_ioloop/ioloop.h"
#include "02_netutil/file_descriptor.h"
#include "02_netutil/socket_address.h"

namespace eddy::exercises {

using ConnectCallback = std::function<void(Socket, std::error_code)>;

void connect_to(IOLoop& loop, const SocketAddress& address, double timeout,
                ConnectCallback callback);

}  // namespace eddy::exercises

#endif  // EDDY_02_NETUTIL_EXERCISES_CONNECT_TCP_H_
