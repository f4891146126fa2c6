// ticker: chapter 01's example. One IOLoop does two things at once on one
// thread: a PeriodicCallback prints a tick every --period_ms, and a handler
// registered with add_handler echoes the lines typed on stdin.
//
//   tools/bazel run //01_ioloop:ticker                   # type lines, Ctrl-D
//   printf 'a\nb\n' | bazel-bin/01_ioloop/ticker         # stdin is a pipe
//   bazel-bin/01_ioloop/ticker --ticks=3 </dev/null      # epoll refuses it
//
// It stops at end of input, or after --ticks ticks when that is not 0.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "01_ioloop/ioloop.h"
#include "01_ioloop/periodic_callback.h"
#include "gflags/gflags.h"

DEFINE_int32(ticks, 0,
             "Stop after this many ticks (0: run until end of input)");
DEFINE_double(period_ms, 1000, "Milliseconds between ticks");
DEFINE_string(prefix, "echo: ", "Printed before every echoed line");

namespace {

// Echoes complete lines read from a non-blocking fd; keeps a partial line
// until its newline (or end of input) arrives.
class LineEcho {
 public:
  explicit LineEcho(eddy::IOLoop& loop) : loop_(loop) {}

  // The I/O handler: called by the loop when fd is readable (or hung up).
  // Reads what is there now, at most 64 KiB, so one busy fd cannot keep the
  // loop from its timers; level-triggered epoll calls again if more is left.
  void on_readable(int fd, uint32_t /*events*/) {
    char buffer[4096];
    for (int reads = 0; reads < 16; ++reads) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n > 0) {
        pending_.append(buffer, static_cast<size_t>(n));
        print_complete_lines();
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN)
        return;  // Drained; wait for the next event.
      // n == 0 is end of input; anything else is an error. Either way: done.
      if (n < 0)
        std::fprintf(stderr, "read(stdin): %s\n", std::strerror(errno));
      if (!pending_.empty())
        std::printf("%s%s\n", FLAGS_prefix.c_str(), pending_.c_str());
      std::printf("end of input: stopping\n");
      std::fflush(stdout);
      loop_.remove_handler(fd);
      loop_.stop();
      return;
    }
  }

 private:
  void print_complete_lines() {
    size_t start = 0;
    for (size_t newline;
         (newline = pending_.find('\n', start)) != std::string::npos;
         start = newline + 1) {
      std::printf("%s%.*s\n", FLAGS_prefix.c_str(),
                  static_cast<int>(newline - start), pending_.data() + start);
    }
    pending_.erase(0, start);
    std::fflush(stdout);
  }

  eddy::IOLoop& loop_;
  std::string pending_;
};

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "prints a tick every --period_ms and echoes stdin, on one IOLoop");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (FLAGS_ticks < 0) {
    std::fprintf(stderr, "--ticks must be 0 or more\n");
    return 2;
  }

  eddy::IOLoop loop;

  // The ticker: a timeout the loop re-arms every period.
  int ticks = 0;
  eddy::PeriodicCallback ticker(
      [&] {
        ++ticks;
        std::printf("tick %d (loop time %.3f s)\n", ticks, loop.time());
        std::fflush(stdout);
        if (FLAGS_ticks > 0 && ticks >= FLAGS_ticks) loop.stop();
      },
      FLAGS_period_ms, loop);
  ticker.start();

  // The echo: stdin must be non-blocking, or a read would stall the loop.
  // O_NONBLOCK belongs to the open file (shared with the shell for a
  // terminal), so the old flags are put back before exiting.
  LineEcho echo(loop);
  int old_flags = ::fcntl(STDIN_FILENO, F_GETFL);
  bool watching_stdin = false;
  if (old_flags >= 0) {
    ::fcntl(STDIN_FILENO, F_SETFL, old_flags | O_NONBLOCK);
    try {
      loop.add_handler(
          STDIN_FILENO,
          [&](int fd, uint32_t events) { echo.on_readable(fd, events); },
          eddy::IOLoop::READ);
      watching_stdin = true;
    } catch (const std::system_error& e) {
      // epoll refuses regular files and /dev/null (EPERM): they are always
      // "ready", so there is nothing to wait for.
      std::printf("not watching stdin (%s): epoll cannot wait on it\n",
                  e.code() == std::errc::operation_not_permitted
                      ? "a regular file or /dev/null"
                      : e.what());
    }
  } else {
    std::printf("not watching stdin: it is closed\n");
  }
  if (!watching_stdin && FLAGS_ticks == 0) {
    // No input to wait for and no tick limit: nothing would end the loop.
    std::printf("no input to echo and no --ticks=N: nothing to do\n");
  } else {
    std::string limit =
        FLAGS_ticks > 0 ? " for " + std::to_string(FLAGS_ticks) + " ticks" : "";
    std::printf("ticking every %g ms%s; %s\n", FLAGS_period_ms, limit.c_str(),
                watching_stdin ? "type lines to echo them, Ctrl-D to stop"
                               : "stdin is not echoed");
    std::fflush(stdout);
    loop.start();
  }

  if (old_flags >= 0) ::fcntl(STDIN_FILENO, F_SETFL, old_flags);
  std::printf("done after %d ticks\n", ticks);
  return 0;
}
