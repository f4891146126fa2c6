// Reference solution of exercise 01.3 (01_ioloop/exercises/poll_poller.h).
//
// Registrations live in a map (fd -> events); the pollfd array handed to
// poll(2) is rebuilt lazily, only when the set changed since the last wait.
#include "01_ioloop/exercises/poll_poller.h"

#include <poll.h>
#include <sys/stat.h>

#include <cerrno>
#include <map>
#include <system_error>

namespace eddy::exercises {

namespace {

[[noreturn]] void fail(int error, const char* what) {
  throw std::system_error(error, std::generic_category(), what);
}

short to_poll(uint32_t events) {
  short bits = 0;
  if (events & IOLoop::READ) bits |= POLLIN;
  if (events & IOLoop::WRITE) bits |= POLLOUT;
  return bits;  // POLLERR, POLLHUP and POLLNVAL are always reported.
}

uint32_t from_poll(short revents, uint32_t registered) {
  uint32_t events = 0;
  if (revents & POLLIN) events |= IOLoop::READ;
  if (revents & POLLOUT) events |= IOLoop::WRITE;
  events &= registered;
  if (revents & (POLLERR | POLLHUP | POLLNVAL)) events |= IOLoop::ERROR;
  return events;
}

}  // namespace

struct PollPoller::State {
  std::map<int, uint32_t> registered;
  std::vector<pollfd> fds;  // Rebuilt from `registered` when `dirty`.
  bool dirty = true;
};

PollPoller::PollPoller() : state_(std::make_unique<State>()) {}
PollPoller::~PollPoller() = default;

void PollPoller::add(int fd, uint32_t events) {
  struct stat st;
  if (::fstat(fd, &st) != 0) fail(errno, "PollPoller::add: fstat");
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
    fail(EPERM, "PollPoller::add: regular files are always ready");
  if (!state_->registered.emplace(fd, events).second)
    fail(EEXIST, "PollPoller::add");
  state_->dirty = true;
}

void PollPoller::modify(int fd, uint32_t events) {
  auto it = state_->registered.find(fd);
  if (it == state_->registered.end()) fail(ENOENT, "PollPoller::modify");
  it->second = events;
  state_->dirty = true;
}

void PollPoller::remove(int fd) {
  if (state_->registered.erase(fd) != 0) state_->dirty = true;
}

bool PollPoller::contains(int fd) const {
  return state_->registered.count(fd) != 0;
}

size_t PollPoller::size() const { return state_->registered.size(); }

std::vector<PollEvent> PollPoller::wait(int timeout_ms) {
  State& s = *state_;
  if (s.dirty) {
    s.fds.clear();
    for (const auto& [fd, events] : s.registered)
      s.fds.push_back(pollfd{fd, to_poll(events), 0});
    s.dirty = false;
  }
  int ready = ::poll(s.fds.data(), s.fds.size(), timeout_ms);
  if (ready < 0) {
    if (errno == EINTR) return {};
    fail(errno, "PollPoller::wait: poll");
  }
  std::vector<PollEvent> events;
  events.reserve(static_cast<size_t>(ready));
  for (const pollfd& p : s.fds) {
    if (p.revents == 0) continue;
    uint32_t bits = from_poll(p.revents, s.registered.at(p.fd));
    if (bits != 0) events.push_back(PollEvent{p.fd, bits});
  }
  return events;
}

}  // namespace eddy::exercises
