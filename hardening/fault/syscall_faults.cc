// The __wrap_* side of syscall_faults.h. The linker sends every reference to
// read, sendmsg, ... in the test binary here (-Wl,--wrap=read gives
// __wrap_read for read and __real_read for the original).
#include "hardening/fault/syscall_faults.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <vector>

extern "C" {
ssize_t __real_read(int fd, void* buffer, size_t size);
ssize_t __real_sendmsg(int fd, const msghdr* message, int flags);
ssize_t __real_writev(int fd, const iovec* iov, int iovcnt);
ssize_t __real_recv(int fd, void* buffer, size_t size, int flags);
ssize_t __real_send(int fd, const void* buffer, size_t size, int flags);
int __real_accept4(int fd, sockaddr* address, socklen_t* length, int flags);
int __real_epoll_wait(int epfd, epoll_event* events, int maxevents,
                      int timeout);
int __real_close(int fd);
}

namespace eddy::fault {
namespace {

struct State {
  bool active = false;
  Rule rule;
  uint64_t calls = 0;
  uint64_t injected = 0;
};

std::array<State, kSyscallCount>& states() {
  static std::array<State, kSyscallCount> instance;
  return instance;
}

// Descriptors returned by accept4 and not closed since.
std::vector<bool>& server_fds() {
  static std::vector<bool> fds(1 << 20, false);
  return fds;
}

bool is_server_fd(int fd) {
  return fd >= 0 && static_cast<size_t>(fd) < server_fds().size() &&
         server_fds()[static_cast<size_t>(fd)];
}

// The fault to inject into this call (kNone for most calls).
Fault next_fault(Syscall syscall) {
  State& state = states()[static_cast<int>(syscall)];
  if (!state.active) return Fault::kNone;
  uint64_t n = ++state.calls;
  if (n <= state.rule.skip) return Fault::kNone;
  if ((n - state.rule.skip) % state.rule.every != 0) return Fault::kNone;
  ++state.injected;
  return state.rule.fault;
}

size_t short_size(Syscall syscall, size_t size) {
  uint64_t n = states()[static_cast<int>(syscall)].calls;
  return std::min<size_t>(size, 1 + n % 7);
}

// Fails the call with the fault's errno; false for kShort/kNone.
bool fail_with(Fault fault) {
  switch (fault) {
    case Fault::kEintr:
      errno = EINTR;
      return true;
    case Fault::kEagain:
      errno = EAGAIN;
      return true;
    case Fault::kEconnreset:
      errno = ECONNRESET;
      return true;
    case Fault::kEmfile:
      errno = EMFILE;
      return true;
    case Fault::kShort:
    case Fault::kNone:
      return false;
  }
  return false;
}

// Copies `iov` cut to `limit` bytes into `out`; returns the new count.
int truncate_iov(const iovec* iov, int iovcnt, size_t limit,
                 std::vector<iovec>& out) {
  out.clear();
  for (int i = 0; i < iovcnt && limit > 0; ++i) {
    iovec piece = iov[i];
    piece.iov_len = std::min(piece.iov_len, limit);
    limit -= piece.iov_len;
    out.push_back(piece);
  }
  return static_cast<int>(out.size());
}

}  // namespace

void set_rule(const Rule& rule) {
  State& state = states()[static_cast<int>(rule.syscall)];
  state = State{};
  state.active = rule.fault != Fault::kNone && rule.every > 0;
  state.rule = rule;
}

void clear_rules() {
  for (State& state : states()) state = State{};
}

uint64_t calls(Syscall syscall) {
  return states()[static_cast<int>(syscall)].calls;
}

uint64_t injected(Syscall syscall) {
  return states()[static_cast<int>(syscall)].injected;
}

std::string to_string(Syscall syscall) {
  switch (syscall) {
    case Syscall::kRead:
      return "read";
    case Syscall::kWrite:
      return "sendmsg/writev";
    case Syscall::kTlsRecv:
      return "recv";
    case Syscall::kTlsSend:
      return "send";
    case Syscall::kAccept:
      return "accept4";
    case Syscall::kEpollWait:
      return "epoll_wait";
  }
  return "?";
}

std::string to_string(Fault fault) {
  switch (fault) {
    case Fault::kNone:
      return "none";
    case Fault::kEintr:
      return "EINTR";
    case Fault::kEagain:
      return "EAGAIN";
    case Fault::kShort:
      return "short";
    case Fault::kEconnreset:
      return "ECONNRESET";
    case Fault::kEmfile:
      return "EMFILE";
  }
  return "?";
}

}  // namespace eddy::fault

using eddy::fault::fail_with;
using eddy::fault::Fault;
using eddy::fault::is_server_fd;
using eddy::fault::next_fault;
using eddy::fault::server_fds;
using eddy::fault::short_size;
using eddy::fault::Syscall;
using eddy::fault::truncate_iov;

extern "C" {

ssize_t __wrap_read(int fd, void* buffer, size_t size) {
  if (is_server_fd(fd)) {
    Fault fault = next_fault(Syscall::kRead);
    if (fail_with(fault)) return -1;
    if (fault == Fault::kShort) size = short_size(Syscall::kRead, size);
  }
  return __real_read(fd, buffer, size);
}

ssize_t __wrap_recv(int fd, void* buffer, size_t size, int flags) {
  if (is_server_fd(fd)) {
    Fault fault = next_fault(Syscall::kTlsRecv);
    if (fail_with(fault)) return -1;
    if (fault == Fault::kShort) size = short_size(Syscall::kTlsRecv, size);
  }
  return __real_recv(fd, buffer, size, flags);
}

ssize_t __wrap_send(int fd, const void* buffer, size_t size, int flags) {
  if (is_server_fd(fd)) {
    Fault fault = next_fault(Syscall::kTlsSend);
    if (fail_with(fault)) return -1;
    if (fault == Fault::kShort) size = short_size(Syscall::kTlsSend, size);
  }
  return __real_send(fd, buffer, size, flags);
}

ssize_t __wrap_sendmsg(int fd, const msghdr* message, int flags) {
  if (is_server_fd(fd)) {
    Fault fault = next_fault(Syscall::kWrite);
    if (fail_with(fault)) return -1;
    if (fault == Fault::kShort) {
      std::vector<iovec> cut;
      msghdr copy = *message;
      size_t total = 0;
      for (size_t i = 0; i < message->msg_iovlen; ++i)
        total += message->msg_iov[i].iov_len;
      copy.msg_iovlen = static_cast<size_t>(
          truncate_iov(message->msg_iov, static_cast<int>(message->msg_iovlen),
                       short_size(Syscall::kWrite, total), cut));
      copy.msg_iov = cut.data();
      return __real_sendmsg(fd, &copy, flags);
    }
  }
  return __real_sendmsg(fd, message, flags);
}

ssize_t __wrap_writev(int fd, const iovec* iov, int iovcnt) {
  if (is_server_fd(fd)) {
    Fault fault = next_fault(Syscall::kWrite);
    if (fail_with(fault)) return -1;
    if (fault == Fault::kShort) {
      std::vector<iovec> cut;
      size_t total = 0;
      for (int i = 0; i < iovcnt; ++i) total += iov[i].iov_len;
      int count =
          truncate_iov(iov, iovcnt, short_size(Syscall::kWrite, total), cut);
      return __real_writev(fd, cut.data(), count);
    }
  }
  return __real_writev(fd, iov, iovcnt);
}

int __wrap_accept4(int fd, sockaddr* address, socklen_t* length, int flags) {
  if (fail_with(next_fault(Syscall::kAccept))) return -1;
  int accepted = __real_accept4(fd, address, length, flags);
  if (accepted >= 0 && static_cast<size_t>(accepted) < server_fds().size())
    server_fds()[static_cast<size_t>(accepted)] = true;
  return accepted;
}

int __wrap_epoll_wait(int epfd, epoll_event* events, int maxevents,
                      int timeout) {
  Fault fault = next_fault(Syscall::kEpollWait);
  if (fail_with(fault)) return -1;
  if (fault == Fault::kShort) maxevents = 1;
  return __real_epoll_wait(epfd, events, maxevents, timeout);
}

int __wrap_close(int fd) {
  if (fd >= 0 && static_cast<size_t>(fd) < server_fds().size())
    server_fds()[static_cast<size_t>(fd)] = false;
  return __real_close(fd);
}

}  // extern "C"
