// Benchmarks of chapter 01's IOLoop: callbacks/s, timeouts/s, handler
// dispatches/s. Items/s is the number to read. Run optimised:
//   tools/bazel run -c opt //01_ioloop:ioloop_benchmark
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "benchmark/benchmark.h"

namespace eddy {
namespace {

using Clock = IOLoop::Clock;

// One callback re-adds the next: every callback is a full loop iteration
// (epoll_wait with a zero timeout, then the callback step).
void BM_CallbackChain(benchmark::State& state) {
  IOLoop io;
  const int64_t chain = state.range(0);
  for (auto _ : state) {
    int64_t left = chain;
    std::function<void()> step = [&] {
      if (--left > 0) {
        io.add_callback(step);
      } else {
        io.stop();
      }
    };
    io.add_callback(step);
    io.start();
  }
  state.SetItemsProcessed(state.iterations() * chain);
}
BENCHMARK(BM_CallbackChain)->Arg(10000);

// N callbacks queued at once run in one iteration: the per-callback cost of
// the queue (mutex, vector swap, std::function call) without the syscall.
void BM_CallbackBatch(benchmark::State& state) {
  IOLoop io;
  const int64_t batch = state.range(0);
  for (auto _ : state) {
    int64_t ran = 0;
    for (int64_t i = 0; i < batch; ++i) io.add_callback([&ran] { ++ran; });
    io.add_callback([&io] { io.stop(); });
    io.start();
    benchmark::DoNotOptimize(ran);
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_CallbackBatch)->Arg(1)->Arg(64)->Arg(1024);

// N timeouts, already due, with distinct deadlines in reverse order: heap
// push, heap pop, map insert/erase and the call, all in one iteration.
void BM_TimeoutAddAndFire(benchmark::State& state) {
  IOLoop io;
  const int64_t count = state.range(0);
  for (auto _ : state) {
    int64_t fired = 0;
    auto now = Clock::now();
    for (int64_t i = 0; i < count; ++i)
      io.add_timeout(now - std::chrono::nanoseconds(i), [&fired] { ++fired; });
    io.add_callback([&io] { io.stop(); });
    io.start();
    if (fired != count) state.SkipWithError("not every timeout fired");
  }
  state.SetItemsProcessed(state.iterations() * count);
}
BENCHMARK(BM_TimeoutAddAndFire)->Arg(1024);

// N far-future timeouts added then removed: lazy cancellation, including
// the heap cleanups that piles of cancelled entries trigger.
void BM_TimeoutAddAndRemove(benchmark::State& state) {
  IOLoop io;
  const int64_t count = state.range(0);
  std::vector<TimeoutHandle> handles(static_cast<size_t>(count));
  for (auto _ : state) {
    for (int64_t i = 0; i < count; ++i)
      handles[static_cast<size_t>(i)] = io.call_later(3600.0 + i, [] {});
    for (TimeoutHandle handle : handles) io.remove_timeout(handle);
  }
  state.SetItemsProcessed(state.iterations() * count);
}
BENCHMARK(BM_TimeoutAddAndRemove)->Arg(1024)->Arg(65536);

// `fds` eventfds stay readable (level-triggered, never read), so every
// iteration epoll reports all of them and the loop calls each handler.
void BM_HandlerDispatch(benchmark::State& state) {
  IOLoop io;
  const int fds = static_cast<int>(state.range(0));
  constexpr int64_t kRounds = 1000;
  std::vector<int> eventfds;
  int64_t calls = 0;
  int64_t target = 0;
  for (int i = 0; i < fds; ++i) {
    int fd = ::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
    eventfds.push_back(fd);
    io.add_handler(
        fd,
        [&](int, uint32_t) {
          if (++calls == target) io.stop();
        },
        IOLoop::READ);
  }
  for (auto _ : state) {
    target = calls + kRounds * fds;
    io.start();
  }
  state.SetItemsProcessed(state.iterations() * kRounds * fds);
  io.close(/*all_fds=*/true);
}
BENCHMARK(BM_HandlerDispatch)->Arg(1)->Arg(64);

}  // namespace
}  // namespace eddy

BENCHMARK_MAIN();
