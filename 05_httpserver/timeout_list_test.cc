// TimeoutList: deadlines fire in order, never early, once; cancelling
// (also the front) and re-arming from on_deadline keep the loop timer right.
#include "05_httpserver/timeout_list.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "01_ioloop/ioloop.h"

namespace eddy {
namespace {

using Clock = IOLoop::Clock;
using std::chrono::milliseconds;

struct Waiter : TimeoutList::Entry {
  explicit Waiter(int id, std::vector<int>* fired) : id(id), fired(fired) {}
  void on_deadline() override {
    fired->push_back(id);
    fired_at = Clock::now();
    if (then) then(*this);
  }
  int id;
  std::vector<int>* fired;
  Clock::time_point fired_at{};
  std::function<void(Waiter&)> then;
};

TEST(TimeoutListTest, FiresInDeadlineOrderAndNeverEarly) {
  IOLoop loop;
  TimeoutList list;
  std::vector<int> fired;
  Waiter a(1, &fired), b(2, &fired), c(3, &fired);
  Clock::time_point start = Clock::now();
  list.arm(a, loop, start + milliseconds(30));
  list.arm(b, loop, start + milliseconds(10));  // Earlier than the tail.
  list.arm(c, loop, start + milliseconds(20));
  ASSERT_TRUE(loop.run_until([&] { return fired.size() == 3; }, 5));
  EXPECT_EQ(fired, (std::vector<int>{2, 3, 1}));
  EXPECT_GE(a.fired_at, a.deadline());
  EXPECT_GE(b.fired_at, b.deadline());
  EXPECT_GE(c.fired_at, c.deadline());
  EXPECT_TRUE(list.empty());
  EXPECT_FALSE(a.armed());
}

TEST(TimeoutListTest, CancelledEntriesDoNotFireAndTheNextOneStillDoes) {
  IOLoop loop;
  TimeoutList list;
  std::vector<int> fired;
  Waiter a(1, &fired), b(2, &fired);
  Clock::time_point start = Clock::now();
  list.arm(a, loop, start + milliseconds(5));
  list.arm(b, loop, start + milliseconds(40));
  a.cancel();  // The front: the armed loop timer fires early and re-arms.
  EXPECT_FALSE(a.armed());
  ASSERT_TRUE(loop.run_until([&] { return !fired.empty(); }, 5));
  EXPECT_EQ(fired, (std::vector<int>{2}));
  EXPECT_GE(b.fired_at, b.deadline());
}

TEST(TimeoutListTest, ReArmingFromOnDeadlineKeepsTheOtherEntriesOnTime) {
  IOLoop loop;
  TimeoutList list;
  std::vector<int> fired;
  Waiter a(1, &fired), b(2, &fired);
  Clock::time_point start = Clock::now();
  list.arm(a, loop, start + milliseconds(5));
  list.arm(b, loop, start + milliseconds(60));
  // a re-arms itself far in the future: b must still fire at its deadline,
  // not when a's new deadline comes.
  a.then = [&](Waiter& self) {
    if (fired.size() == 1)
      list.arm(self, loop, Clock::now() + std::chrono::hours(1));
  };
  ASSERT_TRUE(loop.run_until([&] { return fired.size() == 2; }, 5));
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
  EXPECT_TRUE(a.armed());
}

TEST(TimeoutListTest, ReArmingWithAPastDeadlineWaitsForTheNextExpiry) {
  // A deadline computed from a stale clock (IOLoop::iteration_time) may
  // already have passed when it is armed: it fires on the next expiry, it
  // does not make the current one loop forever.
  IOLoop loop;
  TimeoutList list;
  std::vector<int> fired;
  std::vector<Clock::time_point> iterations;  // iteration_time() per firing.
  Waiter a(1, &fired);
  a.then = [&](Waiter& self) {
    iterations.push_back(loop.iteration_time());
    if (fired.size() < 3) {
      list.arm(self, loop, Clock::now() - std::chrono::seconds(1));
    }
  };
  list.arm(a, loop, Clock::now());
  ASSERT_TRUE(loop.run_until([&] { return fired.size() == 3; }, 5));
  EXPECT_FALSE(a.armed());
  // Each firing in its own loop iteration (one iteration has one
  // iteration_time()), not three in a row inside one expiry.
  ASSERT_EQ(iterations.size(), 3u);
  EXPECT_NE(iterations[0], iterations[1]);
  EXPECT_NE(iterations[1], iterations[2]);
}

TEST(TimeoutListTest, ArmingAgainMovesTheEntry) {
  IOLoop loop;
  TimeoutList list;
  std::vector<int> fired;
  Waiter a(1, &fired), b(2, &fired);
  Clock::time_point start = Clock::now();
  list.arm(a, loop, start + milliseconds(5));
  list.arm(b, loop, start + milliseconds(20));
  list.arm(a, loop, start + milliseconds(40));  // Later now: after b.
  ASSERT_TRUE(loop.run_until([&] { return fired.size() == 2; }, 5));
  EXPECT_EQ(fired, (std::vector<int>{2, 1}));
  EXPECT_GE(a.fired_at, start + milliseconds(40));
}

TEST(TimeoutListTest, EntriesAndListsMayGoInAnyOrder) {
  IOLoop loop;
  std::vector<int> fired;
  auto a = std::make_unique<Waiter>(1, &fired);
  {
    TimeoutList list;
    Waiter b(2, &fired);
    list.arm(*a, loop, Clock::now() + milliseconds(5));
    list.arm(b, loop, Clock::now() + milliseconds(5));
  }  // b goes first (unlinks itself), then the list (unlinks a).
  EXPECT_FALSE(a->armed());
  a.reset();
  EXPECT_FALSE(loop.run_until([&] { return !fired.empty(); }, 0.05));
}

}  // namespace
}  // namespace eddy
