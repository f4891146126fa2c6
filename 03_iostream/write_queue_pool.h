// The write-queue pool: where IOStream's WriteQueue comes from at the first
// write() and where it goes once everything has left. It exists for speed
// and memory only (README.md, "What production adds": "Memory: free lists,
// RareState, packed flags"):
//
//   - an idle stream holds a null pointer instead of a queue, which keeps a
//     thousand idle keep-alive connections small;
//   - a busy one reuses a drained queue (and its vectors' capacity) from a
//     small per-thread free list instead of a malloc/free per response.
//
// Without the pool the stream would simply own a WriteQueue member; nothing
// else would change. Tornado 2.4.1 has no equivalent (a deque per stream).
//
// Internal to 03_iostream. Threads: each thread has its own free list (freed
// at thread exit), so a queue taken on the loop thread goes back on it.
#ifndef EDDY_03_IOSTREAM_WRITE_QUEUE_POOL_H_
#define EDDY_03_IOSTREAM_WRITE_QUEUE_POOL_H_

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "03_iostream/write_queue.h"

namespace eddy {

// Drained queues kept per thread for reuse, and the largest chunk array a
// kept queue may hold (a larger one is freed: it came from a burst).
inline constexpr size_t kMaxPooledQueues = 64;
inline constexpr size_t kMaxPooledChunks = 16;

// This thread's free list of drained queues; freed at thread exit.
std::vector<std::unique_ptr<WriteQueue>>& write_queue_free_list();

// A drained queue (no chunk, no callback) from this thread's free list, or a
// new one when the list is empty. Inline: it runs once per response.
inline std::unique_ptr<WriteQueue> take_write_queue() {
  auto& free = write_queue_free_list();
  if (free.empty()) return std::make_unique<WriteQueue>();
  std::unique_ptr<WriteQueue> queue = std::move(free.back());
  free.pop_back();
  return queue;
}

// Frees the vectors of a queue that grew in a burst (write_queue_pool.cc),
// so that a kept queue stays small.
void shrink_write_queue(WriteQueue& queue);

// Takes back `queue`, which must hold no unsent chunk and no waiting
// callback: keeps it for reuse, unless the free list is full (then it is
// freed). Inline, like take_write_queue().
inline void give_back_write_queue(std::unique_ptr<WriteQueue> queue) {
  queue->callbacks.clear();
  queue->callbacks_head = 0;
  if (queue->chunks.capacity() > kMaxPooledChunks ||
      queue->callbacks.capacity() > kMaxPooledChunks) {
    shrink_write_queue(*queue);
  }
  auto& free = write_queue_free_list();
  if (free.size() < kMaxPooledQueues) free.push_back(std::move(queue));
  // Otherwise `queue` is freed here.
}

}  // namespace eddy

#endif  // EDDY_03_IOSTREAM_WRITE_QUEUE_POOL_H_
