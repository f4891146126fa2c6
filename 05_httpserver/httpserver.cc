#include "05_httpserver/httpserver.h"

#include <stdexcept>
#include <vector>

namespace eddy {
namespace {

void check_options(const HTTPServerOptions& options) {
  if (options.max_header_size == 0)
    throw std::invalid_argument("max_header_size must be > 0");
  if (options.chunk_size == 0)
    throw std::invalid_argument("chunk_size must be > 0");
  if (!(options.idle_connection_timeout > 0)) {
    throw std::invalid_argument("idle_connection_timeout must be > 0 seconds");
  }
  if (options.body_timeout < 0)
    throw std::invalid_argument("body_timeout must be >= 0");
}

}  // namespace

HTTPServer::HTTPServer(RequestCallback request_callback,
                       HTTPServerOptions options)
    : TCPServer(
          options.ssl_options,
          std::max<size_t>(kDefaultMaxBufferSize, options.max_header_size * 2),
          options.chunk_size) {
  init(std::move(request_callback), std::move(options));
}

HTTPServer::HTTPServer(RequestCallback request_callback,
                       HTTPServerOptions options, IOLoop& io_loop)
    : TCPServer(
          options.ssl_options,
          std::max<size_t>(kDefaultMaxBufferSize, options.max_header_size * 2),
          options.chunk_size, io_loop) {
  init(std::move(request_callback), std::move(options));
}

void HTTPServer::init(RequestCallback request_callback,
                      HTTPServerOptions options) {
  context_ = std::make_shared<HTTP1ServerContext>();
  check_options(options);
  if (!request_callback)
    throw std::invalid_argument("HTTPServer needs a request callback");
  context_->protocol = !options.protocol.empty() ? options.protocol
                       : options.ssl_options     ? "https"
                                                 : "http";
  context_->options = std::move(options);
  context_->request_callback = std::move(request_callback);
  context_->on_close = [this](HTTP1Connection* connection) {
    forget(connection);
  };
}

HTTPServer::~HTTPServer() {
  context_->on_close = nullptr;
  close_all_connections();
}

void HTTPServer::handle_stream(std::shared_ptr<IOStream> stream,
                               const SocketAddress& address) {
  // Responses are written whole (one writev per response, or per batch of
  // pipelined responses), so Nagle's algorithm could only delay them: a
  // small response after an unacknowledged one would wait for the peer's
  // delayed ACK (tens of milliseconds). nginx turns it off too.
  stream->set_nodelay(true);
  auto connection =
      std::make_shared<HTTP1Connection>(std::move(stream), address, context_);
  connection->server_slot_ = static_cast<uint32_t>(connections_.size());
  connections_.push_back(connection);
  connection->start();
}

void HTTPServer::forget(HTTP1Connection* connection) {
  size_t slot = connection->server_slot_;
  if (slot >= connections_.size() || connections_[slot].get() != connection)
    return;
  // Moved out first: the connection may be destroyed with this reference,
  // and nothing below may touch it afterwards.
  std::shared_ptr<HTTP1Connection> gone = std::move(connections_[slot]);
  if (slot + 1 != connections_.size()) {
    connections_[slot] = std::move(connections_.back());
    connections_[slot]->server_slot_ = static_cast<uint32_t>(slot);
  }
  connections_.pop_back();
  // After a burst, give the slack back (amortised: at most one copy per
  // halving).
  if (connections_.capacity() > 4096 &&
      connections_.size() < connections_.capacity() / 4) {
    connections_.shrink_to_fit();
  }
}

// Closing runs on_close, which erases from connections_: act on a copy.
std::vector<std::shared_ptr<HTTP1Connection>> HTTPServer::open_connections()
    const {
  return connections_;
}

void HTTPServer::close_all_connections() {
  for (auto& connection : open_connections()) connection->close();
  connections_.clear();
}

void HTTPServer::close_connections_when_idle() {
  for (auto& connection : open_connections()) connection->close_when_idle();
}

}  // namespace eddy
