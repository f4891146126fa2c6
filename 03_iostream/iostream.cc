// IOStream: construction, the public read/write/close calls, and the
// dispatch loop that runs every stream callback. The read path (filling the
// buffer, matching reads) is in read_path.cc, the write queue in
// write_path.cc.
//
// How a stream runs its callbacks (the "dispatch loop"):
//   1. The loop calls the stream's handler with the ready events, or a
//      callback the stream scheduled with events = 0. Both enter dispatch(),
//      which holds a strong reference to the stream until it returns.
//   2. handle_io(events): finish a connect, read into the buffer, flush.
//   3. run_pending(): one callback at a time until none is ready — queued
//      callbacks (connect, handshake), then write callbacks whose data left,
//      then the pending read if the buffer satisfies it, then one flush of
//      the writes those callbacks queued. A callback that starts a read or
//      writes only records it; this loop serves it when the callback returns.
//   4. after_dispatch(): give back an empty read buffer, update the epoll
//      events once.
// A stream method called outside any dispatch does its work at once (a
// write is sent at once) and schedules a dispatch (schedule_dispatch) for
// the callbacks that became ready.
#include "03_iostream/iostream.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <exception>
#include <string>
#include <utility>

#include "01_ioloop/log.h"

namespace eddy {

namespace {

// Lets std::make_shared reach the protected constructor, so the stream and
// its reference counts share one allocation.
struct SharedIOStream : IOStream {
  SharedIOStream(Socket socket, IOLoop& io_loop, size_t max_buffer_size,
                 size_t read_chunk_size)
      : IOStream(std::move(socket), io_loop, max_buffer_size, read_chunk_size) {
  }
};

}  // namespace

std::shared_ptr<IOStream> IOStream::create(Socket socket, IOLoop& io_loop,
                                           size_t max_buffer_size,
                                           size_t read_chunk_size) {
  return std::make_shared<SharedIOStream>(std::move(socket), io_loop,
                                          max_buffer_size, read_chunk_size);
}

IOStream::IOStream(Socket socket, IOLoop& io_loop, size_t max_buffer_size,
                   size_t read_chunk_size)
    : io_loop_(io_loop),
      max_buffer_size_(max_buffer_size),
      read_chunk_size_(read_chunk_size == 0 ? kDefaultReadChunkSize
                                            : read_chunk_size),
      socket_(std::move(socket)) {
  if (!socket_) throw std::invalid_argument("IOStream: invalid socket");
  if (max_buffer_size_ == 0) {
    throw std::invalid_argument("IOStream: max_buffer_size must be > 0");
  }
  int flags = ::fcntl(socket_.get(), F_GETFL);
  if (flags >= 0 && (flags & O_NONBLOCK) == 0) {
    ::fcntl(socket_.get(), F_SETFL, flags | O_NONBLOCK);
  }
  // Edge-triggered only where a short read proves the fd empty: TCP. A unix
  // socket stops short at a passed descriptor or a change of sender
  // (SO_PASSCRED), a tty at a line: those stay level-triggered.
  int protocol = 0;
  socklen_t length = sizeof protocol;
  edge_triggered_ = ::getsockopt(socket_.get(), SOL_SOCKET, SO_PROTOCOL,
                                 &protocol, &length) == 0 &&
                    protocol == IPPROTO_TCP;
}

IOStream::~IOStream() {
  // Not closed: the owner dropped an open stream. Its callbacks cannot run
  // any more; just stop watching the fd (the Socket member closes it).
  if (registered_) io_loop_.remove_handler(socket_.get());
}

// ---- Public calls -----------------------------------------------------------

void IOStream::throw_misuse(const char* method) const {
  if (closed_) {
    throw StreamClosedError(std::string("IOStream::") + method +
                            ": the stream is closed");
  }
  throw std::logic_error(std::string("IOStream::") + method +
                         ": already reading (one read at a time)");
}

void IOStream::start_read(ReadKind kind, ReadCallback&& callback,
                          size_t max_bytes) {
  read_kind_ = kind;
  read_callback_ = std::move(callback);
  if (kind != ReadKind::kBytes) read_limit_ = max_bytes;
  scan_from_ = 0;
  read_started();
}

// A read was recorded: inside a dispatch the loop in run_pending serves it;
// outside, serve it on the next iteration if the buffer already can, or
// make sure the fd is watched.
void IOStream::read_started() {
  if (dispatching_) return;
  size_t length = find_read_length();
  if (closed_) return;
  if (length != kNotReady || should_read_again()) schedule_dispatch();
  update_io_state();
}

void IOStream::read_bytes(size_t num_bytes, ReadCallback callback,
                          bool partial) {
  check_can_read("read_bytes");
  read_limit_ = num_bytes;
  read_partial_ = partial;
  start_read(ReadKind::kBytes, std::move(callback), 0);
}

void IOStream::read_until(std::string delimiter, ReadCallback callback,
                          size_t max_bytes) {
  check_can_read("read_until");
  if (delimiter.empty()) {
    throw std::invalid_argument("IOStream::read_until: empty delimiter");
  }
  // Re-arming with the same delimiter (a line protocol) skips the copy.
  std::string& stored = rare().delimiter;
  if (delimiter != stored) stored = std::move(delimiter);
  start_read(ReadKind::kDelimiter, std::move(callback), max_bytes);
}

void IOStream::read_until_regex(std::regex regex, ReadCallback callback,
                                size_t max_bytes) {
  check_can_read("read_until_regex");
  // A regex match may start anywhere, so this matcher searches all unread
  // bytes each time (as Tornado does); read_until is the fast path.
  Matcher matcher = [regex = std::move(regex)](std::string_view data,
                                               size_t) -> size_t {
    std::cmatch match;
    if (!std::regex_search(data.begin(), data.end(), match, regex)) return 0;
    // An empty match at 0 returns 0, "not yet": a terminator has a length.
    return static_cast<size_t>(match.position(0) + match.length(0));
  };
  read_matcher_ = std::move(matcher);
  start_read(ReadKind::kMatch, std::move(callback), max_bytes);
}

void IOStream::read_until_match(Matcher matcher, ReadCallback callback,
                                size_t max_bytes) {
  check_can_read("read_until_match");
  read_matcher_ = std::move(matcher);
  start_read(ReadKind::kMatch, std::move(callback), max_bytes);
}

void IOStream::read_until_close(ReadCallback callback) {
  check_thread("read_until_close");
  if (read_kind_ != ReadKind::kNone) {
    throw std::logic_error(
        "IOStream::read_until_close: already reading (one read at a time)");
  }
  read_kind_ = ReadKind::kUntilClose;
  read_callback_ = std::move(callback);
  if (closed_) {
    // Tornado hands over what the buffer holds.
    if (!dispatching_) schedule_dispatch();
    return;
  }
  read_started();
}

// DOC: stream-write. (README.md, "The write path".)
void IOStream::write(std::string data, WriteCallback callback) {
  check_open("write");
  if (!data.empty()) {
    bytes_queued_ += data.size();
    write_queue().append(std::move(data));
  }
  if (callback) write_queue().add_callback(bytes_queued_, std::move(callback));
  if (dispatching_) {
    flush_needed_ = true;  // One flush when the callback chain returns.
    return;
  }
  if (transport_ready() && !write_blocked_) flush_writes();
  if (closed_) return;
  if (write_callback_ready()) schedule_dispatch();
  update_io_state();
}

void IOStream::connect(const SocketAddress& address, ConnectCallback callback) {
  check_open("connect");
  if (connecting_) {
    throw std::logic_error("IOStream::connect: already connecting");
  }
  connecting_ = true;
  rare().connect_callback = std::move(callback);
  int rc;
  do {
    rc = ::connect(socket_.get(),
                   reinterpret_cast<const sockaddr*>(&address.storage),
                   address.length);
  } while (rc < 0 && errno == EINTR);
  if (rc == 0) {
    connecting_ = false;
    on_connected();
  } else if (errno != EINPROGRESS && errno != EAGAIN) {
    close(std::error_code(errno, std::system_category()));
    return;
  }
  update_io_state();
}

void IOStream::set_close_callback(CloseCallback callback) {
  check_thread("set_close_callback");
  close_callback_ = std::move(callback);
  if (closed_) {
    // Already closed: it runs on the next loop turn (and is then destroyed,
    // so a callback that owns the stream cannot leak it).
    if (!dispatching_) schedule_dispatch();
    return;
  }
  // Watch the fd even before the first read, so a peer close is noticed.
  update_io_state();
}

void IOStream::close(std::error_code error) {
  check_thread("close");
  if (closed_) return;
  closed_ = true;
  error_ = error;
  connecting_ = false;
  if (registered_) {
    io_loop_.remove_handler(socket_.get());
    registered_ = false;
  }
  // A clean end tells a TLS peer so (close_notify); a close that drops
  // output must not, or the peer would take a truncated body as whole.
  if (!error && !has_queued_writes()) end_transport();
  socket_.reset();
  release_write_queue();
  if (!dispatching_) {
    // Run the close callback on the next iteration; the strong reference
    // keeps the stream until then even if its owner lets go now.
    auto self = shared_from_this();
    io_loop_.add_callback([self] { self->dispatch(0); });
  }
}

bool IOStream::closed() const { return closed_; }
std::error_code IOStream::error() const { return error_; }
bool IOStream::reading() const { return read_kind_ != ReadKind::kNone; }
bool IOStream::writing() const { return has_queued_writes(); }
size_t IOStream::write_buffer_size() const {
  return static_cast<size_t>(bytes_queued_ - bytes_written_);
}
int IOStream::fd() const { return socket_.get(); }
IOLoop& IOStream::io_loop() const { return io_loop_; }
size_t IOStream::max_buffer_size() const { return max_buffer_size_; }
size_t IOStream::read_chunk_size() const { return read_chunk_size_; }

void IOStream::set_nodelay(bool value) {
  check_thread("set_nodelay");
  if (closed_) return;
  int flag = value ? 1 : 0;
  // Fails harmlessly (EOPNOTSUPP, ENOPROTOOPT) on unix sockets and pipes.
  ::setsockopt(socket_.get(), IPPROTO_TCP, TCP_NODELAY, &flag, sizeof flag);
}

void IOStream::shutdown_write() {
  check_thread("shutdown_write");
  if (closed_) return;
  end_transport();
  ::shutdown(socket_.get(), SHUT_WR);
}

// ---- Hooks (overridden by SSLIOStream)
// ---------------------------------------

void IOStream::handle_io(uint32_t events) {
  if (connecting_) {
    if (events & (IOLoop::WRITE | IOLoop::ERROR)) handle_connect();
    return;
  }
  // Edge-triggered: a short read proves the socket empty, except behind a
  // FIN (RDHUP) or an error, which stay readable with no later event, and
  // around TCP urgent data (PRI), where read() stops at the urgent mark.
  if (edge_triggered_ &&
      (events & (IOLoop::RDHUP | IOLoop::PRI | IOLoop::ERROR))) {
    read_to_eagain_ = true;
  }
  if (events & IOLoop::READ) {
    // New data arrived; it counts as unread until a read comes back short
    // or with EAGAIN.
    if (edge_triggered_) fd_may_be_readable_ = true;
    read_to_buffer();
  } else if (events & IOLoop::ERROR) {
    handle_error_event();
  }
  if (!closed_ && (events & IOLoop::WRITE)) {
    write_blocked_ = false;
    if (has_queued_writes() && transport_ready()) flush_writes();
  }
}

uint32_t IOStream::wanted_events() const {
  if (connecting_) return IOLoop::WRITE;
  uint32_t events = has_queued_writes() ? IOLoop::WRITE : 0;
  // With no read pending, watch READ (to notice EOF) only until one chunk
  // is buffered; see iostream.h.
  if (read_kind_ != ReadKind::kNone || buffer_.size() < idle_buffer_limit()) {
    events |= IOLoop::READ;
  }
  return events;
}

bool IOStream::transport_ready() const { return !connecting_; }
bool IOStream::transport_has_buffered_data() const { return false; }

std::error_code IOStream::transport_error(int error) {
  return std::error_code(error, std::system_category());
}

void IOStream::on_connected() { run_connect_callback(); }
void IOStream::end_transport() {}

void IOStream::clear_callbacks() {
  // Moved out first: destroying a callback may drop references that lead
  // back here.
  auto read_callback = std::move(read_callback_);
  auto matcher = std::move(read_matcher_);
  auto write = std::move(write_);
  auto rare = std::move(rare_);
  auto close_callback = std::move(close_callback_);
  read_callback_ = nullptr;
  read_matcher_ = nullptr;
  close_callback_ = nullptr;
}

IOStream::RareState& IOStream::rare() {
  if (!rare_) rare_ = std::make_unique<RareState>();
  return *rare_;
}

void IOStream::run_callback_soon(std::function<void()> callback) {
  if (!callback) return;
  rare().ready_callbacks.push_back(std::move(callback));
  if (!dispatching_) schedule_dispatch();
}

void IOStream::run_connect_callback() {
  if (!rare_ || !rare_->connect_callback) return;
  ConnectCallback callback = std::move(rare_->connect_callback);
  rare_->connect_callback = nullptr;
  run_callback_soon(std::move(callback));
}

void IOStream::update_io_state() {
  if (dispatching_ || closed_) return;
  uint32_t wanted = wanted_events();
  if (registered_ && wanted == registered_events_) return;
  uint32_t mode =
      edge_triggered_ ? IOLoop::EDGE | IOLoop::RDHUP | IOLoop::PRI : 0;
  if (!registered_) {
    if (wanted == 0) return;  // Nothing to wait for yet: stay unregistered.
    // The loop points at this stream (no allocation); ~IOStream and close()
    // remove the handler, so the loop never calls a destroyed stream.
    io_loop_.add_handler(socket_.get(), static_cast<IOHandler&>(*this),
                         wanted | mode);
  } else {
    io_loop_.update_handler(socket_.get(), wanted | mode);
  }
  registered_ = true;
  registered_events_ = static_cast<uint8_t>(wanted);
}

// ---- The dispatch loop
// --------------------------------------------------------

void IOStream::handle_events(int, uint32_t events) { dispatch(events); }

// DOC: stream-dispatch. (README.md, "The read path".)
void IOStream::dispatch(uint32_t events) {
  std::shared_ptr<IOStream> self = shared_from_this();  // 1
  // Never nested: the loop cannot be run from inside one of its callbacks
  // (start and run_until throw), so no event reaches a dispatching stream.
  if (dispatching_) return;
  dispatching_ = true;
  if (events != 0 && !closed_) handle_io(events);  // 2
  run_pending();                                   // 3
  dispatching_ = false;
  after_dispatch();  // 4
}

void IOStream::run_pending() {
  while (run_one_pending()) {
  }
}

// Runs the next ready callback (or one flush); false when nothing is ready.
bool IOStream::run_one_pending() {
  if (closed_) {
    finish_close();
    return false;
  }
  if (has_ready_callbacks()) {
    auto& ready = rare_->ready_callbacks;
    std::function<void()> callback = std::move(ready.front());
    ready.erase(ready.begin());
    invoke(callback);
    return true;
  }
  if (write_callback_ready()) {
    run_write_callback();
    return true;
  }
  if (read_kind_ != ReadKind::kNone && serve_read()) return true;
  if (flush_needed_) {
    flush_needed_ = false;
    if (has_queued_writes() && transport_ready() && !write_blocked_) {
      flush_writes();
      return true;
    }
  }
  return false;
}

void IOStream::finish_close() {
  if (read_kind_ == ReadKind::kUntilClose) {
    ReadCallback callback = std::move(read_callback_);
    read_callback_ = nullptr;
    read_kind_ = ReadKind::kNone;
    std::string_view data = buffer_.consume(buffer_.size());
    invoke([&] { callback(data); });
  }
  read_kind_ = ReadKind::kNone;
  if (close_done_ && !close_callback_) return;
  close_done_ = true;
  CloseCallback callback = std::move(close_callback_);
  close_callback_ = nullptr;
  if (callback) invoke(callback);
  clear_callbacks();
}

void IOStream::after_dispatch() {
  if (buffer_.empty()) buffer_.release();  // Idle streams hold no buffer.
  if (closed_) return;
  if (!has_queued_writes()) release_write_queue();  // Drained: recycle it.
  update_io_state();
  // Bytes no event will announce (reading stopped before EAGAIN, or TLS
  // holds decrypted ones): read them from a scheduled dispatch, which runs
  // with the loop's callbacks, after the other fds of this batch.
  if (should_read_again()) schedule_dispatch();
}

bool IOStream::should_read_again() const {
  if (closed_ || connecting_) return false;
  bool reading = read_kind_ != ReadKind::kNone;
  if (reading && transport_has_buffered_data()) return true;
  // Idle streams read too, up to one chunk, to notice the peer's close.
  return fd_may_be_readable_ &&
         (reading || buffer_.size() < idle_buffer_limit());
}

void IOStream::schedule_dispatch() {
  if (dispatch_scheduled_) return;
  dispatch_scheduled_ = true;
  std::weak_ptr<IOStream> weak = weak_from_this();
  io_loop_.add_callback([weak] {
    if (auto self = weak.lock()) {
      self->dispatch_scheduled_ = false;
      self->dispatch(self->should_read_again() ? IOLoop::READ : 0);
    }
  });
}

// Runs a user callback. An exception is logged on the `application` channel
// and closes this stream (Tornado: "Uncaught exception, closing connection").
void IOStream::invoke(const std::function<void()>& callback) {
  try {
    callback();
  } catch (...) {
    callback_failed(std::current_exception());
  }
}

void IOStream::callback_failed(std::exception_ptr exception) {
  std::string what = "(not a std::exception)";
  try {
    std::rethrow_exception(exception);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  log(LogChannel::kApplication, LogLevel::kError,
      "Uncaught exception in an IOStream callback, closing the stream: " +
          what);
  close(std::make_error_code(std::errc::operation_canceled));
}

void IOStream::handle_connect() {
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(socket_.get(), SOL_SOCKET, SO_ERROR, &error, &length) < 0) {
    error = errno;
  }
  if (error != 0) {
    close(std::error_code(error, std::system_category()));
    return;
  }
  connecting_ = false;
  on_connected();
}

// ERROR without READ: a pipe whose other end left, or a socket error with
// nothing to read. Let a write report it, or ask the socket (or the pipe).
void IOStream::handle_error_event() {
  if (has_queued_writes() && transport_ready()) {
    write_blocked_ = false;
    flush_writes();
    if (closed_) return;
  }
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(socket_.get(), SOL_SOCKET, SO_ERROR, &error, &length) < 0) {
    // Not a socket: a pipe. HUP without READ on its read end means empty
    // and no writer left: a clean EOF. On its write end: the reader left.
    int mode = ::fcntl(socket_.get(), F_GETFL);
    error = mode >= 0 && (mode & O_ACCMODE) == O_RDONLY ? 0 : EPIPE;
  }
  // SO_ERROR 0 with a hangup: both directions were shut down cleanly.
  close(error == 0 ? std::error_code()
                   : std::error_code(error, std::system_category()));
}

}  // namespace eddy
