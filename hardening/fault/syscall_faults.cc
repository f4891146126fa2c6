// The __wrap_* side of syscall_faults.h. The linker sends every reference to
// read, sendmsg, ... in the test binary here (-Wl,--wrap=read gives
// __wrap_read for read and __real_read for the original).
#include "hardening/fault/syscall_faults.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <unordered_map>
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
int __real_epoll_ctl(int epfd, int op, int fd, epoll_event* event);
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

// ---- Edges owed to edge-triggered fds
//
// A faked EAGAIN or short count on an fd registered with EPOLLET looks to
// the stream like "drained": it waits for the next edge. The kernel never
// lies like that — had the socket come up short, the data arriving after
// the call would have raised that edge — so the harness raises it: the next
// epoll_wait reports the fd (if it is still ready for that direction and
// registered for it). The stream then sees what a real short read followed
// by more data gives it: "reading stopped, then a new event".
struct Registration {
  int epoll_fd = -1;
  epoll_event event{};
  uint32_t owed = 0;  // EPOLLIN/EPOLLOUT edges to report.
};

// Server connections' epoll registrations, by fd.
std::unordered_map<int, Registration>& registrations() {
  static std::unordered_map<int, Registration> table;
  return table;
}

std::vector<int>& owing_fds() {
  static std::vector<int> fds;
  return fds;
}

Registration* registration(int fd) {
  auto found = registrations().find(fd);
  return found == registrations().end() ? nullptr : &found->second;
}

void owe_edge(int fd, uint32_t direction) {
  Registration* entry = registration(fd);
  if (entry == nullptr) return;
  if ((entry->event.events & EPOLLET) == 0) return;  // Level: reported anyway.
  if (entry->owed == 0) owing_fds().push_back(fd);
  entry->owed |= direction;
}

// Adds the owed edges of `epoll_fd`'s fds to `events` (count used of
// `capacity`); returns the new count. An edge that does not fit stays owed.
int report_owed_edges(int epoll_fd, epoll_event* events, int count,
                      int capacity) {
  std::vector<int> still_owing;
  for (int fd : owing_fds()) {
    Registration* found = registration(fd);
    if (found == nullptr || found->owed == 0) continue;  // Closed since.
    Registration& entry = *found;
    if (entry.epoll_fd != epoll_fd) {
      still_owing.push_back(fd);
      continue;
    }
    pollfd probe{fd, static_cast<short>(entry.owed), 0};
    uint32_t ready = 0;
    if (::poll(&probe, 1, 0) == 1)
      ready = static_cast<uint32_t>(probe.revents) & entry.event.events;
    ready &= EPOLLIN | EPOLLOUT;
    if (ready == 0) {  // Not ready, or no longer watched: nothing owed.
      entry.owed = 0;
      continue;
    }
    epoll_event* slot = nullptr;
    for (int i = 0; i < count; ++i) {
      if (events[i].data.u64 == entry.event.data.u64) slot = &events[i];
    }
    if (slot == nullptr && count < capacity) {
      slot = &events[count++];
      *slot = epoll_event{0, entry.event.data};
    }
    if (slot == nullptr) {
      still_owing.push_back(fd);
      continue;
    }
    slot->events |= ready;
    entry.owed = 0;
  }
  owing_fds().swap(still_owing);
  return count;
}

bool owes_edges(int epoll_fd) {
  for (int fd : owing_fds()) {
    Registration* entry = registration(fd);
    if (entry != nullptr && entry->epoll_fd == epoll_fd) return true;
  }
  return false;
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
using eddy::fault::owe_edge;
using eddy::fault::owes_edges;
using eddy::fault::Registration;
using eddy::fault::registrations;
using eddy::fault::report_owed_edges;
using eddy::fault::server_fds;
using eddy::fault::short_size;
using eddy::fault::Syscall;
using eddy::fault::truncate_iov;

extern "C" {

ssize_t __wrap_read(int fd, void* buffer, size_t size) {
  if (is_server_fd(fd)) {
    Fault fault = next_fault(Syscall::kRead);
    if (fault == Fault::kEagain || fault == Fault::kShort)
      owe_edge(fd, EPOLLIN);
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
    if (fault == Fault::kEagain || fault == Fault::kShort)
      owe_edge(fd, EPOLLOUT);
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
    if (fault == Fault::kEagain || fault == Fault::kShort)
      owe_edge(fd, EPOLLOUT);
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
  bool owing = owes_edges(epfd);
  int count = __real_epoll_wait(epfd, events, maxevents, owing ? 0 : timeout);
  if (!owing || count < 0) return count;
  return report_owed_edges(epfd, events, count, maxevents);
}

int __wrap_epoll_ctl(int epfd, int op, int fd, epoll_event* event) {
  int result = __real_epoll_ctl(epfd, op, fd, event);
  if (result == 0 && is_server_fd(fd)) {
    if (op == EPOLL_CTL_DEL) {
      registrations().erase(fd);
    } else {
      Registration& entry = registrations()[fd];  // Keeps what is owed.
      entry.epoll_fd = epfd;
      entry.event = *event;
    }
  }
  return result;
}

int __wrap_close(int fd) {
  if (fd >= 0 && static_cast<size_t>(fd) < server_fds().size())
    server_fds()[static_cast<size_t>(fd)] = false;
  registrations().erase(fd);  // The kernel forgets the registration too.
  return __real_close(fd);
}

}  // extern "C"
