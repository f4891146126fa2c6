// Grading tests of exercise 03.2 (regex_reader.h): an IOStream over one end
// of a socketpair; the test writes into the other end in pieces.
#include "03_iostream/exercises/regex_reader.h"

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <system_error>
#include <vector>

#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

constexpr double kDeadline = 5.0;

struct Pair {
  IOLoop loop;
  std::shared_ptr<IOStream> stream;
  int peer = -1;
  Pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                           0, fds),
              0);
    stream = IOStream::create(Socket(fds[0]), loop);
    peer = fds[1];
  }
  ~Pair() {
    if (peer >= 0) ::close(peer);
  }
  void send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(peer, data.data(), data.size());
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
      } else {
        loop.run_until([] { return false; }, 0.001);  // Let the stream drain.
      }
    }
  }
  void close_peer() {
    ::close(peer);
    peer = -1;
  }
  void settle(double seconds = 0.05) {
    loop.run_until([] { return false; }, seconds);
  }
};

TEST(RegexReaderTest, DeliversUpToTheMatchAndKeepsTheRest) {
  Pair p;
  RegexReader reader(p.stream);
  std::vector<std::string> got;
  p.send("hello\r\nworld\nrest");
  reader.read_until_regex(std::regex("\r?\n"),
                          [&](std::string m) { got.push_back(m); });
  ASSERT_TRUE(p.loop.run_until([&] { return got.size() == 1; }, kDeadline));
  EXPECT_EQ(got[0], "hello\r\n");
  // The second message is already buffered: no new bytes will arrive.
  reader.read_until_regex(std::regex("\r?\n"),
                          [&](std::string m) { got.push_back(m); });
  ASSERT_TRUE(p.loop.run_until([&] { return got.size() == 2; }, kDeadline));
  EXPECT_EQ(got[1], "world\n");
  EXPECT_EQ(reader.buffered(), 4u);
}

TEST(RegexReaderTest, CallbackNeverRunsInsideTheCall) {
  Pair p;
  RegexReader reader(p.stream);
  p.send("a\nb\n");
  int calls = 0;
  reader.read_until_regex(std::regex("\n"), [&](std::string) { ++calls; });
  ASSERT_TRUE(p.loop.run_until([&] { return calls == 1; }, kDeadline));
  reader.read_until_regex(std::regex("\n"), [&](std::string) { ++calls; });
  EXPECT_EQ(calls, 1) << "served from the leftover, but not synchronously";
  ASSERT_TRUE(p.loop.run_until([&] { return calls == 2; }, kDeadline));
}

TEST(RegexReaderTest, MatchAcrossPackets) {
  Pair p;
  RegexReader reader(p.stream);
  std::string got;
  bool done = false;
  reader.read_until_regex(std::regex("END\r\n"), [&](std::string m) {
    got = m;
    done = true;
  });
  for (std::string piece : {"abc", "EN", "D\r", "\nmore"}) {
    p.send(piece);
    p.settle(0.02);
  }
  ASSERT_TRUE(p.loop.run_until([&] { return done; }, kDeadline));
  EXPECT_EQ(got, "abcEND\r\n");
}

TEST(RegexReaderTest, SearchesTheWholeBufferNotJustTheNewBytes) {
  // "x+y" only matches once "y" arrives, and the match starts in bytes that
  // arrived earlier: a search that resumes in the new bytes misses it.
  Pair p;
  RegexReader reader(p.stream);
  std::string got;
  reader.read_until_regex(std::regex("x+y"), [&](std::string m) { got = m; });
  p.send("--xxx");
  p.settle(0.05);
  EXPECT_EQ(got, "");
  p.send("y--");
  ASSERT_TRUE(p.loop.run_until([&] { return !got.empty(); }, kDeadline));
  EXPECT_EQ(got, "--xxxy");
  EXPECT_EQ(reader.buffered(), 2u);
}

TEST(RegexReaderTest, ReadsChainedInsideCallbacksComeOutInOrder) {
  Pair p;
  RegexReader reader(p.stream);
  std::vector<std::string> got;
  std::function<void()> next = [&] {
    reader.read_until_regex(std::regex(";"), [&](std::string m) {
      got.push_back(m);
      if (got.size() < 5) next();
    });
  };
  next();
  p.send("1;22;333;4444;55555;666666;");
  ASSERT_TRUE(p.loop.run_until([&] { return got.size() == 5; }, kDeadline));
  EXPECT_EQ(got,
            (std::vector<std::string>{"1;", "22;", "333;", "4444;", "55555;"}));
  EXPECT_EQ(reader.buffered(), 7u);
}

TEST(RegexReaderTest, MaxBytesClosesTheStreamWithMessageSize) {
  Pair p;
  RegexReader reader(p.stream);
  bool called = false;
  reader.read_until_regex(
      std::regex("\n"), [&](std::string) { called = true; }, 50);
  p.send(std::string(100, 'a') + "\n");
  ASSERT_TRUE(p.loop.run_until([&] { return p.stream->closed(); }, kDeadline));
  EXPECT_EQ(p.stream->error(), std::make_error_code(std::errc::message_size));
  p.settle();
  EXPECT_FALSE(called);
}

TEST(RegexReaderTest, MatchEndingExactlyAtMaxBytesIsDelivered) {
  Pair p;
  RegexReader reader(p.stream);
  std::string got;
  reader.read_until_regex(
      std::regex("\n"), [&](std::string m) { got = m; }, 10);
  p.send("123456789\nabcdefghijklmnop");
  ASSERT_TRUE(p.loop.run_until([&] { return !got.empty(); }, kDeadline));
  EXPECT_EQ(got, "123456789\n");
  EXPECT_FALSE(p.stream->closed());
}

TEST(RegexReaderTest, CloseBeforeAMatchNeverCallsBack) {
  Pair p;
  RegexReader reader(p.stream);
  bool called = false;
  reader.read_until_regex(std::regex("\n"),
                          [&](std::string) { called = true; });
  p.send("no newline");
  p.close_peer();
  ASSERT_TRUE(p.loop.run_until([&] { return p.stream->closed(); }, kDeadline));
  p.settle();
  EXPECT_FALSE(called);
}

TEST(RegexReaderTest, LeftoverIsServedEvenAfterThePeerClosed) {
  Pair p;
  RegexReader reader(p.stream);
  std::vector<std::string> got;
  p.send("a\nb\n");
  p.close_peer();
  reader.read_until_regex(std::regex("\n"),
                          [&](std::string m) { got.push_back(m); });
  ASSERT_TRUE(p.loop.run_until([&] { return got.size() == 1; }, kDeadline));
  ASSERT_TRUE(p.loop.run_until([&] { return p.stream->closed(); }, kDeadline));
  reader.read_until_regex(std::regex("\n"),
                          [&](std::string m) { got.push_back(m); });
  ASSERT_TRUE(p.loop.run_until([&] { return got.size() == 2; }, kDeadline));
  EXPECT_EQ(got, (std::vector<std::string>{"a\n", "b\n"}));
  EXPECT_THROW(reader.read_until_regex(std::regex("\n"), [](std::string) {}),
               StreamClosedError);
}

TEST(RegexReaderTest, SecondPendingReadThrowsLogicError) {
  Pair p;
  RegexReader reader(p.stream);
  reader.read_until_regex(std::regex("\n"), [](std::string) {});
  EXPECT_THROW(reader.read_until_regex(std::regex("\n"), [](std::string) {}),
               std::logic_error);
}

TEST(RegexReaderTest, QuarterMegabyteInPiecesIsNotQuadraticPerByte) {
  Pair p;
  RegexReader reader(p.stream);
  std::string got;
  reader.read_until_regex(std::regex("END"), [&](std::string m) { got = m; });
  auto start = std::chrono::steady_clock::now();
  std::string piece(16 * 1024, 'z');
  for (int i = 0; i < 16; ++i) {
    p.send(piece);
    p.settle(0.001);
  }
  p.send("END");
  ASSERT_TRUE(p.loop.run_until([&] { return !got.empty(); }, 20.0));
  EXPECT_EQ(got.size(), 16u * 16 * 1024 + 3);
  EXPECT_LT(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count(),
      10.0);
}

}  // namespace
}  // namespace eddy::exercises
