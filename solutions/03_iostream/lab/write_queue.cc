// Lab 03, part 2: the write queue. Reference solution (not in a handout).
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
  for (size_t i = head; i < chunks.size() && count < max_iovecs; ++i) {
    size_t skip = i == head ? offset : 0;
    iov[count].iov_base = const_cast<char*>(chunks[i].data() + skip);
    iov[count].iov_len = chunks[i].size() - skip;
    requested += iov[count].iov_len;
    ++count;
  }
  return count;
}

void WriteQueue::consume(size_t count) {
  while (count > 0) {
    size_t left = chunks[head].size() - offset;
    if (count < left) {
      offset += count;
      return;
    }
    count -= left;
    chunks[head] = std::string();  // Sent: free its memory now.
    ++head;
    offset = 0;
  }
  if (head == chunks.size()) drop_unsent();  // All sent: start afresh.
}

void WriteQueue::drop_unsent() {
  chunks.clear();
  head = 0;
  offset = 0;
}

WriteQueue::WriteCallback WriteQueue::take_callback() {
  WriteCallback callback = std::move(callbacks[callbacks_head].second);
  ++callbacks_head;
  if (callbacks_head == callbacks.size()) {
    callbacks.clear();
    callbacks_head = 0;
  }
  return callback;
}

}  // namespace eddy
