// Exercise 01.3: a poll(2) backend. Replace every TODO; the statement is in
// README.md, the contract in poll_poller.h, the grading tests in
// poll_poller_test.cc:
//   tools/bazel test //01_ioloop/exercises:poll_poller_test
#include "01_ioloop/exercises/poll_poller.h"

#include <poll.h>

#include <stdexcept>

namespace eddy::exercises {

// TODO: your data. Hint: keep the registrations (fd -> events) in a map and
// rebuild a std::vector<pollfd> only when the set changed since the last
// wait. Translate the bits explicitly (POLLIN <-> READ, ...): do not rely on
// epoll and poll sharing values.
struct PollPoller::State {};

PollPoller::PollPoller() : state_(std::make_unique<State>()) {}
PollPoller::~PollPoller() = default;

void PollPoller::add(int fd, uint32_t events) {
  // TODO: the three errors of the contract (fstat tells a regular file).
  (void)fd;
  (void)events;
  throw std::logic_error("TODO: PollPoller::add");
}

void PollPoller::modify(int fd, uint32_t events) {
  // TODO
  (void)fd;
  (void)events;
  throw std::logic_error("TODO: PollPoller::modify");
}

void PollPoller::remove(int fd) {
  // TODO
  (void)fd;
  throw std::logic_error("TODO: PollPoller::remove");
}

bool PollPoller::contains(int fd) const {
  // TODO
  (void)fd;
  return false;
}

size_t PollPoller::size() const {
  // TODO
  return 0;
}

std::vector<PollEvent> PollPoller::wait(int timeout_ms) {
  // TODO: poll(2), then translate revents (POLLNVAL too) to IOLoop bits.
  (void)timeout_ms;
  throw std::logic_error("TODO: PollPoller::wait");
}

}  // namespace eddy::exercises
