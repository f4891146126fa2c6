// Exercise 03.3 (hard): a line-based chat server.
//
// Many connections, one shared room: the first program where one client's
// input becomes other clients' output, so lifetimes (a member leaving while
// a broadcast loops over the members) and back-pressure (a member who never
// reads) become real.
//
// Protocol (every line ends with "\n"; a "\r" before it is dropped)
// - On connect the server sends "nick?\n". The client's first line is its
//   nickname: 1-16 characters from [A-Za-z0-9_]. A bad one gets
//   "error: bad nick\n", a nickname in use "error: nick taken\n"; either way
//   the server closes the connection once the reply is written.
// - Accepted: the client gets "welcome <nick>\n"; every other member gets
//   "* <nick> joined\n".
// - Each later line <text> reaches every OTHER member as "<nick>: <text>\n",
//   in the order the server read the lines.
// - The line "/quit" gets "bye\n" and the connection closes after it; the
//   others get "* <nick> left\n". So does a member who disconnects, sends a
//   line longer than kMaxLine bytes (counting the "\n"; the server closes
//   that connection) or falls behind (below).
// - Back-pressure: a member whose unsent output (written to its stream and
//   not yet handed to the kernel) would exceed kMaxPendingOutput bytes is
//   disconnected at once, so a client that stops reading cannot make the
//   server's memory grow without bound or slow the others down.
// - members() counts joined (nicknamed, still connected) clients.
// Threads: the loop's thread. The server may be destroyed while clients are
// connected: they keep chatting (the room outlives the server, as Tornado's
// streams outlive a stopped TCPServer), and no callback touches the server.
#ifndef EDDY_03_IOSTREAM_EXERCISES_CHAT_SERVER_H_
#define EDDY_03_IOSTREAM_EXERCISES_CHAT_SERVER_H_

#include <cstddef>
#include <memory>

#include "03_iostream/tcpserver.h"

namespace eddy::exercises {

class ChatServer : public TCPServer {
 public:
  static constexpr size_t kMaxLine = 512;
  static constexpr size_t kMaxPendingOutput = 256 * 1024;

  explicit ChatServer(IOLoop& io_loop);
  ~ChatServer() override;

  void handle_stream(std::shared_ptr<IOStream> stream,
                     const SocketAddress& address) override;
  size_t members() const;

 private:
  struct Room;  // Yours: define it in chat_server.cc.
  std::shared_ptr<Room> room_;
};

}  // namespace eddy::exercises

#endif  // EDDY_03_IOSTREAM_EXERCISES_CHAT_SERVER_H_
