// HTTPServer: a TCPServer that speaks HTTP/1.1 and hands each request to a
// callback, Tornado's tornado.httpserver.HTTPServer — the tutorial's
//
//   void handle_request(eddy::HTTPServerRequest& request) {
//     std::string message = "You requested " + request.uri + "\n";
//     request.write("HTTP/1.1 200 OK\r\nContent-Length: " +
//                   std::to_string(message.size()) + "\r\n\r\n" + message);
//     request.finish();
//   }
//   eddy::HTTPServer server(handle_request);
//   server.listen(8888);
//   eddy::IOLoop::instance().start();
//
// Errors: construction throws as ssl_options_to_context does for bad TLS
// files and std::invalid_argument for inconsistent options; listen/bind
// throw std::system_error. After that nothing throws: each connection's
// errors stay in that connection (http1connection.h).
// Threads: the IOLoop's thread.
// Ownership: the server owns its connections (one HTTP1Connection each)
// until they close; destroying the server closes them.
// The IOLoop must outlive the server (its timeout lists keep a loop timer).
#ifndef EDDY_05_HTTPSERVER_HTTPSERVER_H_
#define EDDY_05_HTTPSERVER_HTTPSERVER_H_

#include <functional>
#include <memory>
#include <vector>

#include "03_iostream/tcpserver.h"
#include "05_httpserver/http1connection.h"
#include "05_httpserver/http_server_options.h"
#include "05_httpserver/http_server_request.h"

namespace eddy {

class HTTPServer : public TCPServer {
 public:
  using RequestCallback = std::function<void(HTTPServerRequest&)>;

  // Without an IOLoop the server uses IOLoop::current() as of its first
  // listening socket, so it can be built, bound, and started with several
  // processes (TCPServer::start) before any loop exists.
  explicit HTTPServer(RequestCallback request_callback,
                      HTTPServerOptions options = {});
  HTTPServer(RequestCallback request_callback, HTTPServerOptions options,
             IOLoop& io_loop);
  ~HTTPServer() override;

  // Creates the connection for an accepted stream (handle_stream).
  void handle_stream(std::shared_ptr<IOStream> stream,
                     const SocketAddress& address) override;

  // Open connections.
  size_t connection_count() const { return connections_.size(); }
  // Closes every open connection now (close_all_connections).
  void close_all_connections();
  // Graceful shutdown, step 2: idle connections close now, busy ones after
  // their current response. Call stop() first to stop accepting.
  void close_connections_when_idle();

  const HTTPServerOptions& options() const { return context_->options; }

 private:
  void init(RequestCallback request_callback, HTTPServerOptions options);
  std::vector<std::shared_ptr<HTTP1Connection>> open_connections() const;

  void forget(HTTP1Connection* connection);

  std::shared_ptr<HTTP1ServerContext> context_;
  // The open connections, in no order; each knows its index
  // (HTTP1Connection::server_slot_), so forgetting one is a swap with the
  // last and a pop: 16 bytes per connection, no node to allocate.
  std::vector<std::shared_ptr<HTTP1Connection>> connections_;
};

}  // namespace eddy

#endif  // EDDY_05_HTTPSERVER_HTTPSERVER_H_
