// IOStream's read path: filling the read buffer from the fd and matching the
// pending read against it. See iostream.h for the buffer layout and
// iostream.cc for the dispatch loop that calls these.
//
//   READ event ─> read_to_buffer(): recv into buffer_ until the pending read
//                 is satisfied, the socket is drained, or a per-event cap
//                 (stopping before "drained" leaves fd_may_be_readable_ set:
//                 the fd is edge-triggered, so after_dispatch reads on)
//   run_pending ─> find_read_length(): the message length, or kNotReady
//                 (the rules themselves: read_rules.h)
//               ─> run_read_callback(): consume it, call back with a view
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>

#include "03_iostream/iostream.h"
#include "03_iostream/read_rules.h"

namespace eddy {
namespace {

// One event reads at most this much (unless one read_bytes needs more), so a
// fast peer cannot starve the loop's other fds.
constexpr size_t kMaxReadPerEvent = 1024 * 1024;
// The largest single recv a read_bytes asks for (see recv_size).
constexpr size_t kMaxRecv = 1024 * 1024;

}  // namespace

ssize_t IOStream::read_from_fd(char* buffer, size_t size) {
  return ::read(socket_.get(), buffer, size);
}

// How much the next recv asks for: a chunk, or what a read_bytes still
// needs when that is more (one syscall for a 1 MiB message), never past
// max_buffer_size.
size_t IOStream::recv_size() const {
  if (read_kind_ == ReadKind::kNone) {
    // Nobody reads: fill up to one chunk (see iostream.h).
    size_t limit = idle_buffer_limit();
    return limit > buffer_.size() ? limit - buffer_.size() : 0;
  }
  size_t want = read_chunk_size_;
  if (read_kind_ == ReadKind::kBytes && read_limit_ > buffer_.size()) {
    // Up to 1 MiB at once: a peer that announces 100 MiB and sends 10
    // bytes does not get 100 MiB reserved; the buffer grows as data comes.
    want = std::max(want, std::min(read_limit_ - buffer_.size(), kMaxRecv));
  }
  return std::min(want, max_buffer_size_ - buffer_.size());
}

void IOStream::read_to_buffer() {
  size_t total = 0;
  // The buffer may already satisfy the pending read (a read started just
  // before this event): serve that first, it may free room.
  if (read_kind_ != ReadKind::kNone &&
      (find_read_length() != kNotReady || closed_)) {
    return;
  }
  for (;;) {
    size_t want = recv_size();
    if (want == 0) {
      if (read_kind_ == ReadKind::kNone) return;  // Idle, one chunk held.
      // A pending read that max_buffer_size bytes cannot satisfy.
      close(std::make_error_code(std::errc::no_buffer_space));
      return;
    }
    char* destination = buffer_.prepare(want);
    ssize_t count = read_from_fd(destination, want);
    if (count == 0) {
      close();  // EOF: a clean close, error() stays empty.
      return;
    }
    if (count < 0) {
      int error = errno;
      if (error == EINTR) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) {
        fd_may_be_readable_ = false;
        return;
      }
      close(transport_error(error));
      return;
    }
    buffer_.commit(static_cast<size_t>(count));
    total += static_cast<size_t>(count);
    // A short read emptied the socket: the kernel hands over all it has,
    // and data arriving later is a new edge. Not so once an event said a
    // FIN or urgent data is queued (read_to_eagain_: read on to EOF or
    // EAGAIN), nor for TLS, which returns a record at a time (SSLIOStream
    // is level-triggered).
    if (static_cast<size_t>(count) < want && !transport_has_buffered_data() &&
        !read_to_eagain_) {
      fd_may_be_readable_ = false;
      return;
    }
    // Nobody reads: keep one chunk (the peer may close next); the rest
    // waits in the socket until a read starts (should_read_again).
    if (read_kind_ == ReadKind::kNone) return;
    if (find_read_length() != kNotReady || closed_) return;
    if (total >= kMaxReadPerEvent &&
        (read_kind_ != ReadKind::kBytes || buffer_.size() >= read_limit_)) {
      return;
    }
  }
}

// The length of the message the pending read can take from the buffer now,
// or kNotReady. Closes the stream when max_bytes cannot be met.
size_t IOStream::find_read_length() {
  std::string_view data = buffer_.unread();
  switch (read_kind_) {
    case ReadKind::kBytes:
      return bytes_ready(data.size(), read_limit_, read_partial_);
    case ReadKind::kDelimiter:
      if (scan_from_ == data.size() && scan_from_ != 0) return kNotReady;
      // rare_->delimiter: set by read_until.
      return enforce_max_bytes(
          find_delimiter(data, rare_->delimiter, scan_from_), data.size());
    case ReadKind::kMatch: {
      if (scan_from_ == data.size() && scan_from_ != 0) return kNotReady;
      size_t length = 0;
      try {
        if (!data.empty()) length = read_matcher_(data, scan_from_);
      } catch (...) {
        // A user's matcher threw: the stream closes, as for a callback.
        callback_failed(std::current_exception());
        return kNotReady;
      }
      if (length > data.size()) length = 0;  // A broken matcher: not found.
      if (length == 0) scan_from_ = data.size();
      return enforce_max_bytes(length == 0 ? kNotReady : length, data.size());
    }
    case ReadKind::kUntilClose:  // Served by finish_close().
    case ReadKind::kNone:
      return kNotReady;
  }
  return kNotReady;
}

// max_bytes (Tornado's UnsatisfiableReadError): closes the stream with
// message_size when check_max_bytes says the message cannot fit. Without a
// limit (the common case) it returns at once, without the call.
size_t IOStream::enforce_max_bytes(size_t length, size_t unread) {
  if (read_limit_ == 0) return length;
  length = check_max_bytes(length, unread, read_limit_);
  if (length == kTooLong) {
    close(std::make_error_code(std::errc::message_size));
    return kNotReady;
  }
  return length;
}

// The read step of the dispatch loop (run_one_pending): runs the pending
// read's callback if the buffer satisfies it. True when something happened
// (a callback ran, or max_bytes closed the stream). Kept in this file so the
// per-message path (find, consume, call back) compiles into one function.
bool IOStream::serve_read() {
  size_t length = find_read_length();
  if (closed_) return true;
  if (length == kNotReady) return false;
  run_read_callback(length);
  return true;
}

void IOStream::run_read_callback(size_t length) {
  ReadCallback callback = std::move(read_callback_);
  read_callback_ = nullptr;
  read_kind_ = ReadKind::kNone;
  if (read_matcher_) read_matcher_ = nullptr;
  // The view stays valid during the callback: nothing reads into the buffer
  // until the dispatch loop is back in control.
  std::string_view data = buffer_.consume(length);
  // Not through invoke(): no std::function wrapper on the per-message path.
  try {
    callback(data);
  } catch (...) {
    callback_failed(std::current_exception());
  }
}

}  // namespace eddy
