// ReadBuffer: IOStream's read buffer. Internal to 03_iostream (it is a
// member of IOStream, so iostream.h includes it; nothing else should).
//
// One contiguous heap block with two offsets. recv() appends at write_pos,
// reads consume from read_pos; nothing is shifted per read:
//
//   0            read_pos         write_pos                capacity
//   | consumed   | unread bytes    | free space for recv()  |
//
// prepare(n) makes room for n more bytes: when the free tail is too small it
// either compacts (moves the unread bytes to 0) or grows (a new block twice
// as large). It compacts only when the consumed prefix is at least as long
// as the unread part, so every byte is moved at most once per time it is
// consumed: amortised O(1) per byte, never quadratic.
//
// The block is allocated lazily by prepare() and given back by release();
// IOStream releases it whenever it drains empty, so idle streams hold none.
// The offsets live in a small header at the start of the block, so an idle
// buffer is one null pointer (8 bytes in every stream).
// Blocks of the common sizes go to a small per-thread free list instead of
// free(): a busy keep-alive connection reuses them without malloc/free
// churn (and without glibc trimming the heap on every request).
//
// Threads: one loop thread, like the stream that owns it.
#ifndef EDDY_03_IOSTREAM_READ_BUFFER_H_
#define EDDY_03_IOSTREAM_READ_BUFFER_H_

#include <cstddef>
#include <string_view>

namespace eddy {

class ReadBuffer {
 public:
  ReadBuffer() = default;
  ~ReadBuffer() { release(); }
  ReadBuffer(const ReadBuffer&) = delete;
  ReadBuffer& operator=(const ReadBuffer&) = delete;

  // Unread bytes.
  size_t size() const {
    return block_ != nullptr ? block_->write_pos - block_->read_pos : 0;
  }
  bool empty() const { return size() == 0; }
  size_t capacity() const { return block_ != nullptr ? block_->capacity : 0; }
  std::string_view unread() const {
    if (block_ == nullptr) return {};
    return {block_->bytes() + block_->read_pos, size()};
  }

  // Returns where at least `min_free` bytes may be written (the whole free
  // tail is usable: see free_tail()).
  char* prepare(size_t min_free);
  size_t free_tail() const {
    return block_ != nullptr ? block_->capacity - block_->write_pos : 0;
  }
  // Marks `count` bytes written at prepare()'s pointer as unread.
  void commit(size_t count) { block_->write_pos += count; }
  // Consumes `count` unread bytes and returns them. The view stays valid
  // until the next prepare() or release() (offsets reset to 0 when the
  // buffer empties, but the bytes are not touched).
  std::string_view consume(size_t count) {
    if (count == 0) return {};
    Block& block = *block_;
    std::string_view bytes(block.bytes() + block.read_pos, count);
    block.read_pos += count;
    if (block.read_pos == block.write_pos) block.read_pos = block.write_pos = 0;
    return bytes;
  }
  // Gives the block back (unread bytes are dropped).
  void release();

 private:
  // The header of a heap block; `capacity` bytes of data follow it.
  struct Block {
    size_t capacity;
    size_t read_pos;
    size_t write_pos;
    char* bytes() { return reinterpret_cast<char*>(this + 1); }
  };
  void reallocate(size_t new_capacity);

  Block* block_ = nullptr;
};

}  // namespace eddy

#endif  // EDDY_03_IOSTREAM_READ_BUFFER_H_
