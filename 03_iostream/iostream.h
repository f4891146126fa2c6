// IOStream: a buffered, non-blocking stream over a connected fd, callback
// style as in Tornado's tutorial (tornado.iostream.IOStream).
//
// Errors (this layer's rule). A programming error (a second read while one
// is pending, a read or write after the stream closed when the caller could
// have known) throws std::logic_error from the call; a read or write on a
// closed stream throws StreamClosedError, a std::logic_error (check closed()
// first, as Tornado's HTTP1Connection does). Everything that happens
// on the wire — EOF, ECONNRESET, a TLS failure, max_bytes or max_buffer_size
// exceeded — closes the stream: error() says why (empty for a clean EOF),
// the close callback runs exactly once, and pending read/write callbacks
// never run afterwards (read_until_close is the exception: it receives the
// data that arrived before the close). Nothing throws out of a loop handler:
// an exception escaping a stream callback is logged on the `application`
// channel and closes that stream with std::errc::operation_canceled.
//
// Threads: loop thread only. The IOLoop must outlive its streams. A call to
// connect, a read, write, set_close_callback, close or set_nodelay from
// another thread while the loop runs aborts the process with a message
// naming the method, in every build mode, as IOLoop's loop-thread methods
// do (IOLoop::check_loop_thread); use IOLoop::add_callback to reach the
// loop thread.
//
// Ownership and lifetime. Streams are always held by std::shared_ptr
// (create()). The stream registers itself as its fd's IOHandler at its
// first operation (the loop keeps a plain pointer, no allocation) and
// removes itself at close, or in its destructor if dropped while open; a
// dispatch takes a strong reference (shared_from_this) while it runs. So
// the stream holds a strong reference to itself only while one of its own
// handlers or callbacks is running (and, after a close() from outside any
// callback, until the close callback has run on the next iteration): the
// last user reference may be dropped anywhere, even inside a stream
// callback. A stream destroyed while open just closes its fd; its callbacks
// never run. On close() the fd is removed from the loop and closed, and every
// stored callback is destroyed after the close callback has run; this breaks
// the reference cycles callbacks that capture the stream's owner would
// otherwise create.
//
// Data passed to read callbacks is a view into the stream's read buffer: it
// is valid until the callback returns. A read started inside a read callback
// is served after that callback returns (never re-entrantly), from the
// buffer when it can be. More generally, no stream callback ever runs inside
// a call to a stream method: a read the buffer can satisfy, a write whose
// data left at once, a connect that completed at once and close() all run
// their callbacks after the current stream callback returns or, when called
// from outside any stream callback, on the loop's next iteration (Tornado's
// _run_callback does the same). Callbacks run one after the other in a loop
// (the dispatch loop, run_pending() in iostream.cc), never by recursion, so
// 1000 pipelined requests in the buffer do not grow the stack.
//
// Read buffer layout (one contiguous heap block, ReadBuffer in
// read_buffer.h, compacted when the free tail is too small, never shifted
// per read; allocated when a recv needs it and given back when it drains
// empty, so an idle stream holds no buffer):
//
//   0            read_pos         write_pos                capacity
//   | consumed   | unread bytes    | free space for recv()  |
//
// The fd stays registered from the stream's first operation until close,
// and watched for READ even with no read pending, so a peer's close is
// noticed at once and the close callback runs for idle connections too (as
// Tornado does). Data that arrives while nobody reads is buffered, up to
// one read_chunk_size; then the stream stops watching READ until a read is
// started, and TCP flow control holds the peer back (a client pipelining
// megabytes into an idle connection costs one chunk, not max_buffer_size).
//
// A TCP stream registers edge-triggered (IOLoop::EDGE, with RDHUP and PRI):
// it remembers itself when it stopped reading before the socket was empty
// and reads on from its next dispatch (README.md, "Edge-triggered reads").
// Other fds (unix sockets, pipes) and SSLIOStream are level-triggered, as
// Tornado's streams, because a short read there does not prove the fd empty.
#ifndef EDDY_03_IOSTREAM_IOSTREAM_H_
#define EDDY_03_IOSTREAM_IOSTREAM_H_

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "02_netutil/file_descriptor.h"
#include "02_netutil/socket_address.h"
#include "03_iostream/read_buffer.h"
#include "03_iostream/read_rules.h"
#include "03_iostream/write_queue.h"

namespace eddy {

// (Addition to the original contract.) Thrown by read_*, write and connect
// on a closed stream: Tornado's StreamClosedError. A std::logic_error, since
// the caller can check closed() first.
class StreamClosedError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

constexpr size_t kDefaultMaxBufferSize = 100 * 1024 * 1024;
constexpr size_t kDefaultReadChunkSize = 64 * 1024;

class IOStream : public std::enable_shared_from_this<IOStream>,
                 private IOHandler {
 public:
  using ReadCallback = std::function<void(std::string_view data)>;
  using WriteCallback = std::function<void()>;
  using CloseCallback = std::function<void()>;
  using ConnectCallback = std::function<void()>;

  // Wraps a connected (or connecting) socket; the stream owns it.
  static std::shared_ptr<IOStream> create(
      Socket socket, IOLoop& io_loop = IOLoop::current(),
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
  void read_bytes(size_t num_bytes, ReadCallback callback,
                  bool partial = false);
  // Reads up to and including `delimiter` (read_until). If the delimiter is
  // not found within `max_bytes` (0 = unlimited), the stream closes with
  // std::errc::message_size.
  void read_until(std::string delimiter, ReadCallback callback,
                  size_t max_bytes = 0);
  // Reads up to and including the first match of `regex` (read_until_regex).
  void read_until_regex(std::regex regex, ReadCallback callback,
                        size_t max_bytes = 0);
  // The general form behind read_until and read_until_regex: `matcher` is
  // given the unread bytes and how many leading bytes it already rejected
  // (`from`; a terminator may straddle that point) and returns the length of
  // the message including its terminator, or 0 when it is not complete yet.
  // Chapter 05 passes a hand-written matcher for the end of an HTTP head.
  using Matcher = std::function<size_t(std::string_view data, size_t from)>;
  void read_until_match(Matcher matcher, ReadCallback callback,
                        size_t max_bytes = 0);
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
  // Set on a stream that has already closed, it runs on the next loop turn.
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
  // Bytes given to write() that the transport has not taken yet (Tornado's
  // _write_buffer_size); what a protocol checks to apply backpressure.
  size_t write_buffer_size() const;
  // TCP_NODELAY on or off (set_nodelay); ignored for non-TCP sockets.
  void set_nodelay(bool value);
  // Stops sending for good and keeps reading (a lingering close): ends the
  // transport (SSLIOStream sends TLS's close_notify) and shuts the socket's
  // write side (shutdown(2), SHUT_WR). Call it once the queued output has
  // left (from a write callback); a later write() fails on the wire and
  // closes the stream. No-op on a closed stream.
  void shutdown_write();

  int fd() const;
  IOLoop& io_loop() const;
  size_t max_buffer_size() const;
  size_t read_chunk_size() const;

 protected:
  IOStream(Socket socket, IOLoop& io_loop, size_t max_buffer_size,
           size_t read_chunk_size);

  // The transport: plain recv/send here, TLS in SSLIOStream. Return bytes
  // moved (> 0), 0 for EOF (read only), or -1 with errno set (EAGAIN/
  // EWOULDBLOCK when the socket is not ready).
  virtual ssize_t read_from_fd(char* buffer, size_t size);
  virtual ssize_t write_to_fd(const iovec* iov, int iovcnt);

  // Hooks for transports that add a protocol of their own (SSLIOStream).
  // All run on the loop thread inside the dispatch loop.
  //
  // Handles one readiness event (connect completion, then reads, then
  // writes). Overrides may adjust `events` and call the base.
  virtual void handle_io(uint32_t events);
  // The events the fd should be watched for now.
  virtual uint32_t wanted_events() const;
  // True when reads and writes may touch the fd (connected, handshake done).
  virtual bool transport_ready() const;
  // True when the transport holds received bytes the fd no longer shows as
  // readable (SSL_pending): the stream then reads again without an event.
  virtual bool transport_has_buffered_data() const;
  // The error to close with when read_from_fd/write_to_fd failed with errno
  // `error`.
  virtual std::error_code transport_error(int error);
  // The socket connected; the base runs the connect callback.
  virtual void on_connected();
  // The stream is about to stop sending with everything queued sent: a
  // clean close() (no error, no unsent output) or shutdown_write(), while
  // the fd is still open. SSLIOStream sends close_notify here, without
  // blocking; nothing for TCP, whose FIN says the same.
  virtual void end_transport();
  // Destroys the callbacks a subclass stores; called after the close
  // callback. Overrides must call the base.
  virtual void clear_callbacks();

  // Runs `callback` from the dispatch loop, after the current callback
  // returns (or on the next loop iteration when no dispatch is running).
  void run_callback_soon(std::function<void()> callback);
  // Hands the stored connect callback to run_callback_soon.
  void run_connect_callback();
  // Registers or updates the fd's events to match wanted_events() (no
  // syscall when nothing changed). No-op inside a dispatch: the dispatch
  // does it once at its end.
  void update_io_state();
  bool connecting() const { return connecting_; }
  bool dispatching() const { return dispatching_; }
  // Watch the fd level-triggered, for a transport whose short reads do not
  // mean "drained" (TLS returns one record at a time). Call it from the
  // constructor, before anything registers the fd.
  void use_level_triggered() { edge_triggered_ = false; }

 private:
  enum class ReadKind : uint8_t {
    kNone,
    kBytes,
    kDelimiter,
    kMatch,
    kUntilClose
  };
  struct RareState;

  // iostream.cc: the dispatch loop.
  void handle_events(int fd, uint32_t events) override;  // From the IOLoop.
  void dispatch(uint32_t events);
  void run_pending();
  bool run_one_pending();
  void finish_close();
  void after_dispatch();
  void schedule_dispatch();
  void invoke(const std::function<void()>& callback);
  void callback_failed(std::exception_ptr exception);
  // The checks every call makes, inline; the throwing part is out of line.
  // The checks at the top of every public call: the loop thread (else abort,
  // as IOLoop), then the stream's state (else throw).
  void check_thread(const char* method) const {
    io_loop_.check_loop_thread("IOStream::", method);
  }
  void check_open(const char* method) const {
    check_thread(method);
    if (closed_) [[unlikely]]
      throw_misuse(method);
  }
  void check_can_read(const char* method) const {
    check_thread(method);
    if (closed_ || read_kind_ != ReadKind::kNone) [[unlikely]] {
      throw_misuse(method);
    }
  }
  [[noreturn]] void throw_misuse(const char* method) const;
  void start_read(ReadKind kind, ReadCallback&& callback, size_t max_bytes);
  void read_started();
  void handle_connect();
  void handle_error_event();
  // read_path.cc: filling the buffer and matching pending reads against it.
  void read_to_buffer();
  size_t recv_size() const;
  // How much an idle stream (no read pending) buffers before it stops
  // watching READ.
  size_t idle_buffer_limit() const {
    return read_chunk_size_ < max_buffer_size_ ? read_chunk_size_
                                               : max_buffer_size_;
  }
  // True when the fd (or the transport) may hold bytes nobody has read yet
  // and the stream wants them: the next dispatch must read without waiting
  // for an event (see "Edge-triggered reads" in README.md).
  bool should_read_again() const;
  size_t find_read_length();
  size_t enforce_max_bytes(size_t length, size_t unread);
  void run_read_callback(size_t length);
  bool serve_read();
  // write_path.cc: flushing the write queue (write_queue.h).
  void flush_writes();
  bool write_callback_ready() const {
    return write_ && write_->callback_ready(bytes_written_);
  }
  void run_write_callback();
  bool has_queued_writes() const { return write_ && write_->has_unsent(); }
  WriteQueue& write_queue();  // Taken from the pool on first need.
  void release_write_queue();
  RareState& rare();
  bool has_ready_callbacks() const {
    return rare_ && !rare_->ready_callbacks.empty();
  }

  // Memory. A server holds thousands of idle keep-alive streams, so the
  // layout below keeps an idle one small (about 230 bytes, README.md
  // "What an idle stream costs"): the write queue exists only while writes
  // are pending, what few streams use lives behind rare_, the read buffer
  // is one pointer, and the flags are packed.
  //
  // What few streams use: created on first need, kept until the stream goes.
  struct RareState {
    std::string delimiter;  // read_until's, kept for a line protocol.
    ConnectCallback connect_callback;
    std::vector<std::function<void()>> ready_callbacks;  // run_callback_soon.
  };

  IOLoop& io_loop_;
  const size_t max_buffer_size_;
  const size_t read_chunk_size_;

  // Loop-thread state, as every member below.
  std::error_code error_;
  Socket socket_;
  // The pending read (one at a time) and the flags, packed together.
  ReadKind read_kind_ = ReadKind::kNone;
  bool registered_ = false;  // The fd has a handler in io_loop_.
  bool closed_ = false;
  bool dispatching_ = false;  // Inside dispatch(): defer callbacks.
  bool dispatch_scheduled_ = false;
  bool flush_needed_ = false;   // Writes queued during this dispatch.
  bool write_blocked_ = false;  // The last write hit EAGAIN; wait for WRITE.
  // Edge-triggered only: the last READ event's data may not all have been
  // read (no EAGAIN or short read since). No new event will say so.
  bool fd_may_be_readable_ = false;
  // Set once or rarely: one byte of bits.
  bool read_partial_ : 1 = false;
  bool close_done_ : 1 = false;  // The close callback has run.
  bool connecting_ : 1 = false;
  bool use_writev_ : 1 = false;      // Not a socket (a pipe): writev.
  bool edge_triggered_ : 1 = false;  // TCP: registered with IOLoop::EDGE.
  // Edge-triggered: an event carried RDHUP, PRI or ERROR, so a short read
  // no longer proves the socket empty; read until EAGAIN or EOF.
  bool read_to_eagain_ : 1 = false;
  uint8_t registered_events_ = 0;  // What epoll watches when registered_.
  static_assert((IOLoop::READ | IOLoop::WRITE) <= 0xff);
  // kBytes: how many bytes; kDelimiter/kMatch: max_bytes (0 = unlimited).
  size_t read_limit_ = 0;
  size_t scan_from_ = 0;  // Unread bytes already searched.
  Matcher read_matcher_;
  ReadCallback read_callback_;
  ReadBuffer buffer_;

  // Bytes since the stream began: given to write(), and sent.
  uint64_t bytes_queued_ = 0;
  uint64_t bytes_written_ = 0;
  // The write queue (write_queue.h): a write callback runs once
  // bytes_written_ reaches its mark. Taken from the per-thread pool
  // (write_queue_pool.h) at the first write() and given back when
  // everything has left (write_path.cc). Null while nothing is pending.
  std::unique_ptr<WriteQueue> write_;
  std::unique_ptr<RareState> rare_;
  CloseCallback close_callback_;
};

}  // namespace eddy

#endif  // EDDY_03_IOSTREAM_IOSTREAM_H_
