// Exercise 01.3 (hard): a poll(2) backend.
//
// IOLoop talks to epoll directly. Tornado hides the kernel interface behind
// a small object with register/modify/unregister/poll (its _EPoll, _KQueue
// and _Select classes), so the same loop runs on epoll, kqueue or select.
// PollPoller is that object for poll(2): the portable, O(n)-per-wait backend.
// Its behaviour must match what IOLoop gets from epoll, so the loop above it
// could not tell the difference.
//
// Contract
// - Event bits are IOLoop's: READ, WRITE, ERROR. wait() reports READ/WRITE
//   only when registered for them; ERROR (error or hang-up) is always
//   reported, even for an fd registered with no events, as epoll does.
// - add() throws std::system_error with EEXIST if `fd` is already registered,
//   EBADF if it is not an open descriptor, and EPERM if it is a regular file
//   or directory (epoll refuses those; poll would call them always ready).
//   modify() throws ENOENT for an unregistered fd. remove() of an
//   unregistered fd does nothing.
// - wait(timeout_ms) waits at most timeout_ms (-1: no limit, 0: do not
//   block) and returns each ready fd once, in any order. An fd that was
//   closed while registered is reported with ERROR (it is not an exception).
//   Interrupted by a signal (EINTR), it returns an empty vector; other
//   failures throw std::system_error.
// - The set may change between waits; the cost of a wait is O(registered).
//
// Threads: one thread. Ownership: the poller never closes the fds.
#ifndef EDDY_01_IOLOOP_EXERCISES_POLL_POLLER_H_
#define EDDY_01_IOLOOP_EXERCISES_POLL_POLLER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "01_ioloop/ioloop.h"

namespace eddy::exercises {

struct PollEvent {
  int fd;
  uint32_t events;  // IOLoop::READ | IOLoop::WRITE | IOLoop::ERROR bits.
};

class PollPoller {
 public:
  static constexpr uint32_t READ = IOLoop::READ;
  static constexpr uint32_t WRITE = IOLoop::WRITE;
  static constexpr uint32_t ERROR = IOLoop::ERROR;

  PollPoller();
  ~PollPoller();
  PollPoller(const PollPoller&) = delete;
  PollPoller& operator=(const PollPoller&) = delete;

  void add(int fd, uint32_t events);
  void modify(int fd, uint32_t events);
  void remove(int fd);
  bool contains(int fd) const;
  size_t size() const;
  std::vector<PollEvent> wait(int timeout_ms);

 private:
  struct State;  // Yours: define it in poll_poller.cc.
  std::unique_ptr<State> state_;
};

}  // namespace eddy::exercises

#endif  // EDDY_01_IOLOOP_EXERCISES_POLL_POLLER_H_
