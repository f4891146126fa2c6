// INTERNAL to 02_netutil (the raw_echo_server example and its test): a TCP
// echo server built from bind_sockets + add_accept_handler + add_handler
// alone. It exists to show the bookkeeping chapter 03's IOStream takes
// away: a per-connection buffer of bytes read but not yet written back, and
// switching the epoll interest between READ and WRITE by hand.
//
// One connection's life (events are level-triggered):
//
//   READ ready ──recv──> pending: [ already sent | still to send ]
//                                  ^0           ^sent          ^size
//   send() takes all of it   -> pending cleared, keep READ interest
//   send() takes part (EAGAIN, the peer's window or our send buffer full)
//                            -> interest WRITE only: stop reading, so a
//                               client that never reads cannot make us
//                               buffer without bound (backpressure)
//   WRITE ready ──send──> drained -> interest READ again (or close, if the
//                                    client already sent EOF)
//
// Threads: everything runs on the IOLoop's thread.
#ifndef EDDY_02_NETUTIL_RAW_ECHO_H_
#define EDDY_02_NETUTIL_RAW_ECHO_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "02_netutil/file_descriptor.h"
#include "02_netutil/socket_address.h"

namespace eddy::examples {

class RawEchoServer {
 public:
  // Watches `listeners` (which the server takes over) on `io_loop`.
  RawEchoServer(std::vector<Socket> listeners, IOLoop& io_loop);
  // Stops accepting and closes every connection.
  ~RawEchoServer();
  RawEchoServer(const RawEchoServer&) = delete;
  RawEchoServer& operator=(const RawEchoServer&) = delete;

  size_t connection_count() const { return connections_.size(); }
  // How often a connection had to switch to WRITE interest (a partial send):
  // the case a naive `write(fd, buf, n)` echo server gets wrong.
  uint64_t partial_writes() const { return partial_writes_; }

 private:
  struct Connection {
    Socket socket;
    std::string peer;     // For log lines.
    std::string pending;  // Read, not yet echoed: bytes [sent, size()).
    size_t sent = 0;
    bool eof = false;  // The client shut down its side.
  };

  void on_accept(Socket socket, const SocketAddress& peer);
  void on_events(Connection& connection, uint32_t events);
  // Each returns false when the connection was closed (and destroyed).
  bool handle_read(Connection& connection);
  bool flush(Connection& connection);
  void close(Connection& connection);

  IOLoop& io_loop_;
  std::vector<Socket> listeners_;
  std::vector<std::function<void()>> removers_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  uint64_t partial_writes_ = 0;
};

}  // namespace eddy::examples

#endif  // EDDY_02_NETUTIL_RAW_ECHO_H_
