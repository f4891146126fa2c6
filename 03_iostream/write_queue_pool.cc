// The write-queue pool (write_queue_pool.h): the per-thread free list and
// the shrinking of a queue that grew in a burst.
#include "03_iostream/write_queue_pool.h"

#include <cstdint>
#include <string>

namespace eddy {

std::vector<std::unique_ptr<WriteQueue>>& write_queue_free_list() {
  thread_local std::vector<std::unique_ptr<WriteQueue>> queues;
  return queues;
}

void shrink_write_queue(WriteQueue& queue) {
  if (queue.chunks.capacity() > kMaxPooledChunks) {
    std::vector<std::string>().swap(queue.chunks);
  }
  if (queue.callbacks.capacity() > kMaxPooledChunks) {
    std::vector<std::pair<uint64_t, WriteQueue::WriteCallback>>().swap(
        queue.callbacks);
  }
}

}  // namespace eddy
