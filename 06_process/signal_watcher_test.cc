// SignalWatcher: signals arrive as loop callbacks; destroying the watcher
// discards signals still pending and restores the mask (without the drain,
// the second SIGUSR1 below would kill this test process when unblocked).
#include "06_process/signal_watcher.h"

#include <signal.h>
#include <unistd.h>

#include <memory>

#include "01_ioloop/ioloop.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

constexpr double kDeadline = 10;

bool blocked(int signal_number) {
  sigset_t mask;
  ::sigprocmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, signal_number) == 1;
}

TEST(SignalWatcherTest, DeliversOnTheLoopAndDrainsWhenDestroyed) {
  IOLoop loop;
  int seen = 0;
  {
    SignalWatcher watcher(loop, {SIGUSR1, SIGUSR2},
                          [&](int signal_number) { seen = signal_number; });
    EXPECT_TRUE(blocked(SIGUSR1));
    ASSERT_EQ(::kill(::getpid(), SIGUSR2), 0);
    EXPECT_EQ(seen, 0) << "never inside kill(): only on the loop";
    ASSERT_TRUE(loop.run_until([&] { return seen == SIGUSR2; }, kDeadline));
    ASSERT_EQ(::kill(::getpid(), SIGUSR1), 0);  // Left pending.
  }
  EXPECT_FALSE(blocked(SIGUSR1)) << "the mask is restored";
  sigset_t pending;
  ::sigpending(&pending);
  EXPECT_EQ(sigismember(&pending, SIGUSR1), 0);
  loop.close();
}

TEST(SignalWatcherTest, TheCallbackMayDestroyTheWatcher) {
  IOLoop loop;
  std::unique_ptr<SignalWatcher> watcher;
  bool ran = false;
  watcher = std::make_unique<SignalWatcher>(
      loop, std::initializer_list<int>{SIGUSR1}, [&](int) {
        ran = true;
        watcher.reset();
      });
  ASSERT_EQ(::kill(::getpid(), SIGUSR1), 0);
  ASSERT_TRUE(loop.run_until([&] { return ran; }, kDeadline));
  EXPECT_EQ(watcher, nullptr);
  EXPECT_FALSE(blocked(SIGUSR1));
  loop.close();
}

TEST(SignalWatcherTest, NoSignalsIsAnError) {
  IOLoop loop;
  EXPECT_THROW(SignalWatcher(loop, {}, [](int) {}), std::invalid_argument);
  loop.close();
}

}  // namespace
}  // namespace eddy
