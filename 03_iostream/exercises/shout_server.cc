// Exercise 03.1: a line server. Replace every TODO; the statement is in
// README.md, the contract in shout_server.h, the grading tests in
// shout_server_test.cc:
//   tools/bazel test //03_iostream/exercises:shout_server_test
#include "03_iostream/exercises/shout_server.h"

namespace eddy::exercises {

// TODO: what the connections share with the server (a counter, at least).
struct ShoutServer::State {};

ShoutServer::ShoutServer(IOLoop& io_loop)
    : TCPServer(std::nullopt, kDefaultMaxBufferSize, kDefaultReadChunkSize,
                io_loop),
      state_(std::make_shared<State>()) {}

ShoutServer::~ShoutServer() = default;

void ShoutServer::handle_stream(std::shared_ptr<IOStream> stream,
                                const SocketAddress& address) {
  // TODO: count the connection, set a close callback that uncounts it, and
  // start the read loop: read_until("\n", ..., kMaxLine), answer, read again.
  // Look at //03_iostream:echo_server (echo_server.cc) for the shape.
  (void)stream;
  (void)address;
}

size_t ShoutServer::open_connections() const {
  // TODO
  return 0;
}

}  // namespace eddy::exercises
