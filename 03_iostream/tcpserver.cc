// TCPServer: listening sockets from 02_netutil, one IOStream (or
// SSLIOStream) per accepted connection, handed to handle_stream().
#include "03_iostream/tcpserver.h"

#include <exception>
#include <stdexcept>
#include <string>

#include "01_ioloop/log.h"
#include "03_iostream/ssl_iostream.h"

namespace eddy {

TCPServer::TCPServer(std::optional<SSLOptions> ssl_options,
                     size_t max_buffer_size, size_t read_chunk_size)
    : TCPServer(std::move(ssl_options), max_buffer_size, read_chunk_size,
                nullptr) {}

TCPServer::TCPServer(std::optional<SSLOptions> ssl_options,
                     size_t max_buffer_size, size_t read_chunk_size,
                     IOLoop& io_loop)
    : TCPServer(std::move(ssl_options), max_buffer_size, read_chunk_size,
                &io_loop) {}

TCPServer::TCPServer(std::optional<SSLOptions> ssl_options,
                     size_t max_buffer_size, size_t read_chunk_size,
                     IOLoop* io_loop)
    : io_loop_(io_loop),
      max_buffer_size_(max_buffer_size),
      read_chunk_size_(read_chunk_size) {
  // Once per server, not per connection: bad files fail here, at startup.
  if (ssl_options) ssl_context_ = ssl_options_to_context(*ssl_options);
}

TCPServer::~TCPServer() { stop(); }

void TCPServer::listen(int port, const std::string& address) {
  add_sockets(bind_sockets(port, address));
}

void TCPServer::add_sockets(std::vector<Socket> sockets) {
  for (Socket& socket : sockets) add_socket(std::move(socket));
}

void TCPServer::add_socket(Socket socket) {
  int fd = socket.get();
  auto remove = add_accept_handler(
      fd,
      [this](Socket connection, const SocketAddress& address) {
        handle_connection(std::move(connection), address);
      },
      io_loop(), nullptr, max_accepts_per_event_.value_or(kMaxAcceptsPerEvent));
  listeners_.push_back(Listener{std::move(socket), std::move(remove)});
}

void TCPServer::set_max_accepts_per_event(int count) {
  if (count < 1) {
    throw std::invalid_argument(
        "TCPServer::set_max_accepts_per_event: must be >= 1");
  }
  max_accepts_per_event_ = count;
}

void TCPServer::bind(int port, const std::string& address, int family,
                     int backlog, bool reuse_port) {
  for (Socket& socket :
       bind_sockets(port, address, family, backlog, reuse_port)) {
    pending_sockets_.push_back(std::move(socket));
  }
}

void TCPServer::start(int num_processes, const ProcessForker& fork_processes) {
  if (num_processes != 1) {
    if (!fork_processes) {
      throw std::invalid_argument(
          "TCPServer::start: num_processes != 1 needs a forker, e.g. "
          "server.start(n, eddy::process_forker()) from 06_process/process.h");
    }
    // Returns in each worker only; its IOLoop is created after this.
    fork_processes(num_processes);
    // The workers share the listening sockets: one connection per wake-up
    // lets the next connection wake another worker (set_max_accepts_per_event).
    if (!max_accepts_per_event_) max_accepts_per_event_ = 1;
  }
  std::vector<Socket> sockets = std::move(pending_sockets_);
  pending_sockets_.clear();
  add_sockets(std::move(sockets));
}

void TCPServer::stop() {
  for (Listener& listener : listeners_) {
    if (listener.remove_handler) listener.remove_handler();
  }
  listeners_.clear();  // Closes the listening sockets.
  pending_sockets_.clear();
}

std::vector<SocketAddress> TCPServer::listening_addresses() const {
  std::vector<SocketAddress> addresses;
  for (const Listener& listener : listeners_) {
    addresses.push_back(SocketAddress::local_of(listener.socket.get()));
  }
  for (const Socket& socket : pending_sockets_) {
    addresses.push_back(SocketAddress::local_of(socket.get()));
  }
  return addresses;
}

IOLoop& TCPServer::io_loop() const {
  if (io_loop_ == nullptr) io_loop_ = &IOLoop::current();
  return *io_loop_;
}

// One accepted connection: wrap it and hand it over. Anything thrown here
// (a failing SSL_new, or handle_stream itself) is logged and closes only
// this connection; the accept loop goes on.
void TCPServer::handle_connection(Socket connection,
                                  const SocketAddress& address) {
  std::shared_ptr<IOStream> stream;
  try {
    if (ssl_context_) {
      stream = SSLIOStream::create_server(std::move(connection),
                                          ssl_context_.get(), io_loop(),
                                          max_buffer_size_, read_chunk_size_);
    } else {
      stream = IOStream::create(std::move(connection), io_loop(),
                                max_buffer_size_, read_chunk_size_);
    }
    handle_stream(stream, address);
  } catch (const std::exception& e) {
    log(LogChannel::kApplication, LogLevel::kError,
        "Error in connection callback from " + address.to_string() + ": " +
            e.what());
    if (stream) stream->close();
  } catch (...) {
    log(LogChannel::kApplication, LogLevel::kError,
        "Error in connection callback from " + address.to_string());
    if (stream) stream->close();
  }
}

}  // namespace eddy
