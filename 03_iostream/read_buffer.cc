// ReadBuffer: see read_buffer.h for the layout and the compaction rule.
#include "03_iostream/read_buffer.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

namespace eddy {
namespace {

// Blocks up to kMaxPooledCapacity are recycled through the per-thread free
// list, which holds at most kMaxPooledBytes: a stream reading 1 MiB
// messages reuses its (already faulted-in) block instead of mmap/munmap and
// 256 page faults per message.
constexpr size_t kMaxPooledCapacity = 4 * 1024 * 1024;
constexpr size_t kMaxPooledBytes = 8 * 1024 * 1024;
constexpr size_t kMaxPooledBlocks = 32;

// A few free blocks per thread, reused before calling malloc. Freed at
// thread exit.
class BlockPool {
 public:
  ~BlockPool() {
    for (auto& [block, size] : blocks_) std::free(block);
  }
  char* take(size_t capacity) {
    for (size_t i = blocks_.size(); i-- > 0;) {
      if (blocks_[i].second == capacity) {
        char* block = blocks_[i].first;
        bytes_ -= capacity;
        blocks_[i] = blocks_.back();
        blocks_.pop_back();
        return block;
      }
    }
    char* block = static_cast<char*>(std::malloc(capacity));
    if (block == nullptr) throw std::bad_alloc();
    return block;
  }
  void give(char* block, size_t capacity) {
    if (capacity <= kMaxPooledCapacity && blocks_.size() < kMaxPooledBlocks &&
        bytes_ + capacity <= kMaxPooledBytes) {
      blocks_.emplace_back(block, capacity);
      bytes_ += capacity;
    } else {
      std::free(block);
    }
  }

 private:
  std::vector<std::pair<char*, size_t>> blocks_;
  size_t bytes_ = 0;  // Sum of the pooled capacities.
};

BlockPool& pool() {
  thread_local BlockPool blocks;
  return blocks;
}

}  // namespace

char* ReadBuffer::prepare(size_t min_free) {
  if (free_tail() >= min_free && data_ != nullptr) return data_ + write_pos_;
  size_t unread = size();
  if (data_ != nullptr && read_pos_ >= unread &&
      capacity_ - unread >= min_free) {
    // Compact: the consumed prefix pays for moving the unread bytes.
    std::memmove(data_, data_ + read_pos_, unread);
    read_pos_ = 0;
    write_pos_ = unread;
  } else {
    reallocate(std::max(capacity_ * 2, unread + min_free));
  }
  return data_ + write_pos_;
}

void ReadBuffer::reallocate(size_t new_capacity) {
  char* block = pool().take(new_capacity);
  size_t unread = size();
  if (unread > 0) std::memcpy(block, data_ + read_pos_, unread);
  if (data_ != nullptr) pool().give(data_, capacity_);
  data_ = block;
  capacity_ = new_capacity;
  read_pos_ = 0;
  write_pos_ = unread;
}

void ReadBuffer::release() {
  if (data_ != nullptr) pool().give(data_, capacity_);
  data_ = nullptr;
  capacity_ = read_pos_ = write_pos_ = 0;
}

}  // namespace eddy
