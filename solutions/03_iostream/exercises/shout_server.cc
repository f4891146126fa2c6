// Reference solution of exercise 03.1 (03_iostream/exercises/shout_server.h).
//
// Connections share a State with the server through a shared_ptr, so a
// stream callback that runs after the server is gone still has a valid
// counter. Each read callback owns its stream (as echo_server.cc); the
// stream drops its callbacks when it closes, which frees it.
#include "03_iostream/exercises/shout_server.h"

#include <string>

namespace eddy::exercises {

struct ShoutServer::State {
  size_t open = 0;
};

namespace {

bool is_quit(std::string_view line) {
  return line == "quit\n" || line == "quit\r\n";
}

std::string shout(std::string_view line) {
  std::string out(line);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

void serve(const std::shared_ptr<IOStream>& stream) {
  stream->read_until(
      "\n",
      [stream](std::string_view line) {
        if (is_quit(line)) {
          stream->write("bye\n", [stream] { stream->close(); });
          return;
        }
        stream->write(shout(line));
        serve(stream);
      },
      ShoutServer::kMaxLine);
}

}  // namespace

ShoutServer::ShoutServer(IOLoop& io_loop)
    : TCPServer(std::nullopt, kDefaultMaxBufferSize, kDefaultReadChunkSize,
                io_loop),
      state_(std::make_shared<State>()) {}

ShoutServer::~ShoutServer() = default;

void ShoutServer::handle_stream(std::shared_ptr<IOStream> stream,
                                const SocketAddress&) {
  state_->open++;
  stream->set_close_callback([state = state_] { state->open--; });
  serve(stream);
}

size_t ShoutServer::open_connections() const { return state_->open; }

}  // namespace eddy::exercises
