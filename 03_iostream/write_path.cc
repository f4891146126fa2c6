// IOStream's write path: a queue of chunks (WriteQueue, write_queue.h)
// flushed with one sendmsg (writev for non-sockets) per attempt, attempted
// at once before waiting for WRITE.
//
//   write_->chunks:  [ sent | sent | "HTTP/1.1 200..." | "body" | ... ]
//                                    ^ head, `offset` bytes sent
//
// A partial write only moves head/offset; nothing is copied. The sent
// prefix is erased under WriteQueue's rule (write_queue.h): when the queue
// drains, or once head has reached 64 and half of the vector. Write callbacks carry the byte count queued before them
// (bytes_queued_ at write()) and run once bytes_written_ has reached it, in
// order. The WriteQueue itself exists only while something is pending: an
// idle stream holds a null pointer, and drained queues go back to a
// per-thread pool (write_queue_pool.h), so a busy keep-alive connection
// neither keeps one nor allocates one per response.
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <climits>
#include <mutex>
#include <utility>

#include "03_iostream/iostream.h"
#include "03_iostream/write_queue_pool.h"

namespace eddy {
namespace {

// iovecs per sendmsg: as many as Linux takes (IOV_MAX, 1024), so the
// responses to 1000 pipelined requests leave in one call.
constexpr int kMaxIovecs = IOV_MAX;

void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace

// The queue exists only while something is pending; the pool
// (write_queue_pool.h) makes that cheap.
WriteQueue& IOStream::write_queue() {
  if (!write_) write_ = take_write_queue();
  return *write_;
}

// Drops unsent chunks (after a close) and, once no write callback waits
// either, gives the queue back to the pool.
void IOStream::release_write_queue() {
  if (!write_) return;
  write_->drop_unsent();
  if (write_->has_callbacks()) return;
  give_back_write_queue(std::move(write_));
}

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
    size_t requested = 0;
    int count = write_->gather(iov, kMaxIovecs, requested);
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
    bytes_written_ += static_cast<size_t>(written);
    write_->consume(static_cast<size_t>(written));
    if (static_cast<size_t>(written) < requested) {
      write_blocked_ = true;  // The socket buffer is full: wait for WRITE.
      return;
    }
  }
}

void IOStream::run_write_callback() { invoke(write_->take_callback()); }

}  // namespace eddy
