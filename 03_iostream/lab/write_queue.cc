// Lab 03, part 2: the write queue (03_iostream/write_queue.h is the
// contract; README.md in this directory is the handout).
//
// IOStream::write() appends chunks and callbacks; IOStream::flush_writes()
// asks gather() for the unsent bytes, hands them to sendmsg/writev, and
// tells consume() how many the kernel took; the dispatch loop runs each
// callback that callback_ready() says is due, taken by take_callback().
// Keep the fields' meaning exactly as write_queue.h states it: the inline
// functions there (has_unsent, callback_ready) read them.
//
// Do them in this order:
//   1. append, add_callback       filling the queue
//   2. gather                     what the next sendmsg sends
//   3. consume                    a full, then a partial send
//   4. take_callback              write callbacks, in order
//   5. drop_unsent                a close with data still queued
#include "03_iostream/write_queue.h"

#include "tools/lab/todo.h"

namespace eddy {

void WriteQueue::append(std::string chunk) {
  // TODO(lab 03): put the chunk behind the unsent ones (move it, do not
  // copy it).
  (void)chunk;
  lab::todo("03", "WriteQueue::append");
}

void WriteQueue::add_callback(uint64_t mark, WriteCallback callback) {
  // TODO(lab 03): queue the callback with its mark.
  (void)mark;
  (void)callback;
  lab::todo("03", "WriteQueue::add_callback");
}

int WriteQueue::gather(iovec* iov, int max_iovecs, size_t& requested) const {
  // TODO(lab 03): one iovec per unsent chunk, from `head` on, at most
  // max_iovecs of them; the first one skips the `offset` bytes already
  // sent. Add each iov_len to `requested`; return the number filled.
  (void)iov;
  (void)max_iovecs;
  (void)requested;
  lab::todo("03", "WriteQueue::gather");
}

void WriteQueue::consume(size_t count) {
  // TODO(lab 03): `count` bytes left from the front. Walk the chunks from
  // `head`: a chunk whose unsent bytes are all covered is done (move head
  // past it and free its memory); the chunk where `count` runs out keeps
  // the rest (move offset). When every chunk is sent, empty the vector so
  // it does not grow forever.
  (void)count;
  lab::todo("03", "WriteQueue::consume");
}

void WriteQueue::drop_unsent() {
  // TODO(lab 03): forget every chunk (and head, offset); keep the
  // callbacks.
  lab::todo("03", "WriteQueue::drop_unsent");
}

WriteQueue::WriteCallback WriteQueue::take_callback() {
  // TODO(lab 03): move the oldest waiting callback out and return it; the
  // next one becomes the oldest. When none waits any more, empty the vector.
  lab::todo("03", "WriteQueue::take_callback");
}

}  // namespace eddy
