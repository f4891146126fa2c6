// Tests of IOLoop on one thread: handlers, callbacks, timeouts, start/stop,
// exceptions, close and the current()/instance() pair. Every wait is bounded:
// the loop is driven by run_until(condition, deadline) or by start() with a
// callback that calls stop(); nothing sleeps to synchronise.
#include "01_ioloop/ioloop.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "01_ioloop/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::CapturedStderr;
using testing_util::fd_is_open;
using testing_util::open_fd_count;
using testing_util::Pipe;
using testing_util::SocketPair;
using Clock = IOLoop::Clock;

constexpr double kDeadline = 5.0;  // Seconds any test may wait for an event.

// Runs `rounds` more loop iterations (each callback re-adds the next one, and
// callbacks added during a round run in the next round).
void run_rounds(IOLoop& io, int rounds) {
  int done = 0;
  std::function<void()> tick = [&] {
    if (++done < rounds) io.add_callback(tick);
  };
  io.add_callback(tick);
  ASSERT_TRUE(io.run_until([&] { return done >= rounds; }, kDeadline));
}

// ---- Handlers ---------------------------------------------------------------

TEST(IOLoopHandlerTest, ReadableFdDeliversRead) {
  IOLoop io;
  Pipe pipe;
  uint32_t seen = 0;
  int seen_fd = -1;
  io.add_handler(
      pipe.read_fd,
      [&](int fd, uint32_t events) {
        seen_fd = fd;
        seen = events;
        char buf[8];
        [[maybe_unused]] ssize_t n = ::read(fd, buf, sizeof buf);
      },
      IOLoop::READ);
  pipe.signal();
  ASSERT_TRUE(io.run_until([&] { return seen != 0; }, kDeadline));
  EXPECT_EQ(seen_fd, pipe.read_fd);
  EXPECT_TRUE(seen & IOLoop::READ);
  EXPECT_FALSE(seen & IOLoop::WRITE);
}

TEST(IOLoopHandlerTest, WritableFdDeliversWrite) {
  IOLoop io;
  SocketPair pair;
  uint32_t seen = 0;
  io.add_handler(
      pair.fds[0], [&](int, uint32_t events) { seen = events; }, IOLoop::WRITE);
  ASSERT_TRUE(io.run_until([&] { return seen != 0; }, kDeadline));
  EXPECT_TRUE(seen & IOLoop::WRITE);
  EXPECT_FALSE(seen & IOLoop::READ);
  io.remove_handler(pair.fds[0]);
}

TEST(IOLoopHandlerTest, ClosedPeerDeliversErrorOrRead) {
  IOLoop io;
  SocketPair pair;
  uint32_t seen = 0;
  io.add_handler(
      pair.fds[0], [&](int, uint32_t events) { seen |= events; }, 0);
  ::close(pair.fds[1]);
  pair.fds[1] = -1;
  // Registered for nothing: ERROR (EPOLLHUP) is always reported.
  ASSERT_TRUE(io.run_until([&] { return seen != 0; }, kDeadline));
  EXPECT_TRUE(seen & IOLoop::ERROR);
  io.remove_handler(pair.fds[0]);
}

TEST(IOLoopHandlerTest, ClosedPipeWriterDeliversErrorToReader) {
  IOLoop io;
  Pipe pipe;
  uint32_t seen = 0;
  io.add_handler(
      pipe.read_fd, [&](int, uint32_t events) { seen |= events; },
      IOLoop::READ);
  ::close(pipe.write_fd);
  pipe.write_fd = -1;
  ASSERT_TRUE(io.run_until([&] { return seen != 0; }, kDeadline));
  EXPECT_TRUE(seen & IOLoop::ERROR);
  io.remove_handler(pipe.read_fd);
}

TEST(IOLoopHandlerTest, UpdateHandlerChangesEvents) {
  IOLoop io;
  SocketPair pair;
  std::vector<uint32_t> seen;
  io.add_handler(
      pair.fds[0],
      [&](int fd, uint32_t events) {
        seen.push_back(events);
        io.update_handler(fd, 0);  // Writable forever: stop asking.
      },
      IOLoop::WRITE);
  ASSERT_TRUE(io.run_until([&] { return seen.size() == 1; }, kDeadline));
  EXPECT_TRUE(seen[0] & IOLoop::WRITE);
  run_rounds(io, 3);
  EXPECT_EQ(seen.size(), 1u) << "update_handler(fd, 0) did not stop WRITE";

  io.update_handler(pair.fds[0], IOLoop::WRITE);
  ASSERT_TRUE(io.run_until([&] { return seen.size() == 2; }, kDeadline));
  EXPECT_TRUE(seen[1] & IOLoop::WRITE);
  io.remove_handler(pair.fds[0]);
}

// EDGE: unread data is reported once, not on every iteration; new data, or
// update_handler (re-arming), reports it again.
TEST(IOLoopHandlerTest, EdgeTriggeredHandlerIsCalledOncePerEdge) {
  IOLoop io;
  Pipe pipe;
  int calls = 0;
  io.add_handler(
      pipe.read_fd, [&](int, uint32_t) { ++calls; },  // Never reads.
      IOLoop::READ | IOLoop::EDGE);
  pipe.signal();
  ASSERT_TRUE(io.run_until([&] { return calls == 1; }, kDeadline));
  run_rounds(io, 3);
  EXPECT_EQ(calls, 1) << "a level-triggered fd is reported every iteration";

  pipe.signal();  // New data: a new edge.
  ASSERT_TRUE(io.run_until([&] { return calls == 2; }, kDeadline));
  io.update_handler(pipe.read_fd, IOLoop::READ | IOLoop::EDGE);  // Re-arm.
  ASSERT_TRUE(io.run_until([&] { return calls == 3; }, kDeadline));
  run_rounds(io, 3);
  EXPECT_EQ(calls, 3);
  io.remove_handler(pipe.read_fd);
}

// RDHUP reaches only handlers that ask for it: the peer's FIN, told apart
// from data.
TEST(IOLoopHandlerTest, RdhupIsReportedOnlyWhenAskedFor) {
  IOLoop io;
  SocketPair asking, not_asking;
  uint32_t seen_asking = 0, seen_not_asking = 0;
  io.add_handler(
      asking.fds[0], [&](int, uint32_t events) { seen_asking |= events; },
      IOLoop::READ | IOLoop::RDHUP | IOLoop::EDGE);
  io.add_handler(
      not_asking.fds[0],
      [&](int, uint32_t events) { seen_not_asking |= events; },
      IOLoop::READ | IOLoop::EDGE);
  ::shutdown(asking.fds[1], SHUT_WR);
  ::shutdown(not_asking.fds[1], SHUT_WR);
  ASSERT_TRUE(io.run_until(
      [&] { return seen_asking != 0 && seen_not_asking != 0; }, kDeadline));
  EXPECT_TRUE(seen_asking & IOLoop::RDHUP);
  EXPECT_TRUE(seen_asking & IOLoop::READ);
  EXPECT_FALSE(seen_not_asking & IOLoop::RDHUP);
  io.remove_handler(asking.fds[0]);
  io.remove_handler(not_asking.fds[0]);
}

TEST(IOLoopHandlerTest, UpdateHandlerOfUnknownFdThrowsSystemError) {
  IOLoop io;
  Pipe pipe;
  EXPECT_THROW(io.update_handler(pipe.read_fd, IOLoop::READ),
               std::system_error);
  EXPECT_THROW(io.update_handler(-1, IOLoop::READ), std::system_error);
}

TEST(IOLoopHandlerTest, RemoveHandlerStopsDeliveryAndUnknownFdIsIgnored) {
  IOLoop io;
  Pipe pipe;
  int calls = 0;
  io.add_handler(
      pipe.read_fd, [&](int, uint32_t) { ++calls; }, IOLoop::READ);
  EXPECT_TRUE(io.has_handler(pipe.read_fd));
  io.remove_handler(pipe.read_fd);
  EXPECT_FALSE(io.has_handler(pipe.read_fd));
  io.remove_handler(pipe.read_fd);  // Twice: ignored.
  io.remove_handler(12345);         // Never registered: ignored.
  io.remove_handler(-1);
  pipe.signal();
  run_rounds(io, 3);
  EXPECT_EQ(calls, 0);
}

TEST(IOLoopHandlerTest, AddHandlerTwiceThrowsSystemError) {
  IOLoop io;
  Pipe pipe;
  io.add_handler(
      pipe.read_fd, [](int, uint32_t) {}, IOLoop::READ);
  try {
    io.add_handler(
        pipe.read_fd, [](int, uint32_t) {}, IOLoop::READ);
    FAIL() << "add_handler twice did not throw";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EEXIST);
    EXPECT_THAT(e.what(), HasSubstr("already registered"));
  }
  EXPECT_THROW(io.add_handler(
                   -1, [](int, uint32_t) {}, IOLoop::READ),
               std::system_error);
}

TEST(IOLoopHandlerTest, AddHandlerOnRegularFileThrowsEperm) {
  IOLoop io;
  char path[] = "/tmp/eddy_ioloop_test_XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  try {
    io.add_handler(
        fd, [](int, uint32_t) {}, IOLoop::READ);
    FAIL() << "epoll accepted a regular file";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EPERM);
  }
  EXPECT_FALSE(io.has_handler(fd));
  ::close(fd);
}

// Two fds are ready in the same poll round; whichever handler runs first
// removes the other, which must then not be called in that round (or later).
TEST(IOLoopHandlerTest, HandlerRemovedByEarlierHandlerInSameRoundIsNotCalled) {
  IOLoop io;
  Pipe a, b;
  int calls_a = 0, calls_b = 0;
  io.add_handler(
      a.read_fd,
      [&](int fd, uint32_t) {
        ++calls_a;
        io.remove_handler(fd);
        io.remove_handler(b.read_fd);
      },
      IOLoop::READ);
  io.add_handler(
      b.read_fd,
      [&](int fd, uint32_t) {
        ++calls_b;
        io.remove_handler(fd);
        io.remove_handler(a.read_fd);
      },
      IOLoop::READ);
  a.signal();
  b.signal();
  ASSERT_TRUE(io.run_until([&] { return calls_a + calls_b >= 1; }, kDeadline));
  run_rounds(io, 3);
  EXPECT_EQ(calls_a + calls_b, 1);
}

// A handler that removes itself and then re-registers its fd with a new
// handler: the event of the old registration from the same round must not
// reach the new handler (the generation tag in epoll_event.data).
TEST(IOLoopHandlerTest, StaleEventOfRemovedAndReaddedFdIsDropped) {
  IOLoop io;
  Pipe a, b;
  int calls_first = 0, calls_new_b = 0;
  auto first = [&](int, uint32_t) {
    if (calls_first++ > 0) return;
    // Re-register b's fd for nothing; b's READ from this round is stale.
    io.remove_handler(b.read_fd);
    io.add_handler(
        b.read_fd, [&](int, uint32_t) { ++calls_new_b; }, 0);
    io.remove_handler(a.read_fd);
  };
  io.add_handler(a.read_fd, first, IOLoop::READ);
  io.add_handler(
      b.read_fd,
      [&](int, uint32_t) {
        // b ran first this round: swap roles.
        if (calls_first++ > 0) return;
        io.remove_handler(a.read_fd);
        io.add_handler(
            a.read_fd, [&](int, uint32_t) { ++calls_new_b; }, 0);
        io.remove_handler(b.read_fd);
      },
      IOLoop::READ);
  a.signal();
  b.signal();
  ASSERT_TRUE(io.run_until([&] { return calls_first >= 1; }, kDeadline));
  run_rounds(io, 3);
  EXPECT_EQ(calls_first, 1);
  EXPECT_EQ(calls_new_b, 0);
}

// The handler's own std::function is destroyed by remove_handler while it
// runs; its captures must stay alive until it returns (ASan proves it).
TEST(IOLoopHandlerTest, HandlerRemovingItselfAndAddingAnotherFdIsSafe) {
  IOLoop io;
  Pipe first, second;
  auto payload = std::make_shared<std::string>(1000, 'p');
  std::string seen_after_remove;
  bool second_called = false;
  io.add_handler(
      first.read_fd,
      [&, payload](int fd, uint32_t) {
        io.remove_handler(fd);
        io.add_handler(
            second.read_fd,
            [&](int fd2, uint32_t) {
              second_called = true;
              io.remove_handler(fd2);
            },
            IOLoop::READ);
        second.signal();
        seen_after_remove = *payload;  // Captures still alive.
      },
      IOLoop::READ);
  std::weak_ptr<std::string> watch = payload;
  payload.reset();
  first.signal();
  ASSERT_TRUE(io.run_until([&] { return second_called; }, kDeadline));
  EXPECT_EQ(seen_after_remove.size(), 1000u);
  EXPECT_TRUE(watch.expired()) << "removed handler was never destroyed";
}

TEST(IOLoopHandlerTest, HandlerAddingFdBeyondTableDuringDispatchIsSafe) {
  IOLoop io;
  Pipe pipe;
  // dup2 onto a high fd number to force the handler table to grow while a
  // handler runs.
  int high_fd = ::fcntl(pipe.read_fd, F_DUPFD_CLOEXEC, 900);
  ASSERT_GE(high_fd, 900);
  bool high_called = false;
  io.add_handler(
      pipe.read_fd,
      [&](int fd, uint32_t) {
        io.remove_handler(fd);
        io.add_handler(
            high_fd,
            [&](int fd2, uint32_t) {
              high_called = true;
              io.remove_handler(fd2);
            },
            IOLoop::READ);
      },
      IOLoop::READ);
  pipe.signal();
  ASSERT_TRUE(io.run_until([&] { return high_called; }, kDeadline));
  ::close(high_fd);
}

// The allocation-free form: the loop calls an object it does not own.
struct CountingHandler : IOHandler {
  void handle_events(int fd, uint32_t events) override {
    ++calls;
    last_fd = fd;
    last_events = events;
    char buf[8];
    [[maybe_unused]] ssize_t n = ::read(fd, buf, sizeof buf);
    if (then) then(fd);
  }
  int calls = 0;
  int last_fd = -1;
  uint32_t last_events = 0;
  std::function<void(int)> then;
};

TEST(IOLoopHandlerTest, HandlerObjectIsCalledAndOutlivesItsRegistration) {
  IOLoop io;
  Pipe pipe;
  CountingHandler handler;
  io.add_handler(pipe.read_fd, handler, IOLoop::READ);
  EXPECT_TRUE(io.has_handler(pipe.read_fd));
  pipe.signal();
  ASSERT_TRUE(io.run_until([&] { return handler.calls > 0; }, kDeadline));
  EXPECT_EQ(handler.last_fd, pipe.read_fd);
  EXPECT_TRUE(handler.last_events & IOLoop::READ);
  io.remove_handler(pipe.read_fd);  // The loop does not own it: no delete.
  EXPECT_FALSE(io.has_handler(pipe.read_fd));
  pipe.signal();
  EXPECT_FALSE(io.run_until([&] { return handler.calls > 1; }, 0.05));
  // Registering the same object again works, as for a callable.
  io.add_handler(pipe.read_fd, handler, IOLoop::READ);
  ASSERT_TRUE(io.run_until([&] { return handler.calls > 1; }, kDeadline));
  io.remove_handler(pipe.read_fd);
}

TEST(IOLoopHandlerTest, HandlerObjectMayRemoveItselfAndBeReplacedByACallable) {
  IOLoop io;
  Pipe pipe;
  CountingHandler handler;
  int callable_calls = 0;
  handler.then = [&](int fd) {
    io.remove_handler(fd);
    io.add_handler(
        fd, [&](int, uint32_t) { ++callable_calls; }, IOLoop::READ);
  };
  io.add_handler(pipe.read_fd, handler, IOLoop::READ);
  pipe.signal();
  ASSERT_TRUE(io.run_until([&] { return handler.calls == 1; }, kDeadline));
  pipe.signal();
  ASSERT_TRUE(io.run_until([&] { return callable_calls > 0; }, kDeadline));
  EXPECT_EQ(handler.calls, 1);
  io.remove_handler(pipe.read_fd);
}

TEST(IOLoopTimeTest, IterationTimeIsReadOncePerIterationAndAdvances) {
  IOLoop io;
  IOLoop::Clock::time_point before = IOLoop::Clock::now();
  IOLoop::Clock::time_point first{}, again{}, later{};
  io.add_callback([&] {
    first = io.iteration_time();
    again = io.iteration_time();
    io.call_later(0.01, [&] { later = io.iteration_time(); });
  });
  ASSERT_TRUE(io.run_until([&] { return later != IOLoop::Clock::time_point{}; },
                           kDeadline));
  EXPECT_GE(first, before);
  EXPECT_EQ(first, again);  // No clock read in between.
  // The timeout ran in a later iteration, not before its deadline.
  EXPECT_GE(later - first, std::chrono::milliseconds(10));
  EXPECT_LE(later, IOLoop::Clock::now());
}

TEST(IOLoopTimeTest, IterationTimeIsNotCarriedOverFromAnEarlierRun) {
  IOLoop io;
  IOLoop::Clock::time_point first{}, second{};
  io.run_until(
      [&] {
        first = io.iteration_time();
        return true;
      },
      1);
  // Let the clock move on between the two runs.
  while (IOLoop::Clock::now() <= first) {
  }
  io.run_until(
      [&] {
        second = io.iteration_time();
        return true;
      },
      1);
  EXPECT_GT(second, first);
}

// ---- Callbacks --------------------------------------------------------------

TEST(IOLoopCallbackTest, CallbacksRunInFifoOrder) {
  IOLoop io;
  std::vector<int> order;
  for (int i = 0; i < 10; ++i) io.add_callback([&, i] { order.push_back(i); });
  ASSERT_TRUE(io.run_until([&] { return order.size() == 10; }, kDeadline));
  EXPECT_THAT(order, ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
}

// A callback that makes a pipe readable and queues another callback: the
// handler (step 3 of the next round) runs before the new callback (step 5),
// so the new callback did not run in the round that queued it.
TEST(IOLoopCallbackTest, CallbackAddedDuringRoundRunsNextRound) {
  IOLoop io;
  Pipe pipe;
  std::vector<std::string> order;
  io.add_handler(
      pipe.read_fd,
      [&](int fd, uint32_t) {
        order.push_back("handler");
        io.remove_handler(fd);
      },
      IOLoop::READ);
  io.add_callback([&] {
    order.push_back("first");
    pipe.signal();
    io.add_callback([&] { order.push_back("queued by first"); });
  });
  io.add_callback([&] { order.push_back("second"); });
  ASSERT_TRUE(io.run_until([&] { return order.size() == 4; }, kDeadline));
  EXPECT_THAT(order,
              ElementsAre("first", "second", "handler", "queued by first"));
}

TEST(IOLoopCallbackTest, SelfReaddingCallbackDoesNotStarveIoOrTimers) {
  IOLoop io;
  Pipe pipe;
  long spins = 0;
  bool handler_ran = false, timeout_ran = false;
  std::function<void()> spin = [&] {
    ++spins;
    if (!(handler_ran && timeout_ran)) io.add_callback(spin);
  };
  io.add_callback(spin);
  io.add_handler(
      pipe.read_fd,
      [&](int fd, uint32_t) {
        handler_ran = true;
        io.remove_handler(fd);
      },
      IOLoop::READ);
  io.call_later(0.01, [&] { timeout_ran = true; });
  pipe.signal();
  ASSERT_TRUE(
      io.run_until([&] { return handler_ran && timeout_ran; }, kDeadline));
  EXPECT_GT(spins, 1);
}

// ---- Timeouts ---------------------------------------------------------------

TEST(IOLoopTimeoutTest, TimeoutsFireInDeadlineOrder) {
  IOLoop io;
  std::vector<int> order;
  auto now = Clock::now();
  using std::chrono::milliseconds;
  io.add_timeout(now + milliseconds(30), [&] { order.push_back(30); });
  io.add_timeout(now + milliseconds(10), [&] { order.push_back(10); });
  io.add_timeout(now + milliseconds(20), [&] { order.push_back(20); });
  io.add_timeout(now - milliseconds(5), [&] { order.push_back(-5); });
  ASSERT_TRUE(io.run_until([&] { return order.size() == 4; }, kDeadline));
  EXPECT_THAT(order, ElementsAre(-5, 10, 20, 30));
}

TEST(IOLoopTimeoutTest, EqualDeadlinesFireInInsertionOrder) {
  IOLoop io;
  std::vector<int> order;
  auto deadline = Clock::now() + std::chrono::milliseconds(5);
  for (int i = 0; i < 20; ++i)
    io.add_timeout(deadline, [&, i] { order.push_back(i); });
  ASSERT_TRUE(io.run_until([&] { return order.size() == 20; }, kDeadline));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(order[i], i);
}

TEST(IOLoopTimeoutTest, TimeoutFiresAtOrAfterItsDeadline) {
  IOLoop io;
  std::vector<std::pair<Clock::time_point, Clock::time_point>> fired;
  for (int ms : {1, 7, 15, 25}) {
    auto deadline = Clock::now() + std::chrono::milliseconds(ms);
    io.add_timeout(deadline, [&, deadline] {
      fired.emplace_back(deadline, Clock::now());
    });
  }
  ASSERT_TRUE(io.run_until([&] { return fired.size() == 4; }, kDeadline));
  for (auto& [deadline, at] : fired) EXPECT_GE(at, deadline);
}

TEST(IOLoopTimeoutTest, CallLaterFiresAtOrAfterDelayOnLoopClock) {
  IOLoop io;
  double added = io.time();
  double fired_at = 0;
  io.call_later(0.02, [&] { fired_at = io.time(); });
  ASSERT_TRUE(io.run_until([&] { return fired_at != 0; }, kDeadline));
  EXPECT_GE(fired_at, added + 0.02);
}

// Step 1 rounds the time left up to a whole millisecond: rounded down, the
// loop would wake just before the deadline and spin through empty iterations
// until it passed. run_until checks its condition once per iteration.
TEST(IOLoopTimeoutTest, PollTimeoutIsRoundedUpSoATimerDoesNotSpinTheLoop) {
  IOLoop io;
  bool fired = false;
  io.add_timeout(Clock::now() + std::chrono::microseconds(20500),
                 [&] { fired = true; });
  int iterations = -1;  // The first check comes before any iteration.
  ASSERT_TRUE(io.run_until(
      [&] {
        ++iterations;
        return fired;
      },
      kDeadline));
  EXPECT_LE(iterations, 3);
}

// Step 1 takes the nearer of max_wait_ms and the earliest timer: a timer
// farther away than run_until's deadline does not keep run_until waiting
// for it (if it did, the timer would fire and fail the test).
TEST(IOLoopTimeoutTest, RunUntilReturnsAtItsDeadlineBeforeAFartherTimeout) {
  IOLoop io;
  TimeoutHandle far =
      io.call_later(2 * kDeadline, [] { FAIL() << "far timeout fired"; });
  auto start = Clock::now();
  EXPECT_FALSE(io.run_until([] { return false; }, 0.05));
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(50));
  io.remove_timeout(far);
}

TEST(IOLoopTimeoutTest, AddTimeoutWithSecondsUsesTimeClock) {
  IOLoop io;
  double deadline = io.time() + 0.015;
  double fired_at = 0;
  io.add_timeout(deadline, [&] { fired_at = io.time(); });
  ASSERT_TRUE(io.run_until([&] { return fired_at != 0; }, kDeadline));
  EXPECT_GE(fired_at, deadline);
}

// Regression: converting a non-finite number of seconds to a clock duration
// is undefined behaviour; NaN and -inf now mean "now", +inf "never".
TEST(IOLoopTimeoutTest, NonFiniteDelaysDoNotOverflow) {
  IOLoop io;
  int fired = 0;
  io.call_later(std::nan(""), [&] { ++fired; });
  io.call_later(-double{INFINITY}, [&] { ++fired; });
  io.call_later(-1e300, [&] { ++fired; });
  TimeoutHandle never = io.call_later(double{INFINITY}, [&] { fired += 100; });
  TimeoutHandle far = io.call_later(1e300, [&] { fired += 100; });
  ASSERT_TRUE(io.run_until([&] { return fired >= 3; }, kDeadline));
  run_rounds(io, 2);
  EXPECT_EQ(fired, 3);
  io.remove_timeout(never);
  io.remove_timeout(far);
}

TEST(IOLoopTimeoutTest, RemovedTimeoutNeverFires) {
  IOLoop io;
  bool removed_fired = false, kept_fired = false;
  TimeoutHandle handle = io.call_later(0.001, [&] { removed_fired = true; });
  io.call_later(0.01, [&] { kept_fired = true; });
  EXPECT_TRUE(static_cast<bool>(handle));
  io.remove_timeout(handle);
  io.remove_timeout(handle);           // Twice: no-op.
  io.remove_timeout(TimeoutHandle{});  // The empty handle: no-op.
  ASSERT_TRUE(io.run_until([&] { return kept_fired; }, kDeadline));
  EXPECT_FALSE(removed_fired);
}

TEST(IOLoopTimeoutTest, TimeoutRemovedByEarlierTimeoutInSameBatchNeverFires) {
  IOLoop io;
  auto deadline = Clock::now();  // Both due in the first round.
  bool second_fired = false, third_fired = false;
  TimeoutHandle second;
  io.add_timeout(deadline, [&] { io.remove_timeout(second); });
  second = io.add_timeout(deadline, [&] { second_fired = true; });
  io.add_timeout(deadline, [&] { third_fired = true; });
  ASSERT_TRUE(io.run_until([&] { return third_fired; }, kDeadline));
  EXPECT_FALSE(second_fired);
  EXPECT_EQ(IOLoopTestPeer::heap_size(io), 0u);
  EXPECT_EQ(IOLoopTestPeer::cancelled_count(io), 0u);
}

TEST(IOLoopTimeoutTest, RemovingAFiredTimeoutIsANoop) {
  IOLoop io;
  bool fired = false, later_fired = false;
  TimeoutHandle handle = io.call_later(0, [&] { fired = true; });
  TimeoutHandle later = io.call_later(0.005, [&] { later_fired = true; });
  ASSERT_TRUE(io.run_until([&] { return fired; }, kDeadline));
  io.remove_timeout(handle);
  EXPECT_EQ(IOLoopTestPeer::cancelled_count(io), 0u);
  ASSERT_TRUE(io.run_until([&] { return later_fired; }, kDeadline));
  (void)later;
}

// A timeout whose deadline has passed when it is added by another timeout
// runs in the next round, not in the batch that added it.
TEST(IOLoopTimeoutTest, TimeoutAddedByTimeoutRunsInLaterRound) {
  IOLoop io;
  std::vector<std::string> order;
  io.add_timeout(Clock::now(), [&] {
    order.push_back("first");
    io.add_timeout(Clock::now() - std::chrono::seconds(1),
                   [&] { order.push_back("added, already due"); });
    io.add_callback([&] { order.push_back("callback"); });
  });
  ASSERT_TRUE(io.run_until([&] { return order.size() == 3; }, kDeadline));
  // Step 5 (callbacks) of the first round comes before step 4 of the next.
  EXPECT_THAT(order, ElementsAre("first", "callback", "added, already due"));
}

TEST(IOLoopTimeoutTest, ManyCancellationsCleanTheHeapAndKeepLiveTimeouts) {
  IOLoop io;
  constexpr int kTotal = 2000;
  std::vector<TimeoutHandle> far;
  for (int i = 0; i < kTotal; ++i)
    far.push_back(io.call_later(3600, [] { FAIL() << "far timeout fired"; }));
  std::vector<int> live_fired;
  for (int i = 0; i < 10; ++i)
    io.call_later(0.001 * i, [&, i] { live_fired.push_back(i); });
  EXPECT_EQ(IOLoopTestPeer::heap_size(io), kTotal + 10u);
  for (int i = 0; i < kTotal - 1; ++i) io.remove_timeout(far[i]);
  // Cleanup ran (more than 512 cancelled, more than half of the heap), so
  // the heap holds far fewer than kTotal entries; every live one is kept.
  EXPECT_LT(IOLoopTestPeer::heap_size(io), 600u);
  EXPECT_EQ(IOLoopTestPeer::live_timeouts(io), 11u);
  EXPECT_LE(IOLoopTestPeer::cancelled_count(io), IOLoopTestPeer::heap_size(io));
  ASSERT_TRUE(io.run_until([&] { return live_fired.size() == 10; }, kDeadline));
  EXPECT_THAT(live_fired, ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  io.remove_timeout(far.back());
}

// Regression: when a timeout removed a later timeout of its own batch and
// then enough other timeouts to trigger the heap cleanup, the loop's count of
// cancelled heap entries went below zero (size_t wrap-around) and every later
// remove_timeout rebuilt the whole heap.
TEST(IOLoopTimeoutTest,
     CancelledCountStaysExactWhenCleanupRunsInsideTimeoutBatch) {
  IOLoop io;
  std::vector<TimeoutHandle> far;
  for (int i = 0; i < 600; ++i)
    far.push_back(io.call_later(3600, [] { FAIL() << "far timeout fired"; }));
  auto now = Clock::now();
  TimeoutHandle victim;
  bool done = false;
  io.add_timeout(now, [&] {
    io.remove_timeout(victim);
    // The victim plus 512 more: the cleanup runs on the last one.
    for (int i = 0; i < 512; ++i) io.remove_timeout(far[i]);
    done = true;
  });
  victim = io.add_timeout(now, [] { FAIL() << "removed timeout fired"; });
  ASSERT_TRUE(io.run_until([&] { return done; }, kDeadline));
  run_rounds(io, 2);
  size_t heap = IOLoopTestPeer::heap_size(io);
  size_t cancelled = IOLoopTestPeer::cancelled_count(io);
  EXPECT_LE(cancelled, heap) << "cancelled count wrapped around";
  EXPECT_EQ(heap - cancelled, IOLoopTestPeer::live_timeouts(io));
  io.remove_timeout(far.back());
}

// ---- start / stop / run_until -----------------------------------------------

TEST(IOLoopStartStopTest, StopBeforeStartMakesStartReturnAtOnce) {
  IOLoop io;
  bool safety_fired = false;
  io.call_later(2.0, [&] {
    safety_fired = true;
    io.stop();
  });
  io.stop();
  auto before = Clock::now();
  io.start();
  EXPECT_FALSE(safety_fired);
  EXPECT_LT(Clock::now() - before, std::chrono::seconds(1));
  EXPECT_FALSE(io.running());
  // The request was consumed: the next start() runs until stopped again.
  bool ran = false;
  io.add_callback([&] {
    ran = true;
    io.stop();
  });
  io.start();
  EXPECT_TRUE(ran);
  EXPECT_FALSE(safety_fired);
}

TEST(IOLoopStartStopTest, StopFromCallbackEndsStart) {
  IOLoop io;
  int ticks = 0;
  std::function<void()> tick = [&] {
    if (++ticks == 5) {
      io.stop();
    } else {
      io.add_callback(tick);
    }
  };
  io.add_callback(tick);
  EXPECT_FALSE(io.running());
  io.start();
  EXPECT_EQ(ticks, 5);
  EXPECT_FALSE(io.running());
}

TEST(IOLoopStartStopTest, RunningIsTrueInsideTheLoop) {
  IOLoop io;
  bool running_inside = false;
  io.add_callback([&] {
    running_inside = io.running();
    io.stop();
  });
  io.start();
  EXPECT_TRUE(running_inside);
}

TEST(IOLoopStartStopTest, RunUntilReturnsFalseAfterItsTimeout) {
  IOLoop io;
  auto before = Clock::now();
  EXPECT_FALSE(io.run_until([] { return false; }, 0.05));
  EXPECT_GE(Clock::now() - before, std::chrono::milliseconds(50));
  EXPECT_FALSE(io.running());
}

TEST(IOLoopStartStopTest, StartingARunningLoopThrowsLogicError) {
  IOLoop io;
  std::string message;
  io.add_callback([&] {
    try {
      io.start();
    } catch (const std::logic_error& e) {
      message = e.what();
    }
    try {
      io.run_until([] { return true; }, 1);
    } catch (const std::logic_error& e) {
      message += "|";
      message += e.what();
    }
    io.stop();
  });
  io.start();
  EXPECT_THAT(message, HasSubstr("already running"));
  EXPECT_THAT(message, HasSubstr("run_until"));
}

TEST(IOLoopStartStopTest, StartingARunningLoopIsLoggedWhenUncaught) {
  IOLoop io;
  bool after = false;
  io.add_callback([&] { io.start(); });  // Throws std::logic_error.
  io.add_callback([&] { after = true; });
  CapturedStderr captured;
  ASSERT_TRUE(io.run_until([&] { return after; }, kDeadline));
  std::string log = captured.release();
  EXPECT_THAT(log, HasSubstr("application"));
  EXPECT_THAT(log, HasSubstr("IOLoop::start: the loop is already running"));
}

// Regression: an exception escaping run_until's condition left the loop
// marked as running on this thread forever.
TEST(IOLoopStartStopTest, ExceptionFromRunUntilConditionLeavesLoopUsable) {
  IOLoop io;
  EXPECT_THROW(io.run_until([]() -> bool { throw std::runtime_error("x"); }, 1),
               std::runtime_error);
  EXPECT_FALSE(io.running());
  EXPECT_TRUE(io.run_until([] { return true; }, 1));
}

// ---- Exceptions -------------------------------------------------------------

TEST(IOLoopExceptionTest, ExceptionsAreLoggedAndTheLoopKeepsRunning) {
  IOLoop io;
  Pipe pipe;
  bool handler_done = false, timeout_done = false, callback_done = false;
  io.add_handler(
      pipe.read_fd,
      [&](int fd, uint32_t) {
        io.remove_handler(fd);
        handler_done = true;
        throw std::runtime_error("handler boom");
      },
      IOLoop::READ);
  io.call_later(0.001, [&] {
    timeout_done = true;
    throw std::runtime_error("timeout boom");
  });
  io.add_callback([&] {
    callback_done = true;
    throw 42;  // Not a std::exception.
  });
  pipe.signal();
  CapturedStderr captured;
  bool all = io.run_until(
      [&] { return handler_done && timeout_done && callback_done; }, kDeadline);
  // The loop is still usable after three exceptions.
  bool later = false;
  io.add_callback([&] { later = true; });
  bool later_ran = io.run_until([&] { return later; }, kDeadline);
  std::string log = captured.release();
  ASSERT_TRUE(all);
  EXPECT_TRUE(later_ran);
  EXPECT_THAT(log, HasSubstr("Exception in I/O handler: handler boom"));
  EXPECT_THAT(log, HasSubstr("Exception in timeout: timeout boom"));
  EXPECT_THAT(log, HasSubstr("Exception in callback: (not a std::exception)"));
  EXPECT_THAT(log, HasSubstr("[E "));
}

// Steps 4 and 5 run each timeout and each callback in its own run_guarded: one
// that throws does not skip, or postpone, the rest of its batch.
TEST(IOLoopExceptionTest, ExceptionDoesNotSkipTheRestOfItsBatch) {
  IOLoop io;
  std::vector<std::string> ran;
  auto now = Clock::now();
  io.add_timeout(now, [&] {
    ran.push_back("timeout 1");
    throw std::runtime_error("timeout boom");
  });
  io.add_timeout(now, [&] { ran.push_back("timeout 2"); });
  io.add_callback([&] {
    ran.push_back("callback 1");
    throw std::runtime_error("callback boom");
  });
  io.add_callback([&] { ran.push_back("callback 2"); });
  CapturedStderr captured;
  int iterations = -1;
  io.run_until([&] { return ++iterations == 1; }, kDeadline);  // One round.
  std::string log = captured.release();
  EXPECT_THAT(
      ran, ElementsAre("timeout 1", "timeout 2", "callback 1", "callback 2"));
  EXPECT_THAT(log, HasSubstr("Exception in timeout: timeout boom"));
  EXPECT_THAT(log, HasSubstr("Exception in callback: callback boom"));
}

// ---- close ------------------------------------------------------------------

TEST(IOLoopCloseTest, CloseReleasesEpollFdAndWaker) {
  int before = open_fd_count();
  auto io = std::make_unique<IOLoop>();
  EXPECT_EQ(open_fd_count(), before + 2);  // epoll fd + eventfd waker.
  io->close();
  EXPECT_EQ(open_fd_count(), before);
  io->close();  // Twice: no-op.
  io.reset();
  EXPECT_EQ(open_fd_count(), before);
}

TEST(IOLoopCloseTest, DestructorReleasesFds) {
  int before = open_fd_count();
  {
    IOLoop io;
    EXPECT_EQ(open_fd_count(), before + 2);
  }
  EXPECT_EQ(open_fd_count(), before);
}

TEST(IOLoopCloseTest, CloseWithAllFdsClosesRegisteredFds) {
  Pipe pipe;
  SocketPair pair;
  IOLoop io;
  io.add_handler(
      pipe.read_fd, [](int, uint32_t) {}, IOLoop::READ);
  io.add_handler(
      pair.fds[0], [](int, uint32_t) {}, IOLoop::READ);
  io.close(/*all_fds=*/true);
  EXPECT_FALSE(fd_is_open(pipe.read_fd));
  EXPECT_FALSE(fd_is_open(pair.fds[0]));
  EXPECT_TRUE(fd_is_open(pipe.write_fd));  // Not registered: left alone.
  pipe.read_fd = -1;
  pair.fds[0] = -1;
}

TEST(IOLoopCloseTest, CloseWithoutAllFdsLeavesRegisteredFdsOpen) {
  Pipe pipe;
  IOLoop io;
  io.add_handler(
      pipe.read_fd, [](int, uint32_t) {}, IOLoop::READ);
  io.close();
  EXPECT_TRUE(fd_is_open(pipe.read_fd));
}

TEST(IOLoopCloseTest, ClosedLoopRefusesToStartOrRegister) {
  IOLoop io;
  io.close();
  EXPECT_THROW(io.start(), std::logic_error);
  EXPECT_THROW(io.run_until([] { return true; }, 1), std::logic_error);
  Pipe pipe;
  EXPECT_THROW(io.add_handler(
                   pipe.read_fd, [](int, uint32_t) {}, IOLoop::READ),
               std::logic_error);
}

TEST(IOLoopCloseTest, CloseWhileRunningThrowsLogicError) {
  IOLoop io;
  std::string message;
  io.add_callback([&] {
    try {
      io.close();
    } catch (const std::logic_error& e) {
      message = e.what();
    }
    io.stop();
  });
  io.start();
  EXPECT_THAT(message, HasSubstr("running"));
}

TEST(IOLoopCloseTest, CloseDestroysPendingCallbacksAndTimeouts) {
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> watch = token;
  IOLoop io;
  io.add_callback([token] {});
  io.call_later(3600, [token] {});
  token.reset();
  EXPECT_FALSE(watch.expired());
  io.close();
  EXPECT_TRUE(watch.expired());
}

// ---- instance / current / time ----------------------------------------------

TEST(IOLoopInstanceTest, InstanceIsOneLoopAndCurrentDefaultsToIt) {
  IOLoop& a = IOLoop::instance();
  IOLoop& b = IOLoop::instance();
  EXPECT_EQ(&a, &b);
  EXPECT_TRUE(IOLoop::initialized());
  EXPECT_EQ(&IOLoop::current(), &a);
}

TEST(IOLoopInstanceTest, CurrentIsTheRunningLoopInsideItsCallbacks) {
  IOLoop outer, inner;
  IOLoop* seen_outer = nullptr;
  IOLoop* seen_inner = nullptr;
  IOLoop* seen_after_inner = nullptr;
  outer.add_callback([&] {
    seen_outer = &IOLoop::current();
    // A different loop run from inside a callback becomes current, and the
    // outer one is current again when it returns.
    inner.add_callback([&] { seen_inner = &IOLoop::current(); });
    inner.run_until([&] { return seen_inner != nullptr; }, kDeadline);
    seen_after_inner = &IOLoop::current();
    outer.stop();
  });
  outer.start();
  EXPECT_EQ(seen_outer, &outer);
  EXPECT_EQ(seen_inner, &inner);
  EXPECT_EQ(seen_after_inner, &outer);
  EXPECT_EQ(&IOLoop::current(), &IOLoop::instance());
}

TEST(IOLoopTimeTest, TimeIsMonotonicAndAdvances) {
  IOLoop io;
  double start = io.time();
  double previous = start;
  for (int i = 0; i < 10000; ++i) {
    double now = io.time();
    ASSERT_GE(now, previous);
    previous = now;
  }
  bool fired = false;
  io.call_later(0.005, [&] { fired = true; });
  ASSERT_TRUE(io.run_until([&] { return fired; }, kDeadline));
  EXPECT_GE(io.time() - start, 0.005);
}

}  // namespace
}  // namespace eddy

namespace eddy {
namespace {

// Regression: an fd closed without remove_handler left its entry active, and
// the next add_handler on the reused fd number failed with EEXIST.
TEST(IOLoopRegression, AddHandlerReplacesHandlerOfFdClosedWithoutRemove) {
  IOLoop loop;
  int first[2];
  ASSERT_EQ(::pipe2(first, O_CLOEXEC | O_NONBLOCK), 0);
  bool old_called = false;
  loop.add_handler(
      first[0], [&](int, uint32_t) { old_called = true; }, IOLoop::READ);
  int reused_number = first[0];
  ::close(first[0]);  // Forgot remove_handler.
  ::close(first[1]);
  int second[2];
  ASSERT_EQ(::pipe2(second, O_CLOEXEC | O_NONBLOCK), 0);
  ASSERT_EQ(second[0], reused_number);  // The lowest free numbers come back.
  bool new_called = false;
  CapturedStderr captured;
  EXPECT_NO_THROW(loop.add_handler(
      second[0], [&](int, uint32_t) { new_called = true; }, IOLoop::READ));
  std::string log = captured.release();
  EXPECT_NE(log.find("closed without remove_handler"), std::string::npos)
      << log;
  ASSERT_EQ(::write(second[1], "x", 1), 1);
  EXPECT_TRUE(loop.run_until([&] { return new_called; }, 5.0));
  EXPECT_FALSE(old_called);
  // A real double registration is still refused.
  EXPECT_THROW(loop.add_handler(
                   second[0], [](int, uint32_t) {}, IOLoop::READ),
               std::system_error);
  loop.remove_handler(second[0]);
  ::close(second[0]);
  ::close(second[1]);
}

}  // namespace
}  // namespace eddy
