// Exercise 03.1 (easy): a line server on TCPServer and IOStream.
//
// The tutorial's echo server, with three things every line protocol needs:
// a maximum line length, a command that ends the session politely, and
// bookkeeping of open connections.
//
// Contract
// - For each line the client sends (bytes up to and including "\n", at most
//   kMaxLine bytes with the "\n"), the server writes the line back with
//   ASCII letters upper-cased ("hello\n" -> "HELLO\n"; a "\r\n" ending is
//   kept as it is).
// - The line "quit\n" (or "quit\r\n") is answered with "bye\n", and the
//   server closes the connection once that reply has been written.
// - A line longer than kMaxLine bytes closes the connection (what
//   IOStream::read_until's max_bytes does); nothing more is written.
// - open_connections() counts connections accepted and not yet closed (by
//   either side): a client that just disconnects must be noticed.
// - Lines are answered in order; a client may send many lines in one packet
//   (pipelining) or one line in many packets.
// Threads: the loop's thread. Lifetime: connections may outlive nothing: the
// server is destroyed after its clients in the tests, but a stream callback
// must never touch a destroyed server (hold shared state, not `this`).
#ifndef EDDY_03_IOSTREAM_EXERCISES_SHOUT_SERVER_H_
#define EDDY_03_IOSTREAM_EXERCISES_SHOUT_SERVER_H_

#include <cstddef>
#include <memory>

#include "03_iostream/tcpserver.h"

namespace eddy::exercises {

class ShoutServer : public TCPServer {
 public:
  static constexpr size_t kMaxLine = 1024;

  explicit ShoutServer(IOLoop& io_loop);
  ~ShoutServer() override;

  void handle_stream(std::shared_ptr<IOStream> stream,
                     const SocketAddress& address) override;
  size_t open_connections() const;

 private:
  struct State;  // Yours: define it in shout_server.cc.
  std::shared_ptr<State> state_;
};

}  // namespace eddy::exercises

#endif  // EDDY_03_IOSTREAM_EXERCISES_SHOUT_SERVER_H_
