// WriteQueue (write_queue.h): production bodies. Lab 03's student writes the
// same functions in 03_iostream/lab/write_queue.cc.
#include "03_iostream/write_queue.h"

namespace eddy {

void WriteQueue::append(std::string chunk) {
  chunks.push_back(std::move(chunk));
}

void WriteQueue::add_callback(uint64_t mark, WriteCallback callback) {
  callbacks.emplace_back(mark, std::move(callback));
}

int WriteQueue::gather(iovec* iov, int max_iovecs, size_t& requested) const {
  int count = 0;
  for (size_t i = head; i < chunks.size() && count < max_iovecs; ++i, ++count) {
    const std::string& chunk = chunks[i];
    size_t skip = i == head ? offset : 0;
    iov[count].iov_base = const_cast<char*>(chunk.data()) + skip;
    iov[count].iov_len = chunk.size() - skip;
    requested += iov[count].iov_len;
  }
  return count;
}

void WriteQueue::consume(size_t count) {
  while (count > 0) {
    std::string& chunk = chunks[head];
    size_t left = chunk.size() - offset;
    if (count < left) {
      offset += count;
      return;
    }
    count -= left;
    std::string().swap(chunk);  // Free the chunk's memory now.
    ++head;
    offset = 0;
  }
  if (head == chunks.size()) {
    chunks.clear();
    head = 0;
  } else if (head >= 64 && head * 2 >= chunks.size()) {
    // A queue that never drains: drop the sent (empty) prefix, amortised.
    chunks.erase(chunks.begin(), chunks.begin() + static_cast<long>(head));
    head = 0;
  }
}

void WriteQueue::drop_unsent() {
  chunks.clear();
  head = 0;
  offset = 0;
}

WriteQueue::WriteCallback WriteQueue::take_callback() {
  WriteCallback callback = std::move(callbacks[callbacks_head].second);
  if (++callbacks_head == callbacks.size()) {
    callbacks.clear();
    callbacks_head = 0;
  }
  return callback;
}

}  // namespace eddy
