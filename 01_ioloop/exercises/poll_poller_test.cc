// Grading tests of exercise 01.3 (poll_poller.h): the IOLoop handler tests,
// asked of the poller directly, plus a small reactor driven by it. Every wait
// is bounded.
#include "01_ioloop/exercises/poll_poller.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

constexpr uint32_t READ = PollPoller::READ;
constexpr uint32_t WRITE = PollPoller::WRITE;
constexpr uint32_t ERROR = PollPoller::ERROR;

struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
};

struct Pipe {
  Fd r, w;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) std::abort();
    r.fd = fds[0];
    w.fd = fds[1];
  }
  void signal() const { [[maybe_unused]] ssize_t n = ::write(w.fd, "x", 1); }
};

struct SocketPair {
  Fd a, b;
  SocketPair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                     fds) != 0)
      std::abort();
    a.fd = fds[0];
    b.fd = fds[1];
  }
};

// The events wait() reported for `fd` (0 when not reported); fails the test
// if fd was reported twice.
uint32_t events_for(const std::vector<PollEvent>& events, int fd) {
  uint32_t seen = 0;
  int count = 0;
  for (const PollEvent& e : events)
    if (e.fd == fd) {
      seen = e.events;
      ++count;
    }
  EXPECT_LE(count, 1) << "fd " << fd << " reported more than once";
  return seen;
}

int error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::system_error& e) {
    return e.code().value();
  }
  return 0;
}

TEST(PollPollerTest, ReadableFdReportsRead) {
  PollPoller poller;
  Pipe pipe;
  poller.add(pipe.r.fd, READ);
  EXPECT_TRUE(poller.contains(pipe.r.fd));
  EXPECT_EQ(poller.size(), 1u);
  EXPECT_TRUE(poller.wait(0).empty());
  pipe.signal();
  EXPECT_EQ(events_for(poller.wait(1000), pipe.r.fd), READ);
}

TEST(PollPollerTest, WritableFdReportsWriteOnlyWhenAskedFor) {
  PollPoller poller;
  SocketPair pair;
  poller.add(pair.a.fd, READ);
  EXPECT_EQ(events_for(poller.wait(0), pair.a.fd), 0u);
  poller.modify(pair.a.fd, READ | WRITE);
  EXPECT_EQ(events_for(poller.wait(1000), pair.a.fd), WRITE);
  poller.modify(pair.a.fd, WRITE);
  [[maybe_unused]] ssize_t n = ::write(pair.b.fd, "x", 1);
  EXPECT_EQ(events_for(poller.wait(1000), pair.a.fd), WRITE);
  poller.modify(pair.a.fd, READ | WRITE);
  EXPECT_EQ(events_for(poller.wait(1000), pair.a.fd), READ | WRITE);
}

TEST(PollPollerTest, ClosedPeerReportsReadOrError) {
  PollPoller poller;
  SocketPair pair;
  poller.add(pair.a.fd, READ);
  ::close(pair.b.fd);
  pair.b.fd = -1;
  uint32_t ev = events_for(poller.wait(1000), pair.a.fd);
  EXPECT_NE(ev & (READ | ERROR), 0u);
  EXPECT_EQ(ev & WRITE, 0u);
}

TEST(PollPollerTest, ClosedPipeWriterReportsErrorEvenWithNoEvents) {
  PollPoller poller;
  Pipe pipe;
  poller.add(pipe.r.fd, 0);
  ::close(pipe.w.fd);
  pipe.w.fd = -1;
  uint32_t ev = events_for(poller.wait(1000), pipe.r.fd);
  EXPECT_NE(ev & ERROR, 0u);
  EXPECT_EQ(ev & READ, 0u) << "READ reported without being registered";
}

TEST(PollPollerTest, AddTwiceThrowsEexist) {
  PollPoller poller;
  Pipe pipe;
  poller.add(pipe.r.fd, READ);
  EXPECT_EQ(error_of([&] { poller.add(pipe.r.fd, READ); }), EEXIST);
  EXPECT_EQ(poller.size(), 1u);
}

TEST(PollPollerTest, AddClosedFdThrowsEbadf) {
  PollPoller poller;
  int fd;
  {
    Pipe pipe;
    fd = pipe.r.fd;
  }
  EXPECT_EQ(error_of([&] { poller.add(fd, READ); }), EBADF);
  EXPECT_FALSE(poller.contains(fd));
}

TEST(PollPollerTest, AddRegularFileThrowsEpermAsEpollDoes) {
  PollPoller poller;
  std::string path =
      std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR")
                                             : "/tmp") +
      "/poll_poller_regular_file";
  Fd file(::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600));
  ASSERT_GE(file.fd, 0);
  EXPECT_EQ(error_of([&] { poller.add(file.fd, READ); }), EPERM);
  EXPECT_EQ(poller.size(), 0u);
  ::unlink(path.c_str());
}

TEST(PollPollerTest, ModifyUnknownFdThrowsEnoent) {
  PollPoller poller;
  Pipe pipe;
  EXPECT_EQ(error_of([&] { poller.modify(pipe.r.fd, READ); }), ENOENT);
}

TEST(PollPollerTest, RemoveStopsReportsAndUnknownFdIsIgnored) {
  PollPoller poller;
  Pipe pipe;
  poller.add(pipe.r.fd, READ);
  pipe.signal();
  poller.remove(pipe.r.fd);
  EXPECT_FALSE(poller.contains(pipe.r.fd));
  EXPECT_EQ(poller.size(), 0u);
  EXPECT_TRUE(poller.wait(0).empty());
  EXPECT_NO_THROW(poller.remove(pipe.r.fd));
  EXPECT_NO_THROW(poller.remove(12345));
  // Re-adding after removal works.
  poller.add(pipe.r.fd, READ);
  EXPECT_EQ(events_for(poller.wait(1000), pipe.r.fd), READ);
}

TEST(PollPollerTest, WaitHonoursItsTimeout) {
  PollPoller poller;
  Pipe pipe;
  poller.add(pipe.r.fd, READ);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(poller.wait(60).empty());
  double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_GE(waited, 0.055);
  EXPECT_LT(waited, 2.0);
}

TEST(PollPollerTest, EmptyPollerWaitsForItsTimeout) {
  PollPoller poller;
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(poller.wait(30).empty());
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(25));
}

TEST(PollPollerTest, FdClosedWhileRegisteredReportsError) {
  PollPoller poller;
  Pipe pipe;
  int fd = pipe.r.fd;
  poller.add(fd, READ);
  ::close(fd);
  pipe.r.fd = -1;
  std::vector<PollEvent> events;
  ASSERT_NO_THROW(events = poller.wait(0));
  EXPECT_NE(events_for(events, fd) & ERROR, 0u);
  poller.remove(fd);
}

TEST(PollPollerTest, ManyFdsOnlyReadyOnesAreReported) {
  PollPoller poller;
  std::vector<Pipe> pipes(200);
  for (Pipe& p : pipes) poller.add(p.r.fd, READ);
  for (size_t i = 0; i < pipes.size(); i += 7) pipes[i].signal();
  // The set changes between waits: remove a few, ready or not.
  poller.remove(pipes[7].r.fd);
  poller.remove(pipes[8].r.fd);
  std::vector<PollEvent> events = poller.wait(1000);
  std::map<int, uint32_t> got;
  for (const PollEvent& e : events) got[e.fd] |= e.events;
  std::map<int, uint32_t> want;
  for (size_t i = 0; i < pipes.size(); i += 7)
    if (i != 7) want[pipes[i].r.fd] = READ;
  EXPECT_EQ(got, want);
  EXPECT_EQ(events.size(), want.size());
}

// A reactor in miniature on top of the poller: what IOLoop::start would be
// with this backend. Handlers may remove themselves or other fds.
TEST(PollPollerTest, DrivesAMiniReactorWithHandlersThatRemoveFds) {
  PollPoller poller;
  std::map<int, std::function<void(uint32_t)>> handlers;
  Pipe a, b;
  std::vector<std::string> log;
  handlers[a.r.fd] = [&](uint32_t) {
    log.push_back("a");
    poller.remove(a.r.fd);
    poller.remove(b.r.fd);  // b is ready too, but must not run after this.
    handlers.erase(b.r.fd);
  };
  handlers[b.r.fd] = [&](uint32_t) {
    log.push_back("b");
    poller.remove(b.r.fd);
    poller.remove(a.r.fd);
    handlers.erase(a.r.fd);
  };
  poller.add(a.r.fd, READ);
  poller.add(b.r.fd, READ);
  a.signal();
  b.signal();
  for (int round = 0; round < 3; ++round) {
    for (const PollEvent& e : poller.wait(100)) {
      if (!poller.contains(e.fd)) continue;  // Removed earlier this round.
      auto it = handlers.find(e.fd);
      if (it != handlers.end()) {
        auto handler = it->second;
        handler(e.events);
      }
    }
  }
  ASSERT_EQ(log.size(), 1u) << "exactly one of the two handlers runs";
  EXPECT_EQ(poller.size(), 0u);
}

}  // namespace
}  // namespace eddy::exercises
