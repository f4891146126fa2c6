// IOStream's thread contract (iostream.h, "Threads"): its methods belong to
// the loop thread, and a call from another thread while the loop runs
// aborts with a message naming the method, in every build mode.
//   Also run under ThreadSanitizer:
//   tools/bazel test --config=tsan //03_iostream:iostream_thread_test
#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "03_iostream/iostream.h"
#include "03_iostream/test_util.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

using testing::unix_pair;

// Runs `io` on a thread of its own, calls `misuse(stream)` from this thread
// once the loop runs, then stops the loop (which a misuse never reaches).
void misuse_from_another_thread(
    const std::function<void(IOStream&)>& misuse) {
  IOLoop io;
  auto [ours, theirs] = unix_pair();
  auto stream = IOStream::create(std::move(ours), io);
  std::atomic<bool> started{false};
  std::thread runner([&] {
    io.add_callback([&] { started = true; });
    io.start();
  });
  while (!started) std::this_thread::yield();
  misuse(*stream);
  io.stop();
  runner.join();
}

using IOStreamThreadDeathTest = ::testing::Test;

// Regression: a write() from a worker thread was a silent data race on the
// write queue (issue 15, item 20).
TEST(IOStreamThreadDeathTest, WriteFromAnotherThreadAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(misuse_from_another_thread(
                   [](IOStream& stream) { stream.write("x"); }),
               "eddy::IOStream::write called from a thread that is not "
               "running the loop");
}

TEST(IOStreamThreadDeathTest, ReadFromAnotherThreadAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(misuse_from_another_thread([](IOStream& stream) {
                 stream.read_until("\n", [](std::string_view) {});
               }),
               "eddy::IOStream::read_until called from a thread");
}

TEST(IOStreamThreadDeathTest, CloseFromAnotherThreadAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(misuse_from_another_thread(
                   [](IOStream& stream) { stream.close(); }),
               "eddy::IOStream::close called from a thread");
}

TEST(IOStreamThreadDeathTest, SetCloseCallbackFromAnotherThreadAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(misuse_from_another_thread([](IOStream& stream) {
                 stream.set_close_callback([] {});
               }),
               "eddy::IOStream::set_close_callback called from a thread");
}

// The other side of the contract: before the loop runs, and from the loop
// thread through add_callback, the same calls are fine.
TEST(IOStreamThreadTest, CallsBeforeTheLoopRunsAndThroughAddCallbackAreFine) {
  IOLoop io;
  auto [ours, theirs] = unix_pair();
  auto stream = IOStream::create(std::move(ours), io);
  stream->write("before\n");  // The loop is not running: allowed.
  std::atomic<bool> written{false};
  std::thread other([&] {
    io.add_callback([&] { stream->write("after\n", [&] { written = true; }); });
  });
  other.join();
  EXPECT_TRUE(io.run_until([&] { return written.load(); }, 10.0));
  EXPECT_EQ(testing::read_available(theirs.get()), "before\nafter\n");
}

}  // namespace
}  // namespace eddy
