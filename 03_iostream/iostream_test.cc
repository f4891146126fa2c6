// IOStream tests: every read kind fed whole, byte by byte and split at chunk
// edges; large transfers through tiny socket buffers; wire errors; the
// lifetime rules of iostream.h under ASan. No sleeps: the loop is driven
// with IOLoop::run_until and a deadline.
#include "03_iostream/iostream.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "02_netutil/netutil.h"
#include "03_iostream/test_util.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

using testing::bytes_readable;
using testing::make_pattern;
using testing::read_available;
using testing::reset_close;
using testing::tcp_pair;
using testing::unix_pair;
using testing::write_all;

constexpr double kDeadline = 10.0;  // Seconds; every wait has one.

class IOStreamTest : public ::testing::Test {
 protected:
  bool run_until(const std::function<bool()>& condition,
                 double timeout = kDeadline) {
    return loop_.run_until(condition, timeout);
  }
  // Runs the loop until the stream has read everything the peer sent.
  void drain_into(const std::shared_ptr<IOStream>& stream) {
    int fd = stream->fd();
    ASSERT_TRUE(run_until([&] { return bytes_readable(fd) == 0; }));
  }
  std::shared_ptr<IOStream> stream(Socket socket,
                                   size_t max_buffer = kDefaultMaxBufferSize,
                                   size_t chunk = kDefaultReadChunkSize) {
    return IOStream::create(std::move(socket), loop_, max_buffer, chunk);
  }
  IOLoop loop_;
};

// Counts calls of the transport, to prove how many syscalls a flush takes.
class CountingStream : public IOStream {
 public:
  static std::shared_ptr<CountingStream> create(Socket socket, IOLoop& loop) {
    return std::shared_ptr<CountingStream>(
        new CountingStream(std::move(socket), loop));
  }
  int writes = 0;
  int reads = 0;

 protected:
  CountingStream(Socket socket, IOLoop& loop)
      : IOStream(std::move(socket), loop, kDefaultMaxBufferSize,
                 kDefaultReadChunkSize) {}
  ssize_t write_to_fd(const iovec* iov, int iovcnt) override {
    ++writes;
    return IOStream::write_to_fd(iov, iovcnt);
  }
  ssize_t read_from_fd(char* buffer, size_t size) override {
    ++reads;
    return IOStream::read_from_fd(buffer, size);
  }
};

// ---- read_until
// ---------------------------------------------------------------

TEST_F(IOStreamTest, ReadUntilAcrossManySmallWrites) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  std::string line;
  bool done = false;
  s->read_until("\r\n", [&](std::string_view data) {
    line = data;
    done = true;
  });
  const std::string message = "GET / HTTP/1.1 with a few more words\r\n";
  for (char c : message) {
    write_all(b.get(), std::string(1, c));
    drain_into(s);  // One byte per event: every byte is a separate recv.
  }
  ASSERT_TRUE(run_until([&] { return done; }));
  EXPECT_EQ(line, message);
}

TEST_F(IOStreamTest, ReadUntilSplitAtEveryOffsetWithTinyChunks) {
  // Lines whose delimiter straddles every possible chunk edge, for several
  // chunk sizes and delimiter lengths.
  for (size_t chunk : {1u, 2u, 3u, 5u, 7u}) {
    for (std::string delimiter : {"\n", "\r\n", "\r\n\r\n", "<END>"}) {
      auto [a, b] = unix_pair();
      auto s = stream(std::move(a), kDefaultMaxBufferSize, chunk);
      std::vector<std::string> expected;
      std::string input;
      for (size_t length = 0; length < 12; ++length) {
        expected.push_back(std::string(length, 'x') + delimiter);
        input += expected.back();
      }
      std::vector<std::string> got;
      std::function<void(std::string_view)> on_line =
          [&](std::string_view data) {
            got.emplace_back(data);
            if (got.size() < expected.size()) s->read_until(delimiter, on_line);
          };
      s->read_until(delimiter, on_line);
      write_all(b.get(), input);
      ASSERT_TRUE(run_until([&] { return got.size() == expected.size(); }))
          << "chunk " << chunk << " delimiter " << delimiter;
      EXPECT_EQ(got, expected);
    }
  }
}

TEST_F(IOStreamTest, ReadUntilServedFromBufferAcrossBigChunk) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  std::string first(100000, 'a');  // Larger than one read_chunk_size.
  first += "|";
  write_all(b.get(), first + "tail|");
  std::vector<size_t> sizes;
  s->read_until("|", [&](std::string_view data) {
    sizes.push_back(data.size());
    s->read_until("|", [&](std::string_view more) {
      sizes.push_back(more.size());
      EXPECT_EQ(more, "tail|");
    });
  });
  ASSERT_TRUE(run_until([&] { return sizes.size() == 2; }));
  EXPECT_EQ(sizes[0], first.size());
}

TEST_F(IOStreamTest, ReadUntilMatchResumesWhereItStopped) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  std::vector<size_t> froms;
  std::string head;
  bool done = false;
  IOStream::Matcher matcher = [&](std::string_view data, size_t from) {
    froms.push_back(from);
    size_t start = from >= 3 ? from - 3 : 0;
    size_t position = data.find("\r\n\r\n", start);
    return position == std::string_view::npos ? 0 : position + 4;
  };
  s->read_until_match(matcher, [&](std::string_view data) {
    head = data;
    done = true;
  });
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t i = 0; i < request.size(); i += 5) {
    write_all(b.get(), request.substr(i, 5));
    drain_into(s);
  }
  ASSERT_TRUE(run_until([&] { return done; }));
  EXPECT_EQ(head, request);
  // Every call started where the previous one stopped: never back at 0.
  EXPECT_EQ(froms.front(), 0u);
  for (size_t i = 1; i < froms.size(); ++i) {
    EXPECT_GE(froms[i], froms[i - 1]);
    EXPECT_GT(froms[i], 0u);
  }
}

TEST_F(IOStreamTest, ReadUntilRegex) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  std::string got;
  s->read_until_regex(std::regex("[0-9]+;"),
                      [&](std::string_view data) { got = data; });
  write_all(b.get(), "abc 12");
  drain_into(s);
  write_all(b.get(), "34; rest");
  ASSERT_TRUE(run_until([&] { return !got.empty(); }));
  EXPECT_EQ(got, "abc 1234;");
}

// ---- read_bytes
// ---------------------------------------------------------------

TEST_F(IOStreamTest, ReadBytesExactAndPartial) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  std::string exact, partial;
  s->read_bytes(5, [&](std::string_view data) {
    exact = data;
    s->read_bytes(
        100, [&](std::string_view data2) { partial = data2; }, true);
  });
  write_all(b.get(), "01");
  drain_into(s);
  EXPECT_TRUE(exact.empty());
  write_all(b.get(), "23456789");
  ASSERT_TRUE(run_until([&] { return !partial.empty(); }));
  EXPECT_EQ(exact, "01234");
  EXPECT_EQ(partial, "56789");  // What there was, not 100 bytes.
}

TEST_F(IOStreamTest, ReadBytesZeroAndFromBufferOutsideCallback) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  s->set_close_callback([] {});  // Starts watching: data is buffered.
  write_all(b.get(), "hello");
  drain_into(s);
  bool zero = false;
  std::string five;
  s->read_bytes(0, [&](std::string_view data) {
    zero = data.empty();
    s->read_bytes(5, [&](std::string_view data2) { five = data2; });
  });
  EXPECT_FALSE(zero);  // Never called from inside read_bytes itself.
  ASSERT_TRUE(run_until([&] { return !five.empty(); }));
  EXPECT_TRUE(zero);
  EXPECT_EQ(five, "hello");
}

TEST_F(IOStreamTest, ReadUntilCloseGetsEverything) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  std::string all;
  bool got = false, closed = false;
  s->set_close_callback([&] {
    closed = true;
    EXPECT_TRUE(got);  // Data first, then the close callback.
  });
  s->read_until_close([&](std::string_view data) {
    all = data;
    got = true;
  });
  std::string payload = make_pattern(300000);
  std::thread writer([&] {
    testing::set_blocking(b.get(), true);
    write_all(b.get(), payload);
    b.reset();
  });
  ASSERT_TRUE(run_until([&] { return closed; }));
  writer.join();
  EXPECT_TRUE(all == payload);
  EXPECT_FALSE(s->error());
}

// ---- big transfers
// --------------------------------------------------------------

// Sends `total` bytes of the pattern from `from` to `to` in 1 MiB writes and
// checks them on arrival with read_bytes(partial); `done` when all arrived.
struct Transfer {
  Transfer(std::shared_ptr<IOStream> from, std::shared_ptr<IOStream> to,
           const std::string& pattern)
      : from(std::move(from)), to(std::move(to)), pattern(pattern) {}
  void start() {
    for (size_t offset = 0; offset < pattern.size(); offset += kPiece) {
      from->write(pattern.substr(offset, kPiece), [this] { ++written; });
    }
    read_more();
  }
  void read_more() {
    to->read_bytes(
        1 << 20,
        [this](std::string_view data) {
          if (std::memcmp(data.data(), pattern.data() + received,
                          data.size()) != 0) {
            mismatch = true;
          }
          received += data.size();
          if (received < pattern.size()) read_more();
        },
        true);
  }
  bool done() const { return received == pattern.size(); }
  static constexpr size_t kPiece = 1 << 20;
  std::shared_ptr<IOStream> from, to;
  const std::string& pattern;
  size_t received = 0;
  size_t written = 0;
  bool mismatch = false;
};

TEST_F(IOStreamTest, Transfer64MiBBothWaysThroughTinySocketBuffers) {
  auto [a, b] = tcp_pair(/*buffer_size=*/4096);
  auto left = stream(std::move(a));
  auto right = stream(std::move(b));
  const std::string pattern = make_pattern(64u << 20);
  Transfer there(left, right, pattern);
  Transfer back(right, left, pattern);
  there.start();
  back.start();
  ASSERT_TRUE(run_until([&] { return there.done() && back.done(); }, 60));
  EXPECT_FALSE(there.mismatch);
  EXPECT_FALSE(back.mismatch);
  EXPECT_TRUE(
      run_until([&] { return there.written == 64 && back.written == 64; }));
  EXPECT_FALSE(left->writing());
}

// ---- limits
// ---------------------------------------------------------------------

TEST_F(IOStreamTest, MaxBytesWithoutDelimiterCloses) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  int closes = 0;
  bool called = false;
  s->set_close_callback([&] { ++closes; });
  s->read_until(
      "\n", [&](std::string_view) { called = true; }, 16);
  write_all(b.get(), std::string(100, 'x'));
  ASSERT_TRUE(run_until([&] { return closes == 1; }));
  EXPECT_FALSE(called);
  EXPECT_EQ(s->error(), std::errc::message_size);
}

TEST_F(IOStreamTest, MaxBytesWithLateDelimiterCloses) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  bool called = false;
  s->read_until(
      "\n", [&](std::string_view) { called = true; }, 16);
  write_all(b.get(), std::string(20, 'x') + "\n");
  ASSERT_TRUE(run_until([&] { return s->closed(); }));
  EXPECT_FALSE(called);
  EXPECT_EQ(s->error(), std::errc::message_size);
}

TEST_F(IOStreamTest, MaxBytesExactlyMetIsFine) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  std::string got;
  s->read_until(
      "\n", [&](std::string_view data) { got = data; }, 16);
  write_all(b.get(), std::string(15, 'x') + "\n");
  ASSERT_TRUE(run_until([&] { return !got.empty(); }));
  EXPECT_EQ(got.size(), 16u);
  EXPECT_FALSE(s->closed());
}

// max_bytes unread bytes without the delimiter can never become a message
// of at most max_bytes: the stream closes then, not one byte later.
TEST_F(IOStreamTest, MaxBytesUnreadWithoutDelimiterClosesAtOnce) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  bool called = false;
  s->read_until(
      "\n", [&](std::string_view) { called = true; }, 16);
  write_all(b.get(), std::string(16, 'x'));
  ASSERT_TRUE(run_until([&] { return s->closed(); }));
  EXPECT_FALSE(called);
  EXPECT_EQ(s->error(), std::errc::message_size);
}

TEST_F(IOStreamTest, MaxBufferSizeExceededWhileReading) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a), /*max_buffer=*/1024, /*chunk=*/256);
  bool called = false;
  s->read_until("\n", [&](std::string_view) { called = true; });
  write_all(b.get(), std::string(4096, 'x'));
  ASSERT_TRUE(run_until([&] { return s->closed(); }));
  EXPECT_FALSE(called);
  EXPECT_EQ(s->error(), std::errc::no_buffer_space);
}

TEST_F(IOStreamTest, IdleStreamBuffersOneChunkThenAppliesBackpressure) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a), /*max_buffer=*/1024, /*chunk=*/256);
  int closes = 0;
  s->set_close_callback([&] { ++closes; });
  write_all(b.get(), std::string(4096, 'x'));
  // Nobody reads: the stream takes one chunk and leaves the rest in the
  // kernel (no spinning, no close, no buffer growth).
  ASSERT_TRUE(run_until([&] { return bytes_readable(s->fd()) == 4096 - 256; }));
  run_until([] { return false; }, 0.05);
  EXPECT_EQ(bytes_readable(s->fd()), 4096 - 256);
  EXPECT_EQ(closes, 0);
  // A read takes everything, chunk by chunk.
  size_t got = 0;
  std::function<void(std::string_view)> more = [&](std::string_view data) {
    got += data.size();
    if (got < 4096) s->read_bytes(1024, more, true);
  };
  s->read_bytes(1024, more, true);
  ASSERT_TRUE(run_until([&] { return got == 4096; }));
  EXPECT_EQ(closes, 0);
}

TEST_F(IOStreamTest, IdleStreamWithSmallMaxBufferDoesNotClose) {
  // max_buffer_size below read_chunk_size: idle buffering stops at the max.
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a), /*max_buffer=*/100, /*chunk=*/4096);
  s->set_close_callback([] {});  // The first operation: starts watching.
  write_all(b.get(), std::string(1000, 'x'));
  ASSERT_TRUE(run_until([&] { return bytes_readable(s->fd()) == 900; }));
  run_until([] { return false; }, 0.05);
  EXPECT_FALSE(s->closed());
  size_t got = 0;
  s->read_bytes(100, [&](std::string_view data) { got = data.size(); });
  ASSERT_TRUE(run_until([&] { return got == 100; }));
}

TEST_F(IOStreamTest, ReadBytesOfExactlyMaxBufferSize) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a), /*max_buffer=*/1024, /*chunk=*/100);
  size_t got = 0;
  s->read_bytes(1024, [&](std::string_view data) { got = data.size(); });
  write_all(b.get(), std::string(1024, 'x'));
  ASSERT_TRUE(run_until([&] { return got != 0; }));
  EXPECT_EQ(got, 1024u);
  EXPECT_FALSE(s->closed());
}

// ---- wire errors
// ------------------------------------------------------------------

TEST_F(IOStreamTest, PeerResetMidRead) {
  auto [a, b] = tcp_pair();
  auto s = stream(std::move(a));
  int closes = 0;
  bool called = false;
  s->set_close_callback([&] { ++closes; });
  s->read_until("\n", [&](std::string_view) { called = true; });
  write_all(b.get(), "partial line");
  drain_into(s);
  reset_close(b);
  ASSERT_TRUE(run_until([&] { return closes == 1; }));
  EXPECT_FALSE(called);
  EXPECT_EQ(s->error(), std::errc::connection_reset);
  run_until([] { return false; }, 0.05);  // Room for a second (wrong) call.
  EXPECT_EQ(closes, 1);
}

TEST_F(IOStreamTest, PeerResetMidWrite) {
  auto [a, b] = tcp_pair(/*buffer_size=*/4096);
  auto s = stream(std::move(a));
  int closes = 0;
  bool written = false;
  s->set_close_callback([&] { ++closes; });
  s->write(std::string(8 << 20, 'x'), [&] { written = true; });
  EXPECT_TRUE(s->writing());
  // Let some bytes flow, then reset: the stream must close, not die of
  // SIGPIPE, and never report the write done.
  ASSERT_TRUE(run_until([&] { return bytes_readable(b.get()) > 0; }));
  read_available(b.get());
  reset_close(b);
  ASSERT_TRUE(run_until([&] { return closes == 1; }));
  EXPECT_FALSE(written);
  EXPECT_TRUE(s->error() == std::errc::connection_reset ||
              s->error() == std::errc::broken_pipe)
      << s->error().message();
}

TEST_F(IOStreamTest, WriteToPipeWhoseReaderLeftDoesNotKillTheProcess) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  ::close(fds[0]);
  auto s = stream(Socket(fds[1]));
  int closes = 0;
  s->set_close_callback([&] { ++closes; });
  s->write("into the void");
  ASSERT_TRUE(run_until([&] { return closes == 1; }));
  EXPECT_EQ(s->error(), std::errc::broken_pipe);
}

// A pipe's read end at EOF reports only HUP (no READ): that is a clean
// end of stream, as for a socket, not a broken pipe.
TEST_F(IOStreamTest, PipeWriterClosingIsACleanEof) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  auto s = stream(Socket(fds[0]));
  ASSERT_EQ(::write(fds[1], "tail", 4), 4);
  std::string all;
  bool closed = false;
  s->set_close_callback([&] { closed = true; });
  s->read_until_close([&](std::string_view data) { all = data; });
  drain_into(s);  // The data is read; only the HUP will come.
  ::close(fds[1]);
  ASSERT_TRUE(run_until([&] { return closed; }));
  EXPECT_EQ(all, "tail");
  EXPECT_FALSE(s->error()) << s->error().message();
}

TEST_F(IOStreamTest, IdleStreamNoticesPeerClose) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  int closes = 0;
  s->set_close_callback([&] { ++closes; });
  ASSERT_FALSE(run_until([&] { return closes > 0; }, 0.02));
  b.reset();
  ASSERT_TRUE(run_until([&] { return closes == 1; }));
  EXPECT_FALSE(s->error());  // A clean EOF.
}

// ---- Edge-triggered reads (README.md "Edge-triggered reads"): bytes that
// no new event will announce must still be read. TCP streams are
// edge-triggered; the tests use TCP pairs.

// A read satisfied by a full recv leaves the rest in the socket; the next
// read must fetch it although the peer sends nothing more.
TEST_F(IOStreamTest, BytesLeftBehindASatisfiedReadAreReadWithoutANewEvent) {
  auto [a, b] = tcp_pair();
  auto s = stream(std::move(a), kDefaultMaxBufferSize, /*chunk=*/4);
  write_all(b.get(), "ab\ncd\nef\ngh\n");
  std::vector<std::string> lines;
  std::function<void(std::string_view)> on_line = [&](std::string_view line) {
    lines.emplace_back(line);
    if (lines.size() < 4) s->read_until("\n", on_line);
  };
  s->read_until("\n", on_line);
  ASSERT_TRUE(run_until([&] { return lines.size() == 4; }));
  EXPECT_EQ(lines, (std::vector<std::string>{"ab\n", "cd\n", "ef\n", "gh\n"}));
}

// Data and FIN queued before the stream first looks: one event announces
// both, and a short read must not end the reading before EOF.
TEST_F(IOStreamTest, FinQueuedBehindDataIsSeenWithoutANewEvent) {
  auto [a, b] = tcp_pair();
  auto s = stream(std::move(a));
  write_all(b.get(), "last words");
  b.reset();
  std::string all;
  bool closed = false;
  s->set_close_callback([&] { closed = true; });
  s->read_until_close([&](std::string_view data) { all = data; });
  ASSERT_TRUE(run_until([&] { return closed; }));
  EXPECT_EQ(all, "last words");
}

// TCP urgent data: read() stops short at the urgent mark with bytes behind
// it, and no new event comes for them (PRI says so). The urgent byte itself
// is not part of the stream (no SO_OOBINLINE).
TEST_F(IOStreamTest, BytesBehindTcpUrgentDataAreRead) {
  auto [a, b] = tcp_pair();
  auto s = stream(std::move(a));
  ASSERT_EQ(::send(b.get(), "ab", 2, 0), 2);
  ASSERT_EQ(::send(b.get(), "X", 1, MSG_OOB), 1);
  ASSERT_EQ(::send(b.get(), "cd\n", 3, 0), 3);
  std::string line;
  s->read_until("\n", [&](std::string_view data) { line = data; });
  ASSERT_TRUE(run_until([&] { return !line.empty(); }));
  EXPECT_EQ(line, "abcd\n");
}

TEST_F(IOStreamTest, IdleStreamSeesFinQueuedBehindData) {
  auto [a, b] = tcp_pair();
  auto s = stream(std::move(a));
  write_all(b.get(), "unread");
  b.reset();
  bool closed = false;
  s->set_close_callback([&] { closed = true; });
  ASSERT_TRUE(run_until([&] { return closed; }));
  EXPECT_FALSE(s->error());
}

// A unix socket stops a read short after a message that carried a file
// descriptor, with more bytes behind it: such streams stay level-triggered.
TEST_F(IOStreamTest, BytesBehindAnFdPassingMessageAreRead) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  char data[] = "ab";
  iovec iov{data, 2};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int));
  int passed = 0;  // stdin; the reader drops it unread.
  std::memcpy(CMSG_DATA(header), &passed, sizeof passed);
  ASSERT_EQ(::sendmsg(b.get(), &message, 0), 2);
  write_all(b.get(), "cd\n");
  std::string line;
  s->read_until("\n", [&](std::string_view got) { line = got; });
  ASSERT_TRUE(run_until([&] { return !line.empty(); }));
  EXPECT_EQ(line, "abcd\n");
}

TEST_F(IOStreamTest, ThrowingMatcherClosesTheStream) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  bool closed = false, called = false;
  s->set_close_callback([&] { closed = true; });
  write_all(b.get(), "data");
  s->read_until_match(
      [](std::string_view, size_t) -> size_t {
        throw std::runtime_error("matcher failed");
      },
      [&](std::string_view) { called = true; });
  ASSERT_TRUE(run_until([&] { return closed; }));
  EXPECT_FALSE(called);
  EXPECT_EQ(s->error(), std::make_error_code(std::errc::operation_canceled));
}

TEST_F(IOStreamTest, CloseCallbackRunsExactlyOnce) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  int closes = 0;
  s->set_close_callback([&] { ++closes; });
  s->read_bytes(10, [](std::string_view) {});
  s->close();
  s->close();
  b.reset();
  ASSERT_TRUE(run_until([&] { return closes > 0; }));
  s->close(std::make_error_code(std::errc::io_error));
  run_until([] { return false; }, 0.05);
  EXPECT_EQ(closes, 1);
  EXPECT_FALSE(s->error());  // The first close decides.
}

TEST_F(IOStreamTest, CloseCallbackSetAfterCloseStillRunsOnce) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  std::weak_ptr<IOStream> weak = s;
  s->close();
  run_until([] { return false; }, 0.01);  // The close sequence runs.
  int closes = 0;
  s->set_close_callback([&closes, s] { ++closes; });  // Owns the stream.
  s.reset();
  ASSERT_TRUE(run_until([&] { return closes == 1 && weak.expired(); }));
}

TEST_F(IOStreamTest, PendingReadCallbackNeverFiresAfterClose) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  bool called = false, closed = false;
  s->read_bytes(100, [&](std::string_view) { called = true; });
  s->set_close_callback([&] { closed = true; });
  write_all(b.get(), "only 20 bytes here..");
  b.reset();
  ASSERT_TRUE(run_until([&] { return closed; }));
  EXPECT_FALSE(called);
}

// ---- writes
// -------------------------------------------------------------------------

TEST_F(IOStreamTest, WriteCallbacksRunInOrder) {
  auto [a, b] = tcp_pair(/*buffer_size=*/4096);
  auto s = stream(std::move(a));
  std::vector<int> order;
  s->write("small", [&] { order.push_back(1); });
  s->write(std::string(1 << 20, 'y'), [&] { order.push_back(2); });
  s->write(std::string(), [&] { order.push_back(3); });
  s->write("end", [&] { order.push_back(4); });
  EXPECT_TRUE(order.empty());  // Never inside write() itself.
  size_t received = 0;
  ASSERT_TRUE(run_until([&] {
    received += read_available(b.get()).size();
    return order.size() == 4;
  }));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_FALSE(s->writing());
}

TEST_F(IOStreamTest, WriteAfterCloseThrows) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  s->close();
  EXPECT_THROW(s->write("x"), StreamClosedError);
  EXPECT_THROW(s->write("x"), std::logic_error);
  EXPECT_THROW(s->read_bytes(1, [](std::string_view) {}), std::logic_error);
}

TEST_F(IOStreamTest, SecondReadThrows) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  s->read_until("\n", [](std::string_view) {});
  EXPECT_THROW(s->read_bytes(1, [](std::string_view) {}), std::logic_error);
  EXPECT_THROW(s->read_until("x", [](std::string_view) {}), std::logic_error);
  EXPECT_TRUE(s->reading());
}

// ---- lifetime
// --------------------------------------------------------------------

TEST_F(IOStreamTest, StreamClosedInsideItsOwnReadCallback) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  int closes = 0;
  bool second = false;
  s->set_close_callback([&] { ++closes; });
  s->read_until("\n", [&](std::string_view data) {
    EXPECT_EQ(data, "one\n");
    s->read_until("\n", [&](std::string_view) { second = true; });
    s->close();
    EXPECT_EQ(closes, 0);  // Runs after this callback returns.
    EXPECT_THROW(s->write("x"), StreamClosedError);
  });
  write_all(b.get(), "one\ntwo\n");
  ASSERT_TRUE(run_until([&] { return closes == 1; }));
  EXPECT_FALSE(second);
}

TEST_F(IOStreamTest, LastReferenceDroppedInsideCallback) {
  auto [a, b] = unix_pair();
  auto holder =
      std::make_shared<std::shared_ptr<IOStream>>(stream(std::move(a)));
  std::weak_ptr<IOStream> weak = *holder;
  bool called = false;
  (*holder)->read_until("\n", [&, holder](std::string_view data) {
    called = true;
    holder->reset();           // The last user reference goes away here.
    EXPECT_EQ(data, "bye\n");  // The view is still valid.
  });
  write_all(b.get(), "bye\n");
  holder.reset();  // Only the read callback's copy of the holder remains.
  ASSERT_TRUE(run_until([&] { return called; }));
  ASSERT_TRUE(run_until([&] { return weak.expired(); }));
  // The stream closed its fd when it was destroyed: the peer sees EOF.
  char c;
  EXPECT_EQ(::recv(b.get(), &c, 1, 0), 0);
}

TEST_F(IOStreamTest, LastReferenceDroppedInsideCloseCallback) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  std::weak_ptr<IOStream> weak = s;
  s->set_close_callback([&s] { s.reset(); });
  b.reset();
  ASSERT_TRUE(run_until([&] { return weak.expired(); }));
}

TEST_F(IOStreamTest, CallbacksAreDestroyedAfterClose) {
  // A callback that owns the stream (a cycle) must not leak: LSan checks it.
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  std::weak_ptr<IOStream> weak = s;
  s->set_close_callback([s] {});
  s->read_until("\n", [s](std::string_view) {});
  s.reset();
  b.reset();
  ASSERT_TRUE(run_until([&] { return weak.expired(); }));
}

TEST_F(IOStreamTest, ExceptionInCallbackClosesTheStream) {
  auto [a, b] = unix_pair();
  auto s = stream(std::move(a));
  s->read_until(
      "\n", [](std::string_view) { throw std::runtime_error("handler bug"); });
  write_all(b.get(), "x\n");
  ASSERT_TRUE(run_until([&] { return s->closed(); }));
  EXPECT_EQ(s->error(), std::errc::operation_canceled);
}

// ---- pipelining
// -------------------------------------------------------------------

TEST_F(IOStreamTest, ThousandPipelinedLinesServedIterativelyInOneWrite) {
  auto [a, b] = unix_pair();
  auto s = CountingStream::create(std::move(a), loop_);
  std::string input;
  for (int i = 0; i < 1000; ++i) input += "line " + std::to_string(i) + "\n";
  write_all(b.get(), input);
  int served = 0;
  uintptr_t lowest = UINTPTR_MAX, highest = 0;
  std::function<void(std::string_view)> on_line = [&](std::string_view data) {
    char marker;
    auto address = reinterpret_cast<uintptr_t>(&marker);
    lowest = std::min(lowest, address);
    highest = std::max(highest, address);
    s->write(std::string("echo ") + std::string(data));
    if (++served < 1000) s->read_until("\n", on_line);
  };
  s->read_until("\n", on_line);
  ASSERT_TRUE(run_until([&] { return served == 1000; }));
  EXPECT_LT(highest - lowest, 1024u) << "callbacks nested: stack grew";
  EXPECT_EQ(s->reads, 1);   // All lines came in one recv...
  EXPECT_EQ(s->writes, 1);  // ...and all answers left in one sendmsg.
  std::string out;
  ASSERT_TRUE(run_until([&] {
    out += read_available(b.get());
    return out.size() == input.size() + 5000;
  }));
  EXPECT_EQ(out.substr(0, 12), "echo line 0\n");
}

// Writes queued inside one callback are flushed together, but one sendmsg
// takes at most IOV_MAX (1024) iovecs: 3000 chunks leave in three calls, in
// order, and the write callback runs after the last.
TEST_F(IOStreamTest, MoreQueuedChunksThanIovMaxAllLeaveInOrder) {
  auto [a, b] = unix_pair();
  auto s = CountingStream::create(std::move(a), loop_);
  std::string expected;
  bool written = false;
  s->read_until("\n", [&](std::string_view) {
    for (int i = 0; i < 3000; ++i) {
      std::string chunk = std::to_string(i) + "\n";
      expected += chunk;
      s->write(std::move(chunk));
    }
    s->write("", [&] { written = true; });
  });
  write_all(b.get(), "go\n");
  std::string out;
  ASSERT_TRUE(run_until([&] {
    out += read_available(b.get());
    return written && out.size() >= expected.size();
  }));
  EXPECT_EQ(out, expected);
  EXPECT_EQ(s->writes, 3);
}

// ---- connect
// -----------------------------------------------------------------------

TEST_F(IOStreamTest, ConnectThenEcho) {
  auto listeners = bind_sockets(0, "127.0.0.1");
  SocketAddress address = SocketAddress::local_of(listeners[0].get());
  std::shared_ptr<IOStream> server_side;
  auto remove = add_accept_handler(
      listeners[0].get(),
      [&](Socket connection, const SocketAddress&) {
        server_side = stream(std::move(connection));
      },
      loop_);
  auto client = stream(Socket(::socket(AF_INET, SOCK_STREAM, 0)));
  bool connected = false;
  client->connect(address, [&] { connected = true; });
  EXPECT_FALSE(connected);
  client->write("ping\n");  // Queued until connected.
  ASSERT_TRUE(run_until([&] { return connected && server_side; }));
  std::string got;
  server_side->read_until("\n", [&](std::string_view data) { got = data; });
  ASSERT_TRUE(run_until([&] { return !got.empty(); }));
  EXPECT_EQ(got, "ping\n");
  remove();
}

TEST_F(IOStreamTest, ConnectRefusedClosesWithoutCallback) {
  auto listeners = bind_sockets(0, "127.0.0.1");
  SocketAddress address = SocketAddress::local_of(listeners[0].get());
  listeners.clear();  // Nobody listens there any more.
  auto client = stream(Socket(::socket(AF_INET, SOCK_STREAM, 0)));
  bool connected = false;
  int closes = 0;
  client->set_close_callback([&] { ++closes; });
  client->connect(address, [&] { connected = true; });
  ASSERT_TRUE(run_until([&] { return closes == 1; }));
  EXPECT_FALSE(connected);
  EXPECT_EQ(client->error(), std::errc::connection_refused);
}

}  // namespace
}  // namespace eddy
