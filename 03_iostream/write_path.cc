// IOStream's write path: a queue of chunks flushed with one sendmsg (writev
// for non-sockets) per attempt, attempted at once before waiting for WRITE.
//
//   write_queue_:  [ sent | sent | "HTTP/1.1 200..." | "body" | ... ]
//                                  ^ write_head_, write_offset_ bytes sent
//
// A partial write only moves write_head_/write_offset_: no chunk is erased
// from the front or copied. Write callbacks carry the byte count queued
// before them (bytes_queued_ at write()) and run once bytes_written_ has
// reached it, in order.
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <mutex>

#include "03_iostream/iostream.h"

namespace eddy {
namespace {

// iovecs per sendmsg: as many as Linux takes (IOV_MAX, 1024), so the
// responses to 1000 pipelined requests leave in one call.
constexpr int kMaxIovecs = IOV_MAX;
// Release the queue's array when it drained, whatever its size: an idle
// keep-alive stream then holds no write memory at all (48 bytes of heap per
// connection otherwise), for one small malloc/free per busy dispatch.
constexpr size_t kMaxIdleQueueCapacity = 0;

void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace

// Sockets: sendmsg with MSG_NOSIGNAL, so a dead peer gives EPIPE instead of
// killing the process. Other fds (pipes): writev, with SIGPIPE ignored once
// for the process the first time one is used (there is no per-call flag).
ssize_t IOStream::write_to_fd(const iovec* iov, int iovcnt) {
  if (!use_writev_) {
    msghdr message{};
    message.msg_iov = const_cast<iovec*>(iov);
    message.msg_iovlen = static_cast<size_t>(iovcnt);
    ssize_t count = ::sendmsg(socket_.get(), &message, MSG_NOSIGNAL);
    if (count >= 0 || errno != ENOTSOCK) return count;
    use_writev_ = true;
    ignore_sigpipe_once();
  }
  return ::writev(socket_.get(), iov, iovcnt);
}

void IOStream::flush_writes() {
  while (has_queued_writes()) {
    iovec iov[kMaxIovecs];
    int count = 0;
    size_t requested = 0;
    for (size_t i = write_head_; i < write_queue_.size() && count < kMaxIovecs;
         ++i, ++count) {
      const std::string& chunk = write_queue_[i];
      size_t skip = i == write_head_ ? write_offset_ : 0;
      iov[count].iov_base = const_cast<char*>(chunk.data()) + skip;
      iov[count].iov_len = chunk.size() - skip;
      requested += iov[count].iov_len;
    }
    ssize_t written = write_to_fd(iov, count);
    if (written < 0) {
      int error = errno;
      if (error == EINTR) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) {
        write_blocked_ = true;
        return;
      }
      close(transport_error(error));
      return;
    }
    consume_written(static_cast<size_t>(written));
    if (static_cast<size_t>(written) < requested) {
      write_blocked_ = true;  // The socket buffer is full: wait for WRITE.
      return;
    }
  }
}

void IOStream::consume_written(size_t count) {
  bytes_written_ += count;
  while (count > 0) {
    std::string& chunk = write_queue_[write_head_];
    size_t left = chunk.size() - write_offset_;
    if (count < left) {
      write_offset_ += count;
      return;
    }
    count -= left;
    std::string().swap(chunk);  // Free the chunk's memory now.
    ++write_head_;
    write_offset_ = 0;
  }
  if (write_head_ == write_queue_.size()) {
    write_queue_.clear();
    write_head_ = 0;
  } else if (write_head_ >= 64 && write_head_ * 2 >= write_queue_.size()) {
    // A queue that never drains: drop the sent (empty) prefix, amortised.
    write_queue_.erase(write_queue_.begin(),
                       write_queue_.begin() + static_cast<long>(write_head_));
    write_head_ = 0;
  }
}

void IOStream::run_write_callback() {
  WriteCallback callback =
      std::move(write_callbacks_[write_callbacks_head_].second);
  if (++write_callbacks_head_ == write_callbacks_.size()) {
    write_callbacks_.clear();
    write_callbacks_head_ = 0;
  }
  invoke(callback);
}

void IOStream::release_write_queue() {
  if (has_queued_writes()) {
    write_queue_.clear();
    write_head_ = 0;
    write_offset_ = 0;
  }
  if (write_queue_.capacity() > kMaxIdleQueueCapacity) {
    std::vector<std::string>().swap(write_queue_);
  }
}

}  // namespace eddy
