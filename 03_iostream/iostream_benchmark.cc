// IOStream throughput against a plain blocking read() loop over the same
// kind of loopback TCP pair, in one run (README.md, "Benchmark numbers").
//
// In every case a writer thread feeds one end of the pair as fast as it can
// (blocking send of a prepared payload); the benchmark reads the other end:
//   BM_PlainRead/size     read() until `size` bytes arrived
//   BM_StreamRead/size    IOStream::read_bytes(size) on an IOLoop
//   BM_PlainLines         read() 64 KiB at a time, memchr for every '\n'
//   BM_StreamReadUntil    IOStream::read_until("\n") per 64-byte line
// bytes_per_second is the figure to compare; the ratio stream/plain is what
// the walkthrough reports.
//
//   bazel run -c opt //03_iostream:iostream_benchmark
#include <benchmark/benchmark.h>
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

constexpr size_t kLineLength = 64;
constexpr size_t kLinesPerIteration = 1024;  // 64 KiB of lines.

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

std::string lines_payload() {
  std::string line(kLineLength - 1, 'x');
  line += '\n';
  std::string payload;
  for (size_t i = 0; i < kLinesPerIteration; ++i) payload += line;
  return payload;
}

// ---- Bulk transfer
// ---------------------------------------------------------------

void BM_PlainRead(benchmark::State& state) {
  size_t size = static_cast<size_t>(state.range(0));
  auto [reader, writer] = testing::tcp_pair();
  testing::set_blocking(reader.get(), true);
  auto feeder = std::make_unique<Feeder>(std::move(writer),
                                         testing::make_pattern(1 << 20));
  std::vector<char> buffer(size);
  for (auto _ : state) {
    size_t got = 0;
    while (got < size) {
      ssize_t n = ::read(reader.get(), buffer.data() + got, size - got);
      if (n <= 0) {
        state.SkipWithError("read failed");
        break;
      }
      got += static_cast<size_t>(n);
    }
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  reader.reset();  // The feeder's next send fails: it stops.
  feeder.reset();
}

void BM_StreamRead(benchmark::State& state) {
  size_t size = static_cast<size_t>(state.range(0));
  IOLoop loop;
  auto [reader, writer] = testing::tcp_pair();
  auto feeder = std::make_unique<Feeder>(std::move(writer),
                                         testing::make_pattern(1 << 20));
  auto stream = IOStream::create(std::move(reader), loop);
  bool done = false;
  auto on_data = [&](std::string_view data) {
    benchmark::DoNotOptimize(data.data());
    done = true;
  };
  for (auto _ : state) {
    done = false;
    stream->read_bytes(size, on_data);
    if (!loop.run_until([&] { return done; }, 10)) {
      state.SkipWithError("stream read timed out");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  stream->close();
  feeder.reset();
  loop.run_until([] { return false; }, 0);  // Let the close callback run.
}

// ---- Many delimiters per read
// -------------------------------------------------------

void BM_PlainLines(benchmark::State& state) {
  auto [reader, writer] = testing::tcp_pair();
  testing::set_blocking(reader.get(), true);
  auto feeder = std::make_unique<Feeder>(std::move(writer), lines_payload());
  std::vector<char> buffer(kDefaultReadChunkSize);
  size_t start = 0, end = 0;  // Unread bytes: buffer[start, end).
  for (auto _ : state) {
    size_t lines = 0;
    while (lines < kLinesPerIteration) {
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
  state.SetBytesProcessed(static_cast<int64_t>(
      state.iterations() * kLinesPerIteration * kLineLength));
  state.SetItemsProcessed(
      static_cast<int64_t>(state.iterations() * kLinesPerIteration));
  reader.reset();
  feeder.reset();
}

void BM_StreamReadUntil(benchmark::State& state) {
  IOLoop loop;
  auto [reader, writer] = testing::tcp_pair();
  auto feeder = std::make_unique<Feeder>(std::move(writer), lines_payload());
  // The per-line handler: one pointer of state, so the std::function holding
  // it needs no heap allocation (as any small handler).
  struct Reader {
    std::shared_ptr<IOStream> stream;
    size_t lines = 0;
    void next() {
      stream->read_until("\n", [this](std::string_view data) {
        handle_line(data);
        if (++lines < kLinesPerIteration) next();
      });
    }
  } reader_state{IOStream::create(std::move(reader), loop)};
  auto& stream = reader_state.stream;
  size_t& lines = reader_state.lines;
  for (auto _ : state) {
    lines = 0;
    reader_state.next();
    if (!loop.run_until([&] { return lines == kLinesPerIteration; }, 10)) {
      state.SkipWithError("stream read timed out");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(
      state.iterations() * kLinesPerIteration * kLineLength));
  state.SetItemsProcessed(
      static_cast<int64_t>(state.iterations() * kLinesPerIteration));
  stream->close();
  feeder.reset();
  loop.run_until([] { return false; }, 0);
}

BENCHMARK(BM_PlainRead)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();
BENCHMARK(BM_StreamRead)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();
BENCHMARK(BM_PlainLines)->UseRealTime();
BENCHMARK(BM_StreamReadUntil)->UseRealTime();

}  // namespace
}  // namespace eddy

BENCHMARK_MAIN();
