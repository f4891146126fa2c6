// WriteQueue: IOStream's write queue, the bytes given to write() that the
// transport has not taken yet, and the write callbacks waiting for them.
// Internal to 03_iostream (a member of IOStream; Lab 03 has the student
// write its functions, 03_iostream/lab/README.md).
//
// Chunks are kept as they were written (no copying into one big buffer);
// `head` and `offset` say where the unsent bytes start, so a partial send
// only moves them. A sent chunk's memory is freed at once; the empty prefix
// of `chunks` is erased when the queue drains, or once `head` has reached 64
// and half of the vector (amortised O(1) per chunk):
//
//   chunks:  [ sent | sent | "HTTP/1.1 200 OK..." | "body" | ... ]
//                           ^ head, `offset` bytes of it sent
//
// Write callbacks carry a mark: the stream's count of bytes queued (since
// the stream began) when write() was called. A callback is due once the
// stream's count of bytes sent has reached its mark, and callbacks are due
// in the order they were added, so "your bytes are in the kernel" is said
// in write() order.
//
// Tornado 2.4.1: IOStream._write_buffer (a deque of chunks) and
// IOStream._handle_write; the callback is IOStream._write_callback.
//
// Threads: loop thread only, like the stream that owns it. No function
// throws (except std::bad_alloc) or runs a callback.
#ifndef EDDY_03_IOSTREAM_WRITE_QUEUE_H_
#define EDDY_03_IOSTREAM_WRITE_QUEUE_H_

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace eddy {

struct WriteQueue {
  using WriteCallback = std::function<void()>;

  // Queues a chunk (not empty) behind the unsent ones (IOStream.write).
  void append(std::string chunk);
  // Queues `callback`, to run once `mark` bytes (counted since the stream
  // began) have been sent; marks never decrease.
  void add_callback(uint64_t mark, WriteCallback callback);

  // Fills iov[0..max_iovecs) with the unsent bytes, oldest first (the first
  // entry starts `offset` bytes into the head chunk), adds their total to
  // `requested` and returns how many entries it filled (0 when nothing is
  // unsent). The queue is not changed: the transport may take fewer bytes.
  int gather(iovec* iov, int max_iovecs, size_t& requested) const;
  // The transport took `count` (<= the unsent bytes) bytes from the front:
  // moves head/offset past them. A chunk sent completely frees its memory.
  void consume(size_t count);
  // Drops every unsent chunk (the stream closed); callbacks stay, so that
  // the stream destroys them only after its close callback.
  void drop_unsent();

  // Removes and returns the oldest callback; only when callback_ready().
  WriteCallback take_callback();

  bool has_unsent() const { return head < chunks.size(); }
  // The oldest waiting callback is due: `bytes_written` reached its mark.
  bool callback_ready(uint64_t bytes_written) const {
    return callbacks_head < callbacks.size() &&
           callbacks[callbacks_head].first <= bytes_written;
  }
  bool has_callbacks() const { return callbacks_head < callbacks.size(); }

  // The unsent chunks are [head, chunks.size()); the first has `offset`
  // bytes sent. The waiting callbacks are [callbacks_head, callbacks.size()),
  // each with its mark.
  std::vector<std::string> chunks;
  size_t head = 0;
  size_t offset = 0;
  std::vector<std::pair<uint64_t, WriteCallback>> callbacks;
  size_t callbacks_head = 0;
};

}  // namespace eddy

#endif  // EDDY_03_IOSTREAM_WRITE_QUEUE_H_
