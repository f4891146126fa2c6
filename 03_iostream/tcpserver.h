// TCPServer: accepts connections and hands each to handle_stream() as an
// IOStream (or an SSLIOStream when ssl_options are given), Tornado's
// tornado.tcpserver.TCPServer.
//
// Usage, as in the tutorial:
//   class EchoServer : public eddy::TCPServer {
//     void handle_stream(std::shared_ptr<eddy::IOStream> stream,
//                        const eddy::SocketAddress& address) override { ... }
//   };
//   EchoServer server;
//   server.listen(8888);
//   eddy::IOLoop::instance().start();
//
// Errors: listen/bind/add_socket throw std::system_error as bind_sockets
// does; an exception thrown by handle_stream is logged on the `application`
// channel and closes only that connection.
// Threads: the IOLoop's thread.
// Ownership: the server owns its listening sockets until stop() or its
// destruction; handle_stream receives a shared_ptr and decides how long the
// stream lives.
#ifndef EDDY_03_IOSTREAM_TCPSERVER_H_
#define EDDY_03_IOSTREAM_TCPSERVER_H_

#include <sys/socket.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "02_netutil/netutil.h"
#include "02_netutil/ssl_context.h"
#include "03_iostream/iostream.h"

namespace eddy {

class TCPServer {
 public:
  // Forks the worker processes and returns, in each worker, its task id;
  // the parent never returns. The signature of a function like
  // eddy::fork_processes (06_process/process.h, process_forker()). Chapter 03
  // cannot depend on chapter 06, so start() takes it as an argument.
  using ProcessForker = std::function<int(int num_processes)>;

  // Without an IOLoop argument the server uses IOLoop::current() as of its
  // first listening socket (add_socket), not of its construction, as
  // Tornado: so a server may be built, bound and started with several
  // processes before any loop exists.
  explicit TCPServer(std::optional<SSLOptions> ssl_options = std::nullopt,
                     size_t max_buffer_size = kDefaultMaxBufferSize,
                     size_t read_chunk_size = kDefaultReadChunkSize);
  TCPServer(std::optional<SSLOptions> ssl_options, size_t max_buffer_size,
            size_t read_chunk_size, IOLoop& io_loop);
  virtual ~TCPServer();
  TCPServer(const TCPServer&) = delete;
  TCPServer& operator=(const TCPServer&) = delete;

  // bind_sockets + add_sockets (listen).
  void listen(int port, const std::string& address = "");
  // Starts accepting on sockets made by bind_sockets/bind_unix_socket.
  void add_sockets(std::vector<Socket> sockets);
  void add_socket(Socket socket);
  // Binds now, starts accepting in start() (bind).
  void bind(int port, const std::string& address = "", int family = AF_UNSPEC,
            int backlog = kDefaultBacklog, bool reuse_port = false);
  // Starts accepting on the sockets bind() made (start). With
  // num_processes != 1 it first calls `fork_processes(num_processes)` (pass
  // eddy::process_forker() from 06_process), so every worker inherits the
  // bound sockets and accepts on its own IOLoop, created after the fork:
  //   server.bind(8888);
  //   server.start(0, eddy::process_forker());  // one worker per CPU
  //   eddy::IOLoop::current().start();
  // Throws std::invalid_argument when num_processes != 1 and no forker is
  // given, and std::logic_error (from the forker) when an IOLoop already
  // exists, since an epoll fd must not be shared across fork.
  void start(int num_processes = 1, const ProcessForker& fork_processes = {});
  // Stops accepting and closes the listening sockets; open connections are
  // not touched (stop).
  void stop();

  // How many connections one readiness event of a listening socket accepts
  // (add_accept_handler's max_accepts_per_event, nginx's multi_accept):
  // kMaxAcceptsPerEvent by default, as Tornado's accept loop. Worker
  // processes sharing the listening sockets spread connections more evenly
  // with 1, and start(n != 1) uses that unless a count was set here. Applies
  // to sockets added afterwards; throws std::invalid_argument below 1.
  void set_max_accepts_per_event(int count);

  // The local addresses the server listens on (handy with port 0).
  std::vector<SocketAddress> listening_addresses() const;

  // Called for each new connection (handle_stream).
  virtual void handle_stream(std::shared_ptr<IOStream> stream,
                             const SocketAddress& address) = 0;

 protected:
  IOLoop& io_loop() const;

 private:
  struct Listener {
    Socket socket;
    std::function<void()> remove_handler;  // From add_accept_handler.
  };
  void handle_connection(Socket connection, const SocketAddress& address);

  TCPServer(std::optional<SSLOptions> ssl_options, size_t max_buffer_size,
            size_t read_chunk_size, IOLoop* io_loop);

  mutable IOLoop*
      io_loop_;  // Null until first needed when not given (see above).
  SSLContext ssl_context_;  // Built once from ssl_options; null for plain TCP.
  size_t max_buffer_size_;
  size_t read_chunk_size_;
  std::optional<int> max_accepts_per_event_;  // Unset: the default.
  std::vector<Listener> listeners_;           // Accepting.
  std::vector<Socket> pending_sockets_;       // bind() done, start() not yet.
};

}  // namespace eddy

#endif  // EDDY_03_IOSTREAM_TCPSERVER_H_
