// Tests of PeriodicCallback: ticks on schedule, stops from inside its own
// callback, skips missed ticks without a burst, rejects bad periods.
#include "01_ioloop/periodic_callback.h"

#include <chrono>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "01_ioloop/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

using ::testing::HasSubstr;
using testing_util::CapturedStderr;
using Clock = IOLoop::Clock;
using std::chrono::milliseconds;

constexpr double kDeadline = 5.0;

// Keeps the loop thread busy for `duration` without sleeping: this simulates
// a slow callback, it does not synchronise anything.
void busy_for(Clock::duration duration) {
  auto until = Clock::now() + duration;
  while (Clock::now() < until) {
  }
}

TEST(PeriodicCallbackTest, TicksOncePerPeriodOnSchedule) {
  IOLoop io;
  std::vector<Clock::time_point> ticks;
  auto started = Clock::now();
  PeriodicCallback periodic([&] { ticks.push_back(Clock::now()); }, 10, io);
  EXPECT_FALSE(periodic.is_running());
  periodic.start();
  EXPECT_TRUE(periodic.is_running());
  ASSERT_TRUE(io.run_until([&] { return ticks.size() >= 4; }, kDeadline));
  // Tick k is planned at start + k * period (no drift), never earlier.
  for (size_t k = 0; k < ticks.size(); ++k)
    EXPECT_GE(ticks[k], started + milliseconds(10) * (k + 1)) << "tick " << k;
  periodic.stop();
  EXPECT_FALSE(periodic.is_running());
  EXPECT_EQ(IOLoopTestPeer::live_timeouts(io), 0u);
}

TEST(PeriodicCallbackTest, StopInsideItsOwnCallbackCancelsTheSchedule) {
  IOLoop io;
  int ticks = 0;
  PeriodicCallback* self = nullptr;
  PeriodicCallback periodic(
      [&] {
        if (++ticks == 3) self->stop();
      },
      1, io);
  self = &periodic;
  periodic.start();
  ASSERT_TRUE(io.run_until([&] { return ticks == 3; }, kDeadline));
  EXPECT_FALSE(periodic.is_running());
  EXPECT_EQ(IOLoopTestPeer::live_timeouts(io), 0u) << "a tick is still planned";
}

TEST(PeriodicCallbackTest, StopAndStartInsideItsOwnCallbackKeepsOneSchedule) {
  IOLoop io;
  int ticks = 0;
  PeriodicCallback* self = nullptr;
  PeriodicCallback periodic(
      [&] {
        ++ticks;
        self->stop();
        self->start();
      },
      1, io);
  self = &periodic;
  periodic.start();
  ASSERT_TRUE(io.run_until([&] { return ticks == 3; }, kDeadline));
  EXPECT_TRUE(periodic.is_running());
  EXPECT_EQ(IOLoopTestPeer::live_timeouts(io), 1u);
}

TEST(PeriodicCallbackTest, StartTwiceIsANoopAndDestructorStops) {
  IOLoop io;
  {
    PeriodicCallback periodic([] {}, 1000, io);
    periodic.start();
    periodic.start();
    EXPECT_EQ(IOLoopTestPeer::live_timeouts(io), 1u);
    periodic.stop();
    periodic.stop();
    EXPECT_EQ(IOLoopTestPeer::live_timeouts(io), 0u);
    periodic.start();
  }
  EXPECT_EQ(IOLoopTestPeer::live_timeouts(io), 0u);
}

// A handler blocks the loop for 3.5 periods: the ticks it hid are skipped,
// and the schedule keeps its phase (the next tick lands on start + k*period).
TEST(PeriodicCallbackTest, SkipsTicksMissedWhileTheLoopWasBlocked) {
  IOLoop io;
  constexpr auto kPeriod = milliseconds(20);
  std::vector<Clock::time_point> ticks;
  auto started = Clock::now();
  PeriodicCallback periodic([&] { ticks.push_back(Clock::now()); }, 20, io);
  periodic.start();
  ASSERT_TRUE(io.run_until([&] { return ticks.size() == 1; }, kDeadline));
  io.add_callback([&] { busy_for(kPeriod * 7 / 2); });
  ASSERT_TRUE(io.run_until([&] { return ticks.size() == 3; }, kDeadline));
  // The overdue tick (planned at 2 periods) runs once, late (at about 4.5);
  // then the ticks at 3 and 4 periods, hidden by the block, are skipped.
  EXPECT_GE(ticks[2], started + kPeriod * 5) << "missed ticks ran in a burst";
}

// Regression: PeriodicCallback planned its next tick before running the
// callback, so a callback slower than its period was followed at once by an
// overdue tick (a burst) instead of skipping, unlike Tornado, which plans
// the next tick after the callback returns.
TEST(PeriodicCallbackTest, SlowCallbackSkipsMissedTicksWithoutBurst) {
  IOLoop io;
  constexpr auto kPeriod = milliseconds(20);
  std::vector<Clock::time_point> ticks;
  auto started = Clock::now();
  PeriodicCallback periodic(
      [&] {
        ticks.push_back(Clock::now());
        if (ticks.size() == 1) busy_for(kPeriod * 7 / 2);
      },
      20, io);
  periodic.start();
  ASSERT_TRUE(io.run_until([&] { return ticks.size() == 2; }, kDeadline));
  // First tick at 1 period; it runs 3.5 periods; the ticks at 2, 3 and 4
  // periods are skipped and the next lands on 5 periods. Before the fix it
  // ran at about 4.5 periods, right after the slow callback.
  EXPECT_GE(ticks[1], started + kPeriod * 5)
      << "an overdue tick ran right after the slow callback";
}

TEST(PeriodicCallbackTest, ExceptionInCallbackIsLoggedAndScheduleContinues) {
  IOLoop io;
  int ticks = 0;
  PeriodicCallback periodic(
      [&] {
        ++ticks;
        throw std::runtime_error("tick boom");
      },
      1, io);
  periodic.start();
  CapturedStderr captured;
  bool three = io.run_until([&] { return ticks >= 3; }, kDeadline);
  std::string log = captured.release();
  EXPECT_TRUE(three);
  EXPECT_TRUE(periodic.is_running());
  EXPECT_THAT(log, HasSubstr("tick boom"));
}

TEST(PeriodicCallbackTest, InvalidPeriodThrows) {
  IOLoop io;
  for (double bad :
       {0.0, -1.0, std::nan(""), double{INFINITY}, -double{INFINITY}}) {
    EXPECT_THROW(PeriodicCallback([] {}, bad, io), std::invalid_argument)
        << bad;
  }
}

TEST(PeriodicCallbackTest, TinyPeriodIsClampedAndStillTicks) {
  IOLoop io;
  int ticks = 0;
  PeriodicCallback periodic([&] { ++ticks; }, 1e-9, io);
  periodic.start();
  ASSERT_TRUE(io.run_until([&] { return ticks >= 3; }, kDeadline));
}

TEST(PeriodicCallbackTest, DefaultsToTheCurrentLoop) {
  IOLoop io;
  int ticks = 0;
  std::unique_ptr<PeriodicCallback> periodic;
  // Created inside a callback, IOLoop::current() is `io`, not instance().
  io.add_callback([&] {
    periodic = std::make_unique<PeriodicCallback>([&] { ++ticks; }, 1);
    periodic->start();
  });
  ASSERT_TRUE(io.run_until([&] { return ticks >= 2; }, kDeadline));
  periodic.reset();
  EXPECT_EQ(IOLoopTestPeer::live_timeouts(io), 0u);
}

}  // namespace
}  // namespace eddy
