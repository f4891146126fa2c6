// Grading tests of exercise 01.1 (call_at_wall.h). Every wait is bounded by
// run_until; nothing sleeps.
#include "01_ioloop/exercises/call_at_wall.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

using std::chrono::system_clock;
using Steady = std::chrono::steady_clock;
constexpr double kDeadline = 5.0;

double seconds_since(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

TEST(WallToLoopTimeTest, FutureWallTimeMapsToLoopTimeAhead) {
  IOLoop loop;
  double mapped =
      wall_to_loop_time(loop, system_clock::now() + std::chrono::seconds(2));
  EXPECT_NEAR(mapped, loop.time() + 2.0, 0.05);
}

TEST(WallToLoopTimeTest, PastWallTimeMapsToLoopTimeBehind) {
  IOLoop loop;
  double mapped = wall_to_loop_time(
      loop, system_clock::now() - std::chrono::milliseconds(3500));
  EXPECT_NEAR(mapped, loop.time() - 3.5, 0.05);
}

TEST(WallToLoopTimeTest, KeepsSubMillisecondPrecision) {
  IOLoop loop;
  auto now = system_clock::now();
  double a = wall_to_loop_time(loop, now + std::chrono::microseconds(1000250));
  double b = wall_to_loop_time(loop, now + std::chrono::microseconds(1000000));
  // Both conversions read the clocks, so allow for the time between them.
  EXPECT_NEAR(a - b, 0.00025, 0.0002);
}

TEST(CallAtWallTest, RunsNoEarlierThanTheWallTime) {
  IOLoop loop;
  auto start = Steady::now();
  double ran_after = -1;
  call_at_wall(loop, system_clock::now() + std::chrono::milliseconds(150),
               [&] { ran_after = seconds_since(start); });
  ASSERT_TRUE(loop.run_until([&] { return ran_after >= 0; }, kDeadline));
  EXPECT_GE(ran_after, 0.14);
  EXPECT_LT(ran_after, 2.0);
}

TEST(CallAtWallTest, PastTimeRunsOnTheNextIteration) {
  IOLoop loop;
  bool ran = false;
  call_at_wall(loop, system_clock::now() - std::chrono::hours(1),
               [&] { ran = true; });
  auto start = Steady::now();
  ASSERT_TRUE(loop.run_until([&] { return ran; }, kDeadline));
  EXPECT_LT(seconds_since(start), 0.5);
}

TEST(CallAtWallTest, OrdersWithCallLaterByDeadline) {
  IOLoop loop;
  std::vector<std::string> order;
  call_at_wall(loop, system_clock::now() + std::chrono::milliseconds(120),
               [&] { order.push_back("wall+120ms"); });
  loop.call_later(0.02, [&] { order.push_back("later+20ms"); });
  loop.call_later(0.3, [&] { order.push_back("later+300ms"); });
  ASSERT_TRUE(loop.run_until([&] { return order.size() == 3; }, kDeadline));
  EXPECT_EQ(order, (std::vector<std::string>{"later+20ms", "wall+120ms",
                                             "later+300ms"}));
}

TEST(CallAtWallTest, ReturnsAHandleThatRemovesTheTimeout) {
  IOLoop loop;
  bool ran = false;
  TimeoutHandle handle =
      call_at_wall(loop, system_clock::now() + std::chrono::milliseconds(30),
                   [&] { ran = true; });
  ASSERT_TRUE(handle);
  loop.remove_timeout(handle);
  bool later = false;
  loop.call_later(0.15, [&] { later = true; });
  ASSERT_TRUE(loop.run_until([&] { return later; }, kDeadline));
  EXPECT_FALSE(ran);
}

TEST(CallAtWallTest, UnixSecondsFormRunsAtThatTime) {
  IOLoop loop;
  auto start = Steady::now();
  double now_unix =
      std::chrono::duration<double>(system_clock::now().time_since_epoch())
          .count();
  double ran_after = -1;
  TimeoutHandle handle = call_at_wall(
      loop, now_unix + 0.1, [&] { ran_after = seconds_since(start); });
  EXPECT_TRUE(handle);
  ASSERT_TRUE(loop.run_until([&] { return ran_after >= 0; }, kDeadline));
  EXPECT_GE(ran_after, 0.09);
  EXPECT_LT(ran_after, 2.0);
}

TEST(CallAtWallTest, UnixSecondsFormKeepsFractions) {
  IOLoop loop;
  double now_unix =
      std::chrono::duration<double>(system_clock::now().time_since_epoch())
          .count();
  // 0.4 s from now: truncating to whole seconds would run it at once (or a
  // second late).
  auto start = Steady::now();
  double ran_after = -1;
  call_at_wall(loop, now_unix + 0.4, [&] { ran_after = seconds_since(start); });
  ASSERT_TRUE(loop.run_until([&] { return ran_after >= 0; }, kDeadline));
  EXPECT_GE(ran_after, 0.38);
  EXPECT_LT(ran_after, 1.5);  // Generous: the machine may be busy.
}

TEST(CallAtWallTest, InfiniteUnixSecondsNeverRunAndNaNRunsNow) {
  IOLoop loop;
  bool never = false;
  bool now = false;
  call_at_wall(loop, std::numeric_limits<double>::infinity(),
               [&] { never = true; });
  call_at_wall(loop, std::nan(""), [&] { now = true; });
  ASSERT_TRUE(loop.run_until([&] { return now; }, kDeadline));
  loop.run_until([] { return false; }, 0.05);
  EXPECT_FALSE(never);
}

}  // namespace
}  // namespace eddy::exercises
