// IOStream: a buffered, non-blocking stream over a connected fd, callback
// style as in Tornado's tutorial (tornado.iostream.IOStream).
//
// Errors (this layer's rule). A programming error (a second read while one
// is pending, a read or write after the stream closed when the caller could
// have known) throws std::logic_error from the call. Everything that happens
// on the wire — EOF, ECONNRESET, a TLS failure, max_bytes or max_buffer_size
// exceeded — closes the stream: error() says why (empty for a clean EOF),
// the close callback runs exactly once, and pending read/write callbacks
// never run afterwards (read_until_close is the exception: it receives the
// data that arrived before the close). Nothing throws out of a loop handler.
//
// Threads: loop thread only.
//
// Ownership and lifetime. Streams are always held by std::shared_ptr
// (create()). The stream registers its fd with the IOLoop only while it waits
// for I/O, and holds a strong reference to itself only while one of its own
// handlers or callbacks is running, so the last user reference may be dropped
// anywhere, even inside a stream callback. On close() the fd is removed from
// the loop and closed, and every stored callback is destroyed after the close
// callback has run; this breaks the reference cycles callbacks that capture
// the stream's owner would otherwise create.
//
// Data passed to read callbacks is a view into the stream's read buffer: it
// is valid until the callback returns. A read started inside a read callback
// is served after that callback returns (never re-entrantly), from the
// buffer when it can be.
//
// Read buffer layout (one contiguous std::string, compacted when the free
// tail is too small, never shifted per read):
//
//   0            read_pos_         write_pos_               capacity
//   | consumed   | unread bytes    | free space for recv()  |
#ifndef EDDY_03_IOSTREAM_IOSTREAM_H_
#define EDDY_03_IOSTREAM_IOSTREAM_H_

#include <sys/uio.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <system_error>

#include "01_ioloop/ioloop.h"
#include "02_netutil/file_descriptor.h"
#include "02_netutil/socket_address.h"

namespace eddy {

constexpr size_t kDefaultMaxBufferSize = 100 * 1024 * 1024;
constexpr size_t kDefaultReadChunkSize = 64 * 1024;

class IOStream : public std::enable_shared_from_this<IOStream> {
 public:
  using ReadCallback = std::function<void(std::string_view data)>;
  using WriteCallback = std::function<void()>;
  using CloseCallback = std::function<void()>;
  using ConnectCallback = std::function<void()>;

  // Wraps a connected (or connecting) socket; the stream owns it.
  static std::shared_ptr<IOStream> create(Socket socket, IOLoop& io_loop = IOLoop::current(),
                                          size_t max_buffer_size = kDefaultMaxBufferSize,
                                          size_t read_chunk_size = kDefaultReadChunkSize);
  virtual ~IOStream();

  // Starts a non-blocking connect of this stream's (unconnected) socket to
  // `address`; `callback` runs once connected (IOStream.connect). On failure
  // the stream closes with error() set and the callback never runs.
  void connect(const SocketAddress& address, ConnectCallback callback);

  // Reads exactly `num_bytes` (read_bytes); with `partial`, calls back with
  // whatever is available (at least 1 byte, at most num_bytes) as soon as
  // anything is.
  void read_bytes(size_t num_bytes, ReadCallback callback, bool partial = false);
  // Reads up to and including `delimiter` (read_until). If the delimiter is
  // not found within `max_bytes` (0 = unlimited), the stream closes with
  // std::errc::message_size.
  void read_until(std::string delimiter, ReadCallback callback, size_t max_bytes = 0);
  // Reads up to and including the first match of `regex` (read_until_regex).
  void read_until_regex(std::regex regex, ReadCallback callback, size_t max_bytes = 0);
  // The general form behind read_until and read_until_regex: `matcher` is
  // given the unread bytes and how many leading bytes it already rejected
  // (`from`; a terminator may straddle that point) and returns the length of
  // the message including its terminator, or 0 when it is not complete yet.
  // Chapter 05 passes a hand-written matcher for the end of an HTTP head.
  using Matcher = std::function<size_t(std::string_view data, size_t from)>;
  void read_until_match(Matcher matcher, ReadCallback callback, size_t max_bytes = 0);
  // Reads everything until the peer closes and passes it to `callback`
  // (read_until_close); it runs even when the close was an error.
  void read_until_close(ReadCallback callback);

  // Queues `data` and tries to send at once (when called inside one of this
  // stream's read callbacks, once that callback chain returns, so responses
  // to pipelined requests leave in one writev); `callback` runs when all data
  // written so far has been handed to the kernel (write). Callbacks run in
  // order. Throws std::logic_error on a closed stream.
  void write(std::string data, WriteCallback callback = nullptr);
  void write(std::string_view data, WriteCallback callback = nullptr) {
    write(std::string(data), std::move(callback));
  }
  void write(const char* data, WriteCallback callback = nullptr) {
    write(std::string(data), std::move(callback));
  }

  // Runs once when the stream closes, for any reason (set_close_callback).
  void set_close_callback(CloseCallback callback);
  // Closes the stream now (close); queued writes that were not sent are
  // dropped. `error` is stored in error(). Safe to call repeatedly and from
  // inside any stream callback.
  void close(std::error_code error = {});

  bool closed() const;
  // Why the stream closed: empty for a clean EOF or a local close().
  std::error_code error() const;
  bool reading() const;  // A read is pending.
  bool writing() const;  // Queued data is waiting for the socket.
  // TCP_NODELAY on or off (set_nodelay); ignored for non-TCP sockets.
  void set_nodelay(bool value);

  int fd() const;
  IOLoop& io_loop() const;
  size_t max_buffer_size() const;
  size_t read_chunk_size() const;

 protected:
  IOStream(Socket socket, IOLoop& io_loop, size_t max_buffer_size, size_t read_chunk_size);

  // The transport: plain recv/send here, TLS in SSLIOStream. Return bytes
  // moved (> 0), 0 for EOF (read only), or -1 with errno set (EAGAIN/
  // EWOULDBLOCK when the socket is not ready).
  virtual ssize_t read_from_fd(char* buffer, size_t size);
  virtual ssize_t write_to_fd(const iovec* iov, int iovcnt);

  // (Implementation members are private and documented in iostream.cc.)
};

}  // namespace eddy

#endif  // EDDY_03_IOSTREAM_IOSTREAM_H_
