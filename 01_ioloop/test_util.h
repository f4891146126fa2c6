// Test helpers for chapter 01 (internal; tests only): RAII pipes and socket
// pairs, an open-fd counter, a stderr capture, and IOLoopTestPeer, which reads
// the loop's timer heap so a test can check lazy cancellation without a public
// accessor.
#ifndef EDDY_01_IOLOOP_TEST_UTIL_H_
#define EDDY_01_IOLOOP_TEST_UTIL_H_

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <string>
#include <system_error>

#include "01_ioloop/ioloop.h"
#include "gtest/gtest.h"

namespace eddy {

// Reads IOLoop's private timer state (declared a friend in ioloop.h).
class IOLoopTestPeer {
 public:
  // Entries in the timer heap, live and cancelled.
  static size_t heap_size(const IOLoop& loop) { return loop.timeouts_.size(); }
  // Timeouts that can still run.
  static size_t live_timeouts(const IOLoop& loop) {
    return loop.timeout_callbacks_.size();
  }
  // The loop's count of cancelled heap entries.
  static size_t cancelled_count(const IOLoop& loop) {
    return loop.cancelled_timeouts_;
  }
};

namespace testing_util {

// A non-blocking pipe closed on destruction; set an end to -1 to keep it.
struct Pipe {
  int read_fd = -1;
  int write_fd = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe2");
    read_fd = fds[0];
    write_fd = fds[1];
  }
  ~Pipe() {
    if (read_fd >= 0) ::close(read_fd);
    if (write_fd >= 0) ::close(write_fd);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  // Makes the read end readable.
  void signal() const {
    char byte = 'x';
    [[maybe_unused]] ssize_t n = ::write(write_fd, &byte, 1);
  }
};

// A non-blocking AF_UNIX stream socket pair closed on destruction.
struct SocketPair {
  int fds[2] = {-1, -1};
  SocketPair() {
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                     fds) != 0)
      throw std::system_error(errno, std::generic_category(), "socketpair");
  }
  ~SocketPair() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;
};

// How many file descriptors this process has open.
inline int open_fd_count() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // The directory stream's own fd.
}

inline bool fd_is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

// Captures this process's stderr (GoogleTest's CaptureStderr) until
// release(), which returns what was written. A test that throws or fails an
// ASSERT before release() still ends the capture, so later tests can capture
// again instead of aborting the whole binary.
class CapturedStderr {
 public:
  CapturedStderr() { ::testing::internal::CaptureStderr(); }
  ~CapturedStderr() {
    if (!released_) ::testing::internal::GetCapturedStderr();
  }
  CapturedStderr(const CapturedStderr&) = delete;
  CapturedStderr& operator=(const CapturedStderr&) = delete;
  std::string release() {
    released_ = true;
    return ::testing::internal::GetCapturedStderr();
  }

 private:
  bool released_ = false;
};

}  // namespace testing_util
}  // namespace eddy

#endif  // EDDY_01_IOLOOP_TEST_UTIL_H_
