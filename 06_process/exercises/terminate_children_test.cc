// Grading tests of exercise 06.2 (terminate_children.h): real children made
// with fork(2) that comply with SIGTERM, take a moment, or ignore it. Each
// child reports through a pipe once its signal handling is set up, so no
// test sleeps to synchronise. Children still alive after a test are killed.
#include "06_process/exercises/terminate_children.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

enum class Kind { kComplies, kSlowButComplies, kIgnoresTerm, kExitsAtOnce };

volatile sig_atomic_t g_term = 0;
void on_term(int) { g_term = 1; }

// Forks a child of `kind`; returns once it is ready for signals.
pid_t spawn(Kind kind) {
  int ready[2];
  if (::pipe(ready) != 0) std::abort();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    // SIGTERM stays blocked until sigsuspend below, so one that arrives early
    // is held, not lost.
    sigset_t term, waiting;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &term, &waiting);
    sigdelset(&waiting, SIGTERM);
    switch (kind) {
      case Kind::kComplies:
        ::signal(SIGTERM, SIG_DFL);
        break;
      case Kind::kSlowButComplies:
        ::signal(SIGTERM, on_term);
        break;
      case Kind::kIgnoresTerm:
        ::signal(SIGTERM, SIG_IGN);
        break;
      case Kind::kExitsAtOnce:
        ::_exit(0);
    }
    [[maybe_unused]] ssize_t n = ::write(ready[1], "r", 1);
    while (!g_term) ::sigsuspend(&waiting);
    // The behaviour under test, not synchronisation: a worker that takes
    // 200 ms to finish its in-flight work after SIGTERM.
    timespec work{0, 200 * 1000 * 1000};
    ::clock_nanosleep(CLOCK_MONOTONIC, 0, &work, nullptr);
    ::_exit(0);
  }
  ::close(ready[1]);
  char byte;
  [[maybe_unused]] ssize_t n = ::read(ready[0], &byte, 1);
  ::close(ready[0]);
  return pid;
}

// Kills and reaps whatever the function under test left behind.
struct Reaper {
  std::vector<pid_t> pids;
  ~Reaper() {
    for (pid_t pid : pids) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

bool reaped(pid_t pid) {
  return ::waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

TEST(TerminateChildrenTest, CompliantChildrenEndWithoutWaitingForTheTimeout) {
  Reaper r;
  for (int i = 0; i < 4; ++i) r.pids.push_back(spawn(Kind::kComplies));
  r.pids.push_back(spawn(Kind::kSlowButComplies));
  auto start = std::chrono::steady_clock::now();
  TerminationResult result = terminate_children(r.pids, 5.0);
  double took = seconds_since(start);
  EXPECT_EQ(result.terminated, 5);
  EXPECT_EQ(result.killed, 0);
  EXPECT_LT(took, 2.0) << "waited for the timeout although all complied";
  EXPECT_GE(took, 0.19) << "the slow child needs 200 ms";
  for (pid_t pid : r.pids) EXPECT_TRUE(reaped(pid)) << pid;
}

TEST(TerminateChildrenTest, StubbornChildIsKilledAfterTheTimeout) {
  Reaper r;
  r.pids = {spawn(Kind::kComplies), spawn(Kind::kIgnoresTerm),
            spawn(Kind::kIgnoresTerm)};
  auto start = std::chrono::steady_clock::now();
  TerminationResult result = terminate_children(r.pids, 0.5);
  double took = seconds_since(start);
  EXPECT_EQ(result.terminated, 1);
  EXPECT_EQ(result.killed, 2);
  EXPECT_GE(took, 0.49);
  EXPECT_LT(took, 2.5);
  for (pid_t pid : r.pids) EXPECT_TRUE(reaped(pid)) << pid;
}

TEST(TerminateChildrenTest, ZeroTimeoutKillsAtOnce) {
  Reaper r;
  r.pids = {spawn(Kind::kIgnoresTerm)};
  auto start = std::chrono::steady_clock::now();
  TerminationResult result = terminate_children(r.pids, 0);
  EXPECT_EQ(result.killed, 1);
  EXPECT_LT(seconds_since(start), 1.0);
  EXPECT_TRUE(reaped(r.pids[0]));
}

TEST(TerminateChildrenTest, OtherChildrenAreNotReaped) {
  Reaper r;
  pid_t bystander = spawn(Kind::kExitsAtOnce);
  r.pids = {spawn(Kind::kComplies)};
  // Wait until the bystander is a zombie, without reaping it (WNOWAIT).
  siginfo_t info{};
  ASSERT_EQ(
      ::waitid(P_PID, static_cast<id_t>(bystander), &info, WEXITED | WNOWAIT),
      0);
  TerminationResult result = terminate_children(r.pids, 1.0);
  EXPECT_EQ(result.terminated, 1);
  int status = -1;
  EXPECT_EQ(::waitpid(bystander, &status, 0), bystander)
      << "the bystander's exit status was stolen";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(TerminateChildrenTest, PidsThatAreNotChildrenAreSkipped) {
  Reaper r;
  pid_t gone = spawn(Kind::kExitsAtOnce);
  ::waitpid(gone, nullptr, 0);  // Already reaped.
  r.pids = {spawn(Kind::kComplies)};
  TerminationResult result = terminate_children({gone, r.pids[0]}, 1.0);
  EXPECT_EQ(result.terminated, 1);
  EXPECT_EQ(result.killed, 0);
}

TEST(TerminateChildrenTest, EmptyListAndBadTimeout) {
  auto start = std::chrono::steady_clock::now();
  TerminationResult result = terminate_children({}, 5.0);
  EXPECT_EQ(result.terminated, 0);
  EXPECT_EQ(result.killed, 0);
  EXPECT_LT(seconds_since(start), 0.5);
  EXPECT_THROW(terminate_children({}, -1), std::invalid_argument);
}

}  // namespace
}  // namespace eddy::exercises
