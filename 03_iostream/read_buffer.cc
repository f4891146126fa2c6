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
  if (block_ != nullptr && free_tail() >= min_free) {
    return block_->bytes() + block_->write_pos;
  }
  size_t unread = size();
  if (block_ != nullptr && block_->read_pos >= unread &&
      block_->capacity - unread >= min_free) {
    // Compact: the consumed prefix pays for moving the unread bytes.
    std::memmove(block_->bytes(), block_->bytes() + block_->read_pos, unread);
    block_->read_pos = 0;
    block_->write_pos = unread;
  } else {
    reallocate(std::max(capacity() * 2, unread + min_free));
  }
  return block_->bytes() + block_->write_pos;
}

// Pool sizes count the header too, so a 64 KiB chunk stays one size class.
void ReadBuffer::reallocate(size_t new_capacity) {
  auto* block =
      reinterpret_cast<Block*>(pool().take(sizeof(Block) + new_capacity));
  size_t unread = size();
  if (unread > 0) {
    std::memcpy(block->bytes(), block_->bytes() + block_->read_pos, unread);
  }
  release();
  block->capacity = new_capacity;
  block->read_pos = 0;
  block->write_pos = unread;
  block_ = block;
}

void ReadBuffer::release() {
  if (block_ == nullptr) return;
  pool().give(reinterpret_cast<char*>(block_),
              sizeof(Block) + block_->capacity);
  block_ = nullptr;
}

}  // namespace eddy
