// Subprocess: exit codes, the three pipes as streams (8 MiB each way), many
// programs at once, and a reaper that reaps only what it owns. Every wait is
// IOLoop::run_until with a deadline.
#include "06_process/subprocess.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

constexpr double kDeadline = 20;
constexpr size_t kEightMiB = 8 * 1024 * 1024;

IOLoop& loop() { return IOLoop::instance(); }

std::optional<int> run(std::vector<std::string> argv) {
  Subprocess child(std::move(argv));
  return child.wait_for_exit(kDeadline);
}

bool proc_entry_exists(pid_t pid) {
  struct stat info;
  return ::stat(("/proc/" + std::to_string(pid)).c_str(), &info) == 0;
}

TEST(SubprocessTest, ReturnCodesAreExitStatusOrMinusTheSignal) {
  EXPECT_EQ(run({"true"}), 0);
  EXPECT_EQ(run({"false"}), 1);
  EXPECT_EQ(run({"sh", "-c", "exit 3"}), 3);
  EXPECT_EQ(run({"sh", "-c", "kill -9 $$"}), -SIGKILL);
}

TEST(SubprocessTest, ExitCallbackRunsOnTheLoopOnceReaped) {
  Subprocess child({"sh", "-c", "exit 4"});
  std::optional<int> seen;
  child.set_exit_callback([&](int code) { seen = code; });
  ASSERT_TRUE(loop().run_until([&] { return seen.has_value(); }, kDeadline));
  EXPECT_EQ(*seen, 4);
  EXPECT_EQ(child.returncode(), 4);
  // Set after the exit: scheduled on the loop, not run inside the call.
  std::optional<int> late;
  child.set_exit_callback([&](int code) { late = code; });
  EXPECT_FALSE(late.has_value());
  ASSERT_TRUE(loop().run_until([&] { return late.has_value(); }, kDeadline));
  EXPECT_EQ(*late, 4);
}

TEST(SubprocessTest, EightMebibytesThroughStdout) {
  SubprocessOptions options;
  options.stdout_mode = Stdio::kStream;
  Subprocess child({"head", "-c", std::to_string(kEightMiB), "/dev/zero"},
                   options);
  ASSERT_NE(child.stdout_stream(), nullptr);
  EXPECT_EQ(child.stdin_stream(), nullptr);
  bool done = false;
  size_t size = 0;
  bool all_zero = false;
  child.stdout_stream()->read_until_close([&](std::string_view data) {
    size = data.size();
    all_zero = data.find_first_not_of('\0') == std::string_view::npos;
    done = true;
  });
  ASSERT_TRUE(loop().run_until([&] { return done; }, kDeadline));
  EXPECT_EQ(size, kEightMiB);
  EXPECT_TRUE(all_zero);
  EXPECT_EQ(child.wait_for_exit(kDeadline), 0);
}

// Writing and reading at once: cat would block on a full stdout pipe if we
// stopped reading while writing, so this only finishes if both directions
// are non-blocking on the loop.
TEST(SubprocessTest, EightMebibytesRoundTripThroughCat) {
  SubprocessOptions options;
  options.stdin_mode = Stdio::kStream;
  options.stdout_mode = Stdio::kStream;
  Subprocess child({"cat"}, options);
  std::string input(kEightMiB, '\0');
  for (size_t i = 0; i < input.size(); ++i) {
    input[i] = static_cast<char>('a' + (i * 7919 % 26));
  }
  std::string output;
  bool read_done = false;
  bool write_done = false;
  child.stdout_stream()->read_until_close([&](std::string_view data) {
    output = data;
    read_done = true;
  });
  std::shared_ptr<IOStream> in = child.stdin_stream();
  in->write(input, [&, in] {
    write_done = true;
    in->close();  // EOF for cat.
  });
  ASSERT_TRUE(loop().run_until([&] { return read_done; }, kDeadline));
  EXPECT_TRUE(write_done);
  EXPECT_EQ(output.size(), input.size());
  EXPECT_TRUE(output == input);
  EXPECT_EQ(child.wait_for_exit(kDeadline), 0);
}

TEST(SubprocessTest, StderrAndDevNull) {
  SubprocessOptions options;
  options.stdin_mode = Stdio::kDevNull;
  options.stdout_mode = Stdio::kDevNull;
  options.stderr_mode = Stdio::kStream;
  Subprocess child({"sh", "-c", "cat; echo out; echo oops >&2"}, options);
  std::string errors;
  bool done = false;
  child.stderr_stream()->read_until_close([&](std::string_view data) {
    errors = data;
    done = true;
  });
  ASSERT_TRUE(loop().run_until([&] { return done; }, kDeadline));
  EXPECT_EQ(errors, "oops\n");
  EXPECT_EQ(child.wait_for_exit(kDeadline), 0);
}

TEST(SubprocessTest, EnvironmentCanBeReplaced) {
  SubprocessOptions options;
  options.stdout_mode = Stdio::kStream;
  options.env =
      std::vector<std::string>{"EDDY_GREETING=hello", "PATH=/usr/bin:/bin"};
  Subprocess child({"sh", "-c", "echo \"$EDDY_GREETING $HOME\""}, options);
  std::string text;
  bool done = false;
  child.stdout_stream()->read_until_close([&](std::string_view data) {
    text = data;
    done = true;
  });
  ASSERT_TRUE(loop().run_until([&] { return done; }, kDeadline));
  EXPECT_EQ(text, "hello \n");
}

TEST(SubprocessTest, FiftyAtOnceEachGetsItsOwnReturnCode) {
  constexpr int kCount = 50;
  std::vector<std::unique_ptr<Subprocess>> children;
  std::vector<std::optional<int>> codes(kCount);
  std::vector<std::string> outputs(kCount);
  int finished = 0;
  for (int i = 0; i < kCount; ++i) {
    SubprocessOptions options;
    options.stdout_mode = Stdio::kStream;
    children.push_back(std::make_unique<Subprocess>(
        std::vector<std::string>{
            "sh", "-c",
            "echo " + std::to_string(i) + "; exit " + std::to_string(i % 7)},
        options));
    children.back()->stdout_stream()->read_until_close(
        [&, i](std::string_view data) { outputs[i] = data; });
    children.back()->set_exit_callback([&, i](int code) {
      codes[i] = code;
      ++finished;
    });
  }
  ASSERT_TRUE(loop().run_until([&] { return finished == kCount; }, kDeadline))
      << finished << " of " << kCount;
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(codes[i], i % 7) << "child " << i;
  }
  ASSERT_TRUE(loop().run_until(
      [&] {
        for (const std::string& output : outputs) {
          if (output.empty()) return false;
        }
        return true;
      },
      kDeadline));
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(outputs[i], std::to_string(i) + "\n");
  }
}

TEST(SubprocessTest, SendSignal) {
  Subprocess child({"sleep", "60"});
  EXPECT_TRUE(child.send_signal(SIGTERM));
  EXPECT_EQ(child.wait_for_exit(kDeadline), -SIGTERM);
  EXPECT_FALSE(child.send_signal(SIGTERM)) << "reaped: the pid is not ours";
}

TEST(SubprocessTest, ADestroyedSubprocessIsStillReaped) {
  pid_t pid;
  {
    Subprocess child({"true"});
    child.set_exit_callback(
        [](int) { ADD_FAILURE() << "dropped callback ran"; });
    pid = child.pid();
  }
  // Reaped: no zombie left under /proc.
  EXPECT_TRUE(
      loop().run_until([&] { return !proc_entry_exists(pid); }, kDeadline));
}

// Regression: an exit callback already queued on the loop (the program had
// exited) ran after its Subprocess was destroyed.
TEST(SubprocessTest, QueuedExitCallbackOfADestroyedSubprocessDoesNotRun) {
  auto child = std::make_unique<Subprocess>(std::vector<std::string>{"true"});
  ASSERT_EQ(child->wait_for_exit(kDeadline), 0);
  child->set_exit_callback(
      [](int) { ADD_FAILURE() << "dropped callback ran"; });
  child.reset();
  // Callbacks run in FIFO order: once this marker ran, the queued exit
  // callback had its chance.
  bool marker = false;
  loop().add_callback([&] { marker = true; });
  ASSERT_TRUE(loop().run_until([&] { return marker; }, kDeadline));
}

// Regression guard: the reaper must never waitpid(-1) and steal a child it
// does not own (fork_processes' workers, a library's helpers).
TEST(SubprocessTest, TheReaperLeavesOtherChildrenAlone) {
  pid_t other = ::fork();
  ASSERT_GE(other, 0);
  if (other == 0) ::_exit(5);
  // Reap a Subprocess while `other` has exited and is waiting to be reaped.
  EXPECT_EQ(run({"true"}), 0);
  EXPECT_EQ(run({"true"}), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(other, &status, 0), other);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 5);
}

TEST(SubprocessTest, PipesAreNotInheritedByOtherPrograms) {
  SubprocessOptions with_stdin;
  with_stdin.stdin_mode = Stdio::kStream;
  Subprocess first({"cat"}, with_stdin);
  int parent_end = first.stdin_stream()->fd();
  SubprocessOptions options;
  options.stdout_mode = Stdio::kStream;
  Subprocess second({"ls", "/proc/self/fd"}, options);
  std::string listing;
  bool done = false;
  second.stdout_stream()->read_until_close([&](std::string_view data) {
    listing = data;
    done = true;
  });
  ASSERT_TRUE(loop().run_until([&] { return done; }, kDeadline));
  std::set<std::string> fds;
  std::istringstream lines(listing);
  for (std::string fd; lines >> fd;) fds.insert(fd);
  EXPECT_EQ(fds.count(std::to_string(parent_end)), 0u) << listing;
  EXPECT_EQ(fds.count(std::to_string(second.stdout_stream()->fd())), 0u);
  first.stdin_stream()->close();
  EXPECT_EQ(first.wait_for_exit(kDeadline), 0);
}

TEST(SubprocessTest, BadArgumentsThrow) {
  EXPECT_THROW(Subprocess({}), std::invalid_argument);
  try {
    Subprocess child({"/nonexistent/eddy-program"});
    ADD_FAILURE() << "started a program that does not exist";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/eddy-program"),
              std::string::npos);
    EXPECT_EQ(e.code().value(), ENOENT);
  }
}

TEST(SubprocessTest, TheReaperBelongsToOneLoopAndResetsIgnoredSigchld) {
  Subprocess::initialize(loop());
  IOLoop other;
  EXPECT_THROW(Subprocess({"true"}, {}, other), std::logic_error);
  // Moved to another loop after uninitialize(), and correct even when the
  // program had SIGCHLD ignored (the kernel would reap for us).
  Subprocess::uninitialize();
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ASSERT_EQ(::sigaction(SIGCHLD, &ignore, &previous), 0);
  {
    Subprocess child({"sh", "-c", "exit 6"}, {}, other);
    EXPECT_EQ(child.wait_for_exit(kDeadline), 6);
  }
  Subprocess::uninitialize();
  struct sigaction restored {};
  ::sigaction(SIGCHLD, &previous, &restored);
  EXPECT_EQ(restored.sa_handler, SIG_IGN) << "uninitialize restores it";
  Subprocess::initialize(loop());
}

}  // namespace
}  // namespace eddy
