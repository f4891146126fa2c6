// Exercise 03.3: a line-based chat server. Replace every TODO; the statement
// is in README.md, the contract in chat_server.h, the grading tests in
// chat_server_test.cc:
//   tools/bazel test //03_iostream/exercises:chat_server_test
#include "03_iostream/exercises/chat_server.h"

namespace eddy::exercises {

// TODO: the room: its members (nickname -> member), each member with its
// stream and its count of unsent bytes. Decide who owns whom: the room
// should hold members, callbacks should hold the room (or a weak_ptr to a
// member), and nothing should hold the ChatServer.
struct ChatServer::Room {};

ChatServer::ChatServer(IOLoop& io_loop)
    : TCPServer(std::nullopt, kDefaultMaxBufferSize, kDefaultReadChunkSize,
                io_loop),
      room_(std::make_shared<Room>()) {}

ChatServer::~ChatServer() = default;

void ChatServer::handle_stream(std::shared_ptr<IOStream> stream,
                               const SocketAddress& address) {
  // TODO: ask for the nickname, then run the member's read loop. Broadcast
  // with care: a write may close a slow member, which removes it from the
  // room, while you are iterating over the room.
  (void)stream;
  (void)address;
}

size_t ChatServer::members() const {
  // TODO
  return 0;
}

}  // namespace eddy::exercises
