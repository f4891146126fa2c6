#include "02_netutil/raw_echo.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "01_ioloop/log.h"
#include "02_netutil/netutil.h"

namespace eddy::examples {

namespace {
constexpr size_t kReadChunk = 64 * 1024;
}  // namespace

RawEchoServer::RawEchoServer(std::vector<Socket> listeners, IOLoop& io_loop)
    : io_loop_(io_loop), listeners_(std::move(listeners)) {
  for (const Socket& listener : listeners_) {
    removers_.push_back(add_accept_handler(
        listener.get(),
        [this](Socket socket, const SocketAddress& peer) {
          on_accept(std::move(socket), peer);
        },
        io_loop_));
  }
}

RawEchoServer::~RawEchoServer() {
  for (auto& remove : removers_) remove();
  for (auto& [fd, connection] : connections_) io_loop_.remove_handler(fd);
}

void RawEchoServer::on_accept(Socket socket, const SocketAddress& peer) {
  int fd = socket.get();
  auto connection = std::make_unique<Connection>();
  connection->socket = std::move(socket);
  connection->peer = peer.to_string();
  Connection* raw = connection.get();
  connections_.emplace(fd, std::move(connection));
  io_loop_.add_handler(
      fd, [this, raw](int, uint32_t events) { on_events(*raw, events); },
      IOLoop::READ);
}

void RawEchoServer::on_events(Connection& connection, uint32_t events) {
  if (events & IOLoop::WRITE) {
    if (!flush(connection)) return;
  }
  if (events & IOLoop::READ) {
    if (!handle_read(connection)) return;
  }
  // ERROR/HUP with nothing left to read: the peer is gone.
  if ((events & IOLoop::ERROR) && !(events & IOLoop::READ)) close(connection);
}

bool RawEchoServer::handle_read(Connection& connection) {
  char buffer[kReadChunk];
  ssize_t n = ::recv(connection.socket.get(), buffer, sizeof(buffer), 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
    log_warning("raw_echo: recv from " + connection.peer + ": " +
                std::strerror(errno));
    close(connection);
    return false;
  }
  if (n == 0) {
    connection.eof = true;  // Echo what is pending, then close.
  } else {
    connection.pending.append(buffer, static_cast<size_t>(n));
  }
  return flush(connection);
}

// Sends as much of `pending` as the kernel takes and picks the interest for
// what is left: WRITE while bytes wait, READ once drained.
bool RawEchoServer::flush(Connection& connection) {
  int fd = connection.socket.get();
  while (connection.sent < connection.pending.size()) {
    ssize_t n = ::send(fd, connection.pending.data() + connection.sent,
                       connection.pending.size() - connection.sent,
                       MSG_NOSIGNAL);  // EPIPE, not a SIGPIPE, on a dead peer.
    if (n >= 0) {
      connection.sent += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      // The send buffer is full. Stop reading until it drains.
      ++partial_writes_;
      io_loop_.update_handler(fd, IOLoop::WRITE);
      return true;
    }
    log_warning("raw_echo: send to " + connection.peer + ": " +
                std::strerror(errno));
    close(connection);
    return false;
  }
  connection.pending.clear();
  connection.sent = 0;
  if (connection.eof) {
    close(connection);
    return false;
  }
  io_loop_.update_handler(fd, IOLoop::READ);
  return true;
}

void RawEchoServer::close(Connection& connection) {
  int fd = connection.socket.get();
  io_loop_.remove_handler(fd);  // Safe from inside the handler (01_ioloop).
  connections_.erase(fd);       // Closes the socket; `connection` is gone.
}

}  // namespace eddy::examples
