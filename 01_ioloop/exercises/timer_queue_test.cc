// Grading tests of exercise 01.2 (timer_queue.h). Time is passed in
// explicitly, so nothing here waits.
#include "01_ioloop/exercises/timer_queue.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

using Clock = TimerQueue::Clock;
using std::chrono::milliseconds;

const Clock::time_point kT0 = Clock::time_point() + std::chrono::hours(1);

TEST(TimerQueueTest, EmptyQueueHasNoDeadlineAndRunsNothing) {
  TimerQueue q;
  EXPECT_EQ(q.size(), 0u);
  EXPECT_FALSE(q.next_deadline().has_value());
  EXPECT_EQ(q.run_due(kT0), 0u);
}

TEST(TimerQueueTest, RunsDueTimersInDeadlineOrder) {
  TimerQueue q;
  std::vector<int> order;
  q.add(kT0 + milliseconds(30), [&] { order.push_back(30); });
  q.add(kT0 + milliseconds(10), [&] { order.push_back(10); });
  q.add(kT0 + milliseconds(20), [&] { order.push_back(20); });
  q.add(kT0 + milliseconds(50), [&] { order.push_back(50); });
  EXPECT_EQ(q.size(), 4u);
  ASSERT_TRUE(q.next_deadline().has_value());
  EXPECT_EQ(*q.next_deadline(), kT0 + milliseconds(10));
  EXPECT_EQ(q.run_due(kT0 + milliseconds(30)), 3u);
  EXPECT_EQ(order, (std::vector<int>{10, 20, 30}));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(*q.next_deadline(), kT0 + milliseconds(50));
}

TEST(TimerQueueTest, EqualDeadlinesRunInInsertionOrder) {
  TimerQueue q;
  std::vector<int> order;
  for (int i = 0; i < 50; ++i) q.add(kT0, [&order, i] { order.push_back(i); });
  q.run_due(kT0);
  ASSERT_EQ(order.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(order[i], i);
}

TEST(TimerQueueTest, HandlesAreDistinctAndNonEmpty) {
  TimerQueue q;
  TimerQueue::Handle a = q.add(kT0, [] {});
  TimerQueue::Handle b = q.add(kT0, [] {});
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  EXPECT_NE(a.id, b.id);
}

TEST(TimerQueueTest, CancelledTimerNeverRuns) {
  TimerQueue q;
  bool ran = false;
  TimerQueue::Handle h = q.add(kT0, [&] { ran = true; });
  EXPECT_TRUE(q.cancel(h));
  EXPECT_EQ(q.size(), 0u);
  EXPECT_FALSE(q.next_deadline().has_value());
  EXPECT_EQ(q.run_due(kT0 + milliseconds(1)), 0u);
  EXPECT_FALSE(ran);
}

TEST(TimerQueueTest, CancelReturnsFalseForRunCancelledOrEmptyHandles) {
  TimerQueue q;
  TimerQueue::Handle ran = q.add(kT0, [] {});
  TimerQueue::Handle cancelled = q.add(kT0 + milliseconds(5), [] {});
  EXPECT_TRUE(q.cancel(cancelled));
  q.run_due(kT0);
  EXPECT_FALSE(q.cancel(ran));
  EXPECT_FALSE(q.cancel(cancelled));
  EXPECT_FALSE(q.cancel(TimerQueue::Handle{}));
}

TEST(TimerQueueTest, StaleHandleDoesNotCancelANewerTimer) {
  // A slot (or id) reused by a later timer must not be cancelled through the
  // handle of the timer that used it before.
  TimerQueue q;
  TimerQueue::Handle old = q.add(kT0, [] {});
  q.run_due(kT0);
  int ran = 0;
  for (int i = 0; i < 10; ++i) q.add(kT0 + milliseconds(1), [&] { ++ran; });
  EXPECT_FALSE(q.cancel(old));
  EXPECT_EQ(q.run_due(kT0 + milliseconds(1)), 10u);
  EXPECT_EQ(ran, 10);
}

TEST(TimerQueueTest, CancelledCallbackIsDestroyed) {
  TimerQueue q;
  auto token = std::make_shared<int>(7);
  std::weak_ptr<int> watch = token;
  TimerQueue::Handle h = q.add(kT0, [token] {});
  token.reset();
  ASSERT_FALSE(watch.expired());
  q.cancel(h);
  // Destroyed at the latest by the next call that compacts; run_due always
  // may, so drive one.
  q.run_due(kT0 + milliseconds(1));
  EXPECT_TRUE(watch.expired());
}

TEST(TimerQueueTest, TimerCancelledByEarlierCallbackInBatchDoesNotRun) {
  TimerQueue q;
  bool second_ran = false;
  TimerQueue::Handle second;
  q.add(kT0, [&] { EXPECT_TRUE(q.cancel(second)); });
  second = q.add(kT0 + milliseconds(1), [&] { second_ran = true; });
  EXPECT_EQ(q.run_due(kT0 + milliseconds(5)), 1u);
  EXPECT_FALSE(second_ran);
}

TEST(TimerQueueTest, TimerAddedByCallbackWaitsForTheNextRun) {
  TimerQueue q;
  std::vector<std::string> order;
  q.add(kT0, [&] {
    order.push_back("first");
    q.add(kT0, [&] { order.push_back("added"); });  // Already due.
  });
  EXPECT_EQ(q.run_due(kT0), 1u);
  EXPECT_EQ(order, (std::vector<std::string>{"first"}));
  EXPECT_EQ(q.run_due(kT0), 1u);
  EXPECT_EQ(order, (std::vector<std::string>{"first", "added"}));
}

TEST(TimerQueueTest, ThrowingCallbackLeavesTheRestQueued) {
  TimerQueue q;
  std::vector<int> order;
  q.add(kT0, [&] { order.push_back(1); });
  q.add(kT0 + milliseconds(1), [] { throw std::runtime_error("boom"); });
  q.add(kT0 + milliseconds(2), [&] { order.push_back(3); });
  EXPECT_THROW(q.run_due(kT0 + milliseconds(10)), std::runtime_error);
  EXPECT_EQ(order, (std::vector<int>{1}));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.run_due(kT0 + milliseconds(10)), 1u);
  EXPECT_EQ(order, (std::vector<int>{1, 3}));
}

TEST(TimerQueueTest, ManyCancellationsKeepTheHeapBounded) {
  TimerQueue q;
  std::vector<TimerQueue::Handle> handles;
  int live_ran = 0;
  // 10 live timers far away, then 20000 add/cancel pairs: a queue that only
  // deletes lazily from the top would hold 20010 entries.
  for (int i = 0; i < 10; ++i)
    q.add(kT0 + std::chrono::hours(1), [&] { ++live_ran; });
  for (int i = 0; i < 20000; ++i) {
    TimerQueue::Handle h = q.add(kT0 + milliseconds(10 + i % 100), [] {});
    ASSERT_TRUE(q.cancel(h));
    ASSERT_LE(q.heap_size(), 2 * q.size() + 64) << "after " << i << " cancels";
  }
  EXPECT_EQ(q.size(), 10u);
  EXPECT_EQ(*q.next_deadline(), kT0 + std::chrono::hours(1));
  EXPECT_EQ(q.run_due(kT0 + std::chrono::hours(2)), 10u);
  EXPECT_EQ(live_ran, 10);
  EXPECT_EQ(q.heap_size(), 0u);
}

TEST(TimerQueueTest, MixedWorkloadMatchesASimpleModel) {
  // A deterministic pseudo-random mix of add/cancel/run_due, checked against
  // the obvious O(n) model.
  TimerQueue q;
  struct ModelTimer {
    int deadline_ms;
    int seq;
    TimerQueue::Handle handle;
    bool live;
  };
  std::vector<ModelTimer> model;
  std::vector<int> ran, expected;
  uint32_t rng = 12345;
  auto next = [&] { return rng = rng * 1103515245u + 12345u, (rng >> 8); };
  int now_ms = 0;
  for (int step = 0; step < 3000; ++step) {
    uint32_t op = next() % 10;
    if (op < 6) {
      int deadline = now_ms + static_cast<int>(next() % 50);
      int seq = static_cast<int>(model.size());
      TimerQueue::Handle h = q.add(kT0 + milliseconds(deadline),
                                   [&ran, seq] { ran.push_back(seq); });
      model.push_back({deadline, seq, h, true});
    } else if (op < 8 && !model.empty()) {
      ModelTimer& t = model[next() % model.size()];
      EXPECT_EQ(q.cancel(t.handle), t.live);
      t.live = false;
    } else {
      now_ms += static_cast<int>(next() % 20);
      std::vector<ModelTimer*> due;
      for (ModelTimer& t : model)
        if (t.live && t.deadline_ms <= now_ms) due.push_back(&t);
      std::stable_sort(due.begin(), due.end(), [](auto* a, auto* b) {
        return a->deadline_ms < b->deadline_ms;
      });
      for (ModelTimer* t : due) {
        expected.push_back(t->seq);
        t->live = false;
      }
      q.run_due(kT0 + milliseconds(now_ms));
      ASSERT_EQ(ran, expected) << "at step " << step;
    }
    size_t live = 0;
    for (const ModelTimer& t : model) live += t.live;
    ASSERT_EQ(q.size(), live);
    ASSERT_LE(q.heap_size(), 2 * q.size() + 64);
  }
}

}  // namespace
}  // namespace eddy::exercises
