// FileDescriptor and Socket: move-only owners of a file descriptor that close
// it exactly once (in the destructor, in reset(), or never after release()).
//
// Threads: like an int, an object may be used by one thread at a time.
// Errors: close(2) errors are ignored (the descriptor is gone either way).
#ifndef EDDY_02_NETUTIL_FILE_DESCRIPTOR_H_
#define EDDY_02_NETUTIL_FILE_DESCRIPTOR_H_

namespace eddy {

class FileDescriptor {
 public:
  FileDescriptor() = default;
  // Takes ownership of `fd` (-1 means none).
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  // Gives up ownership without closing; returns the descriptor.
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes the owned descriptor (if any) and takes ownership of `fd`.
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// A socket is a file descriptor; the alias keeps signatures readable.
using Socket = FileDescriptor;

}  // namespace eddy

#endif  // EDDY_02_NETUTIL_FILE_DESCRIPTOR_H_
