// Tests of IOLoop's two thread-safe entries, add_callback() and stop(), and
// of the thread-affinity check. Run them under ThreadSanitizer too:
//   tools/bazel test --config=tsan //01_ioloop:ioloop_thread_test
// A missing wake-up makes a test hang until Bazel's test timeout fails it.
// Threads are std::jthreads (joined on destruction) and a loop thread hands
// start()'s exception to the test: a loop that throws fails its test, it
// does not terminate the whole binary.
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

using Clock = IOLoop::Clock;

// The scheduler state of thread `tid` ('S' while blocked in epoll_wait).
char thread_state(pid_t tid) {
  std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string line;
  std::getline(stat, line);
  auto paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size()
             ? '?'
             : line[paren + 2];
}

// Waits (bounded) until thread `tid` is asleep in the kernel.
bool wait_until_sleeping(pid_t tid) {
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    if (thread_state(tid) == 'S') return true;
    std::this_thread::yield();
  }
  return false;
}

// The loop has no handlers and no timeouts, so epoll_wait blocks without a
// timeout: the only way start() returns is the other thread's add_callback
// waking it and the callback calling stop().
TEST(IOLoopThreadTest, AddCallbackFromAnotherThreadWakesBlockedLoop) {
  IOLoop io;
  std::atomic<pid_t> loop_tid{0};
  std::atomic<bool> ran_on_loop_thread{false};
  std::jthread other;
  io.add_callback([&] {
    loop_tid = static_cast<pid_t>(::syscall(SYS_gettid));
    other = std::jthread([&] {
      EXPECT_TRUE(wait_until_sleeping(loop_tid.load()))
          << "the loop thread never blocked";
      io.add_callback([&] {
        ran_on_loop_thread =
            static_cast<pid_t>(::syscall(SYS_gettid)) == loop_tid.load();
        io.stop();
      });
    });
  });
  io.start();
  other.join();
  EXPECT_TRUE(ran_on_loop_thread);
}

TEST(IOLoopThreadTest, StopFromAnotherThreadEndsStart) {
  IOLoop io;
  std::jthread other;
  io.add_callback([&] { other = std::jthread([&] { io.stop(); }); });
  io.start();
  other.join();
  EXPECT_FALSE(io.running());
}

TEST(IOLoopThreadTest, CallbacksFromManyThreadsAllRunInPerThreadOrder) {
  IOLoop io;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::vector<int>> seen(kThreads);  // Loop thread only.
  int total = 0;                                 // Loop thread only.
  std::vector<std::jthread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        io.add_callback([&, t, i] {
          seen[t].push_back(i);
          if (++total == kThreads * kPerThread) io.stop();
        });
      }
    });
  }
  io.start();
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(total, kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seen[t].size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) ASSERT_EQ(seen[t][i], i);
  }
}

TEST(IOLoopThreadTest, LoopStartedOnAnotherThreadRunsCallbacksThere) {
  IOLoop io;
  std::atomic<bool> ran{false};
  std::thread::id loop_thread;
  std::exception_ptr error;
  std::jthread runner([&] {
    loop_thread = std::this_thread::get_id();
    try {
      io.start();
    } catch (...) {
      error = std::current_exception();
    }
  });
  io.add_callback([&] {
    ran = std::this_thread::get_id() == loop_thread;
    io.stop();
  });
  runner.join();
  if (error) std::rethrow_exception(error);
  EXPECT_TRUE(ran);
}

using IOLoopThreadDeathTest = ::testing::Test;

TEST(IOLoopThreadDeathTest, LoopThreadMethodFromAnotherThreadAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        IOLoop io;
        std::atomic<bool> started{false};
        std::thread runner([&] {
          io.add_callback([&] { started = true; });
          io.start();
        });
        while (!started) std::this_thread::yield();
        io.call_later(1, [] {});  // Not the loop thread: aborts.
        runner.join();
      },
      "add_timeout called from a thread that is not running the loop");
}

}  // namespace
}  // namespace eddy
