// IOStream throughput against a plain blocking read() loop over the same
// kind of loopback TCP pair, in one run (README.md, "Benchmark numbers").
//
// In every case a writer thread feeds one end of the pair as fast as it can
// (blocking send of a prepared payload); the benchmark reads the other end.
// One iteration reads kBytesPerIteration (4 MiB) in both variants, so the
// cost of entering the loop from the benchmark harness (IOLoop::run_until)
// is spread over many messages, as in a server whose loop never stops:
//   BM_PlainRead/size        read() until `size` bytes arrived, repeat
//   BM_StreamRead/size       IOStream::read_bytes(size), re-armed from the
//                            callback
//   BM_PlainLines/length     read() 64 KiB at a time, memchr for every '\n',
//                            hand each line to a (non-inlined) handler
//   BM_StreamReadUntil/length  IOStream::read_until("\n") per line; the
//                            callback calls the same handler and re-arms
// bytes_per_second (wall clock) and CPU time per iteration are the figures
// to compare; the walkthrough reports stream/plain ratios of both.
//
//   tools/bazel run -c opt //03_iostream:iostream_benchmark
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "03_iostream/iostream.h"
#include "03_iostream/test_util.h"

namespace eddy {
namespace {

constexpr size_t kBytesPerIteration = 4 << 20;

// Sends `payload` over and over on a blocking socket until the peer closes.
class Feeder {
 public:
  Feeder(Socket socket, std::string payload)
      : socket_(std::move(socket)), payload_(std::move(payload)) {
    testing::set_blocking(socket_.get(), true);
    thread_ = std::thread([this] { run(); });
  }
  ~Feeder() { thread_.join(); }

 private:
  void run() {
    for (;;) {
      const char* data = payload_.data();
      size_t left = payload_.size();
      while (left > 0) {
        ssize_t n = ::send(socket_.get(), data, left, MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EINTR) continue;
          return;  // The reader closed its end: done.
        }
        data += n;
        left -= static_cast<size_t>(n);
      }
    }
  }
  Socket socket_;
  std::string payload_;
  std::thread thread_;
};

// What both line readers do with each line: a call the compiler cannot
// inline away, as real code hands each line to its handler.
__attribute__((noinline)) void handle_line(std::string_view line) {
  benchmark::DoNotOptimize(line.data());
}

std::string lines_payload(size_t line_length) {
  std::string line(line_length - 1, 'x');
  line += '\n';
  std::string payload;
  while (payload.size() < (1 << 20)) payload += line;
  return payload;
}

void report(benchmark::State& state, size_t items_per_iteration) {
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * kBytesPerIteration));
  state.SetItemsProcessed(
      static_cast<int64_t>(state.iterations() * items_per_iteration));
}

// Drives `loop` until `*count` reaches `wanted`; false on a stall.
bool run_until_count(IOLoop& loop, const size_t& count, size_t wanted) {
  return loop.run_until([&] { return count >= wanted; }, 10);
}

// ---- Bulk transfer
// --------------------------------------------------------------

void BM_PlainRead(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  auto [reader, writer] = testing::tcp_pair();
  testing::set_blocking(reader.get(), true);
  auto feeder = std::make_unique<Feeder>(std::move(writer),
                                         testing::make_pattern(1 << 20));
  std::vector<char> buffer(size);
  for (auto _ : state) {
    for (size_t message = 0; message < kBytesPerIteration / size; ++message) {
      size_t got = 0;
      while (got < size) {
        ssize_t n = ::read(reader.get(), buffer.data() + got, size - got);
        if (n <= 0) {
          state.SkipWithError("read failed");
          return;
        }
        got += static_cast<size_t>(n);
      }
      benchmark::DoNotOptimize(buffer.data());
    }
  }
  report(state, kBytesPerIteration / size);
  reader.reset();  // The feeder's next send fails: it stops.
  feeder.reset();
}

void BM_StreamRead(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  IOLoop loop;
  auto [reader, writer] = testing::tcp_pair();
  auto feeder = std::make_unique<Feeder>(std::move(writer),
                                         testing::make_pattern(1 << 20));
  struct Reader {
    std::shared_ptr<IOStream> stream;
    size_t size;
    size_t messages = 0;
    size_t wanted = 0;
    void next() {
      stream->read_bytes(size, [this](std::string_view data) {
        benchmark::DoNotOptimize(data.data());
        if (++messages < wanted) next();
      });
    }
  } reader_state{IOStream::create(std::move(reader), loop), size};
  for (auto _ : state) {
    reader_state.messages = 0;
    reader_state.wanted = kBytesPerIteration / size;
    reader_state.next();
    if (!run_until_count(loop, reader_state.messages, reader_state.wanted)) {
      state.SkipWithError("stream read stalled");
      break;
    }
  }
  report(state, kBytesPerIteration / size);
  reader_state.stream->close();
  feeder.reset();
  loop.run_until([] { return false; }, 0);  // Let the close callback run.
}

// ---- Many delimiters per read
// ----------------------------------------------------------

void BM_PlainLines(benchmark::State& state) {
  const size_t line_length = static_cast<size_t>(state.range(0));
  const size_t lines_per_iteration = kBytesPerIteration / line_length;
  auto [reader, writer] = testing::tcp_pair();
  testing::set_blocking(reader.get(), true);
  auto feeder =
      std::make_unique<Feeder>(std::move(writer), lines_payload(line_length));
  std::vector<char> buffer(kDefaultReadChunkSize);
  size_t start = 0, end = 0;  // Unread bytes: buffer[start, end).
  for (auto _ : state) {
    size_t lines = 0;
    while (lines < lines_per_iteration) {
      const char* found = static_cast<const char*>(
          std::memchr(buffer.data() + start, '\n', end - start));
      if (found != nullptr) {
        size_t length = static_cast<size_t>(found - buffer.data()) + 1 - start;
        handle_line(std::string_view(buffer.data() + start, length));
        start += length;
        ++lines;
        continue;
      }
      // Keep the partial line, read more behind it.
      std::memmove(buffer.data(), buffer.data() + start, end - start);
      end -= start;
      start = 0;
      ssize_t n =
          ::read(reader.get(), buffer.data() + end, buffer.size() - end);
      if (n <= 0) {
        state.SkipWithError("read failed");
        return;
      }
      end += static_cast<size_t>(n);
    }
  }
  report(state, lines_per_iteration);
  reader.reset();
  feeder.reset();
}

void BM_StreamReadUntil(benchmark::State& state) {
  const size_t line_length = static_cast<size_t>(state.range(0));
  const size_t lines_per_iteration = kBytesPerIteration / line_length;
  IOLoop loop;
  auto [reader, writer] = testing::tcp_pair();
  auto feeder =
      std::make_unique<Feeder>(std::move(writer), lines_payload(line_length));
  // The per-line handler holds one pointer of state, so the std::function
  // that stores it needs no heap allocation (as any small handler).
  struct Reader {
    std::shared_ptr<IOStream> stream;
    size_t lines = 0;
    size_t wanted = 0;
    void next() {
      stream->read_until("\n", [this](std::string_view data) {
        handle_line(data);
        if (++lines < wanted) next();
      });
    }
  } reader_state{IOStream::create(std::move(reader), loop)};
  for (auto _ : state) {
    reader_state.lines = 0;
    reader_state.wanted = lines_per_iteration;
    reader_state.next();
    if (!run_until_count(loop, reader_state.lines, lines_per_iteration)) {
      state.SkipWithError("stream read stalled");
      break;
    }
  }
  report(state, lines_per_iteration);
  reader_state.stream->close();
  feeder.reset();
  loop.run_until([] { return false; }, 0);
}

// ---- Memory per idle connection
// ----------------------------------------------------

// Heap bytes per idle stream: a keep-alive connection between requests, i.e.
// a pending read_until_match (an HTTP head reader) and a close callback,
// after it has served one request. Reported as the counter
// heap_bytes_per_stream (the kernel's socket buffers are not counted).
void BM_IdleStreamMemory(benchmark::State& state) {
  constexpr int kStreams = 2000;
  IOLoop loop;
  std::vector<Socket> peers;
  std::vector<std::shared_ptr<IOStream>> streams;
  peers.reserve(kStreams);
  streams.reserve(kStreams);
  IOStream::Matcher head_end = [](std::string_view data, size_t) {
    size_t end = data.find("\r\n\r\n");
    return end == std::string_view::npos ? 0 : end + 4;
  };
  for (auto _ : state) {
    size_t before = mallinfo2().uordblks;
    for (int i = 0; i < kStreams; ++i) {
      auto [mine, theirs] = testing::unix_pair();
      auto stream = IOStream::create(std::move(mine), loop);
      stream->set_close_callback([] {});
      stream->read_until_match(head_end, [](std::string_view) {});
      testing::write_all(theirs.get(), "GET / HTTP/1.1\r\n\r\n");
      peers.push_back(std::move(theirs));
      streams.push_back(std::move(stream));
    }
    // Serve the one request each, then re-arm: now every stream is idle.
    size_t served = 0;
    loop.run_until(
        [&] {
          served = 0;
          for (auto& stream : streams) served += stream->reading() ? 0 : 1;
          return served == streams.size();
        },
        10);
    for (auto& stream : streams) {
      stream->read_until_match(head_end, [](std::string_view) {});
    }
    loop.run_until([] { return false; }, 0.01);
    size_t after = mallinfo2().uordblks;
    state.counters["heap_bytes_per_stream"] =
        static_cast<double>(after - before) / kStreams;
    for (auto& stream : streams) stream->close();
    streams.clear();
    peers.clear();
    loop.run_until([] { return false; }, 0.01);
  }
}

BENCHMARK(BM_PlainRead)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();
BENCHMARK(BM_StreamRead)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();
BENCHMARK(BM_PlainLines)->Arg(64)->Arg(512)->UseRealTime();
BENCHMARK(BM_StreamReadUntil)->Arg(64)->Arg(512)->UseRealTime();
BENCHMARK(BM_IdleStreamMemory)->Iterations(1);

}  // namespace
}  // namespace eddy

BENCHMARK_MAIN();
