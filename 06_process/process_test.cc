// fork_processes with real forks. Each test forks a "supervisor" process
// from the test process (so the test process itself never becomes a
// supervisor and keeps a clean state); the supervisor calls fork_processes,
// and its children report what they see through a pipe: lines such as
// "start <task id> <pid>". The test process is a child subreaper, so a
// worker left behind by a dead supervisor would show up as its child.
#include "06_process/process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "06_process/test_util.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

using testing::children_of;
using testing::process_alive;
using testing::read_line;
using testing::wait_for_pid;
using testing::wait_for_state;

constexpr double kDeadline = 20;  // Seconds; generous for ASan on 2 cores.

// Writes one line with one write(2) (atomic for lines under PIPE_BUF).
void report(int fd, const std::string& line) {
  std::string text = line + "\n";
  (void)!::write(fd, text.data(), text.size());
}

// Lives-until-signalled body for a child: waits in pause() until a signal
// with the default action (SIGTERM, SIGKILL) ends it.
[[noreturn]] void wait_forever() {
  for (;;) ::pause();
}

class ProcessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { testing::become_subreaper(); }

  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    report_read_ = fds[0];
    report_write_ = fds[1];
  }
  void TearDown() override {
    if (supervisor_ > 0 && process_alive(supervisor_)) {
      ::kill(supervisor_, SIGKILL);
      wait_for_pid(supervisor_, kDeadline);
    }
    ::close(report_read_);
    if (report_write_ >= 0) ::close(report_write_);
    // Nothing may outlive a test: no live child of the test process.
    for (pid_t pid : children_of(::getpid())) {
      EXPECT_FALSE(process_alive(pid)) << "left behind: pid " << pid;
      ::kill(pid, SIGKILL);
      wait_for_pid(pid, kDeadline);
    }
  }

  // Forks the supervisor. In each worker, `body(task_id, report_fd)` runs
  // and should end with _exit; with `returning`, the supervisor uses
  // supervise_processes and reports "supervisor <exit status> <restarts>"
  // before exiting with that status.
  void start(int num_processes, int max_restarts,
             std::function<void(int, int)> body, bool returning = false) {
    std::fflush(nullptr);
    supervisor_ = ::fork();
    ASSERT_GE(supervisor_, 0);
    if (supervisor_ == 0) {
      ::close(report_read_);
      if (in_supervisor_) in_supervisor_();
      int code = 0;
      try {
        std::optional<int> id;
        SupervisionResult result;
        if (returning) {
          id = supervise_processes(num_processes, max_restarts, result);
        } else {
          id = fork_processes(num_processes, max_restarts);
        }
        if (id) {
          body(*id, report_write_);
          ::_exit(0);
        }
        if (after_supervision_) after_supervision_(report_write_);
        report(report_write_, "supervisor " +
                                  std::to_string(result.exit_status) + " " +
                                  std::to_string(result.restarts));
        code = result.exit_status;
      } catch (const std::exception& e) {
        report(report_write_, std::string("exception ") + e.what());
        code = 99;
      }
      ::_exit(code);
    }
    ::close(report_write_);
    report_write_ = -1;
  }

  // The next line from the workers, or "" at the deadline.
  std::string next_line() {
    return read_line(report_read_, buffer_, kDeadline).value_or("");
  }

  // Reads "start <id> <pid>" lines until `count` are in; returns id → pids.
  std::map<int, std::vector<pid_t>> read_starts(int count) {
    std::map<int, std::vector<pid_t>> starts;
    for (int i = 0; i < count; ++i) {
      std::istringstream line(next_line());
      std::string word;
      int id = -1;
      pid_t pid = -1;
      line >> word >> id >> pid;
      EXPECT_EQ(word, "start") << "line " << i;
      if (word != "start") break;
      starts[id].push_back(pid);
    }
    return starts;
  }

  // The supervisor's exit code, or -1 if it did not exit normally in time.
  int supervisor_exit_code() {
    std::optional<int> status = wait_for_pid(supervisor_, kDeadline);
    supervisor_ = -1;
    if (!status || !WIFEXITED(*status)) return -1;
    return WEXITSTATUS(*status);
  }

  // Runs in the supervisor before it calls fork_processes, when set.
  std::function<void()> in_supervisor_;
  // Runs in the supervisor after supervise_processes returned there, before
  // it reports; gets the report fd.
  std::function<void(int)> after_supervision_;
  pid_t supervisor_ = -1;
  int report_read_ = -1;
  int report_write_ = -1;
  std::string buffer_;
};

std::string start_line(int id) {
  return "start " + std::to_string(id) + " " + std::to_string(::getpid());
}

TEST(CpuCountTest, CountsTheCpusThisProcessMayUse) {
  int count = cpu_count();
  EXPECT_GE(count, 1);
  EXPECT_LE(count, ::sysconf(_SC_NPROCESSORS_CONF));
}

TEST(TaskIdTest, NoneInAProcessThatNeverForked) {
  EXPECT_FALSE(task_id().has_value());
}

TEST(ForkProcessesTest, RejectsNegativeMaxRestartsBeforeForking) {
  SupervisionResult result;
  EXPECT_THROW(supervise_processes(2, -1, result), std::invalid_argument);
  EXPECT_TRUE(children_of(::getpid()).empty());
}

TEST_F(ProcessTest, ForksNChildrenWithDistinctTaskIdsAndExitsZero) {
  start(3, 100, [](int id, int fd) {
    report(fd, start_line(id) + " " + std::to_string(task_id().value_or(-1)));
    ::_exit(0);
  });
  std::set<int> ids;
  std::set<std::string> pids;
  for (int i = 0; i < 3; ++i) {
    std::istringstream line(next_line());
    std::string word, pid;
    int id = -1, reported_task_id = -2;
    line >> word >> id >> pid >> reported_task_id;
    ASSERT_EQ(word, "start");
    EXPECT_EQ(id, reported_task_id) << "task_id() agrees with the return";
    ids.insert(id);
    pids.insert(pid);
  }
  EXPECT_EQ(ids, (std::set<int>{0, 1, 2}));
  EXPECT_EQ(pids.size(), 3u);
  // Every child exited with status 0: the supervisor exits 0.
  EXPECT_EQ(supervisor_exit_code(), 0);
}

TEST_F(ProcessTest, ZeroProcessesMeansOnePerCpu) {
  start(0, 100, [](int id, int fd) {
    report(fd, start_line(id));
    ::_exit(0);
  });
  auto starts = read_starts(cpu_count());
  EXPECT_EQ(static_cast<int>(starts.size()), cpu_count());
  EXPECT_EQ(supervisor_exit_code(), 0);
}

TEST_F(ProcessTest, ChildrenGetDifferentRandomSequences) {
  ::srandom(1);  // Without reseeding every child would repeat this sequence.
  start(4, 100, [](int, int fd) {
    report(fd, std::to_string(::random()));
    ::_exit(0);
  });
  std::set<std::string> values;
  for (int i = 0; i < 4; ++i) values.insert(next_line());
  EXPECT_EQ(values.size(), 4u);
  EXPECT_EQ(supervisor_exit_code(), 0);
}

TEST_F(ProcessTest, RestartsAChildKilledBySignalWithTheSameTaskId) {
  start(2, 100, [](int id, int fd) {
    report(fd, start_line(id));
    wait_forever();
  });
  auto starts = read_starts(2);
  ASSERT_EQ(starts.size(), 2u);
  pid_t victim = starts[1].at(0);
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  auto restarted = read_starts(1);
  ASSERT_EQ(restarted.count(1), 1u) << "task 1 is restarted as task 1";
  pid_t replacement = restarted[1].at(0);
  EXPECT_NE(replacement, victim);
  EXPECT_TRUE(process_alive(starts[0].at(0))) << "task 0 untouched";
  // SIGTERM ends the restarted set too.
  ASSERT_EQ(::kill(supervisor_, SIGTERM), 0);
  EXPECT_EQ(supervisor_exit_code(), 0);
  EXPECT_FALSE(process_alive(starts[0].at(0)));
  EXPECT_FALSE(process_alive(replacement));
}

TEST_F(ProcessTest, RestartsAChildThatExitsNonZeroAndCountsTheRestart) {
  std::string marker = std::string(std::getenv("TEST_TMPDIR")) +
                       "/restart-marker-" + std::to_string(::getpid());
  ::unlink(marker.c_str());
  start(
      2, 100,
      [marker](int id, int fd) {
        report(fd, start_line(id));
        if (id == 0) {
          // The first run of task 0 fails; its restart succeeds.
          int created =
              ::open(marker.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
          if (created >= 0) ::_exit(3);
        }
        ::_exit(0);
      },
      /*returning=*/true);
  auto starts = read_starts(3);
  EXPECT_EQ(starts[0].size(), 2u) << "task 0 ran twice";
  EXPECT_EQ(starts[1].size(), 1u) << "task 1 exited 0 and is not restarted";
  EXPECT_EQ(next_line(), "supervisor 0 1");
  EXPECT_EQ(supervisor_exit_code(), 0);
  ::unlink(marker.c_str());
}

// The supervisor reaps only the pids it started (waitpid(pid), never
// waitpid(-1)): another child of the same process, one a library or the
// program started, keeps its exit status for its own waitpid.
TEST_F(ProcessTest, LeavesTheExitStatusOfAChildItDidNotStart) {
  pid_t bystander = -1;
  in_supervisor_ = [&bystander] {
    std::fflush(nullptr);
    bystander = ::fork();
    if (bystander == 0) ::_exit(5);
    // Exited (a zombie) before any worker starts, and still waitable.
    siginfo_t info{};
    ::waitid(P_PID, bystander, &info, WEXITED | WNOWAIT);
  };
  after_supervision_ = [&bystander](int fd) {
    int status = 0;
    bool mine = ::waitpid(bystander, &status, WNOHANG) == bystander;
    report(fd, mine && WIFEXITED(status)
                   ? "bystander " + std::to_string(WEXITSTATUS(status))
                   : std::string("bystander stolen"));
  };
  start(
      2, 100,
      [](int id, int fd) {
        report(fd, start_line(id));
        ::_exit(0);
      },
      /*returning=*/true);
  auto starts = read_starts(2);
  EXPECT_EQ(starts.size(), 2u);
  EXPECT_EQ(next_line(), "bystander 5");
  EXPECT_EQ(next_line(), "supervisor 0 0");
  EXPECT_EQ(supervisor_exit_code(), 0);
}

// SIGCHLDs coalesce: two children exit while the supervisor is stopped, so
// it finds one SIGCHLD for both when it continues. It must reap both
// (waitpid on every child it started), or it waits forever for a second
// SIGCHLD that never comes.
TEST_F(ProcessTest, ReapsEveryChildThatExitedUnderOneSigchld) {
  int gate[2];
  ASSERT_EQ(::pipe2(gate, O_CLOEXEC), 0);
  start(2, 100, [gate](int id, int fd) {
    report(fd, start_line(id));
    char byte;
    (void)!::read(gate[0], &byte, 1);
    ::_exit(0);
  });
  auto starts = read_starts(2);
  ASSERT_EQ(starts.size(), 2u);
  ASSERT_EQ(::kill(supervisor_, SIGSTOP), 0);
  ASSERT_TRUE(wait_for_state(supervisor_, 'T', kDeadline));
  ASSERT_EQ(::write(gate[1], "xx", 2), 2);
  for (auto& [id, pids] : starts) {
    EXPECT_TRUE(wait_for_state(pids[0], 'Z', kDeadline)) << "task " << id;
  }
  ASSERT_EQ(::kill(supervisor_, SIGCONT), 0);
  EXPECT_EQ(supervisor_exit_code(), 0);
  ::close(gate[0]);
  ::close(gate[1]);
}

TEST_F(ProcessTest, GivesUpPastMaxRestartsAndStopsTheOtherChildren) {
  // Each run of task 0 fails once the test lets it through the gate (one
  // byte per run), so task 1 is surely up before the supervisor gives up.
  int gate[2];
  ASSERT_EQ(::pipe2(gate, O_CLOEXEC), 0);
  start(2, 3, [gate](int id, int fd) {
    report(fd, start_line(id));
    if (id == 0) {
      char byte;
      (void)!::read(gate[0], &byte, 1);
      ::_exit(1);  // Always fails.
    }
    wait_forever();
  });
  auto starts = read_starts(2);
  ASSERT_EQ(starts[1].size(), 1u);
  ASSERT_EQ(::write(gate[1], "xxxx", 4), 4);
  // Task 0: the first run and 3 restarts; the 4th failure gives up.
  auto restarts = read_starts(3);
  EXPECT_EQ(restarts[0].size(), 3u);
  EXPECT_EQ(supervisor_exit_code(), 1);
  EXPECT_FALSE(process_alive(starts[1][0])) << "the healthy child is stopped";
  ::close(gate[0]);
  ::close(gate[1]);
}

TEST_F(ProcessTest, GivingUpIsReportedToTheReturningVariant) {
  start(
      1, 2,
      [](int id, int fd) {
        report(fd, start_line(id));
        ::_exit(7);
      },
      /*returning=*/true);
  auto starts = read_starts(3);
  EXPECT_EQ(starts[0].size(), 3u);
  EXPECT_EQ(next_line(), "supervisor 1 2");
  EXPECT_EQ(supervisor_exit_code(), 1);
}

// The children catch SIGTERM themselves, take a moment to finish (as a
// server draining requests would), say goodbye and exit 0. The supervisor
// must have forwarded the signal (they would not say goodbye if killed by
// the kernel) and waited for all of them before exiting.
TEST_F(ProcessTest, SigtermIsForwardedAndTheSupervisorWaitsForEveryChild) {
  start(3, 100, [](int id, int fd) {
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &term, nullptr);
    report(fd, start_line(id));
    int signal_number = 0;
    ::sigwait(&term, &signal_number);
    timespec draining{0, 100 * 1000 * 1000};  // Simulated shutdown work.
    ::nanosleep(&draining, nullptr);
    report(fd, "bye " + std::to_string(id));
    ::_exit(0);
  });
  auto starts = read_starts(3);
  ASSERT_EQ(starts.size(), 3u);
  pid_t supervisor = supervisor_;
  ASSERT_EQ(::kill(supervisor_, SIGTERM), 0);
  EXPECT_EQ(supervisor_exit_code(), 0);
  // The goodbyes were written before the supervisor exited.
  std::set<std::string> goodbyes;
  for (int i = 0; i < 3; ++i) {
    goodbyes.insert(read_line(report_read_, buffer_, 0.5).value_or(""));
  }
  EXPECT_EQ(goodbyes, (std::set<std::string>{"bye 0", "bye 1", "bye 2"}));
  for (auto& [id, pids] : starts) EXPECT_FALSE(process_alive(pids[0]));
  EXPECT_TRUE(children_of(supervisor).empty());
}

// Where hold_child_until_sigterm reports; set in the supervisor only.
int g_hold_report_fd = -1;

// A pthread_atfork child handler: runs in each new child before fork returns
// there, so before become_child unblocks the supervisor's signals. Says
// "holding", then waits (up to the deadline) until a SIGTERM is pending. A
// signalfd's poll shows it without consuming it.
void hold_child_until_sigterm() {
  if (g_hold_report_fd < 0) return;
  report(g_hold_report_fd, "holding");
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  int fd = ::signalfd(-1, &term, SFD_CLOEXEC);
  pollfd entry{fd, POLLIN, 0};
  ::poll(&entry, 1, static_cast<int>(kDeadline * 1000));
  ::close(fd);
}

// Regression: a SIGTERM forwarded to a child that is still starting (forked,
// signals still blocked) must end it once its mask is restored. It used to
// be consumed there along with the supervisor's leftovers; the worker served
// on and the supervisor waited for it forever (a flaky
// tcpserver_start_test on a busy machine).
TEST_F(ProcessTest, SigtermForwardedToAChildStillStartingIsNotLost) {
  in_supervisor_ = [this] {
    g_hold_report_fd = report_write_;
    ::pthread_atfork(nullptr, nullptr, hold_child_until_sigterm);
  };
  start(1, 100, [](int id, int fd) {
    report(fd, start_line(id));
    wait_forever();
  });
  // The child is held inside fork, so the supervisor has taken its signals.
  ASSERT_EQ(next_line(), "holding");
  ASSERT_EQ(::kill(supervisor_, SIGTERM), 0);
  EXPECT_EQ(supervisor_exit_code(), 0);
  // The worker died as its mask was restored, before its own code ran.
  EXPECT_FALSE(read_line(report_read_, buffer_, 0.5).has_value());
}

TEST_F(ProcessTest, SigintIsForwardedToo) {
  start(2, 100, [](int id, int fd) {
    report(fd, start_line(id));
    wait_forever();
  });
  auto starts = read_starts(2);
  ASSERT_EQ(::kill(supervisor_, SIGINT), 0);
  EXPECT_EQ(supervisor_exit_code(), 0);
  for (auto& [id, pids] : starts) EXPECT_FALSE(process_alive(pids[0]));
}

// Regression: workers must not outlive a supervisor killed with SIGKILL
// (PR_SET_PDEATHSIG); they would keep serving on the old sockets.
TEST_F(ProcessTest, WorkersDoNotOutliveASupervisorKilledWithSigkill) {
  start(2, 100, [](int id, int fd) {
    report(fd, start_line(id));
    wait_forever();
  });
  auto starts = read_starts(2);
  ASSERT_EQ(::kill(supervisor_, SIGKILL), 0);
  EXPECT_EQ(supervisor_exit_code(), -1);
  // Orphans are re-parented to us (subreaper); wait for each with a deadline.
  for (auto& [id, pids] : starts) {
    std::optional<int> status = wait_for_pid(pids[0], kDeadline);
    ASSERT_TRUE(status.has_value()) << "task " << id << " survived";
    EXPECT_TRUE(WIFSIGNALED(*status));
    EXPECT_EQ(WTERMSIG(*status), SIGTERM);
  }
}

TEST_F(ProcessTest, ForkingTwiceFromAChildIsALogicError) {
  start(1, 100, [](int, int fd) {
    try {
      fork_processes(1);
      report(fd, "forked again");
    } catch (const std::logic_error&) {
      report(fd, "refused");
    }
    ::_exit(0);
  });
  EXPECT_EQ(next_line(), "refused");
  EXPECT_EQ(supervisor_exit_code(), 0);
}

// In a forked child, so the test process never creates IOLoop::instance().
TEST(ForkProcessesTest, FailsWithLogicErrorOnceTheIOLoopExists) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    IOLoop::instance();
    try {
      fork_processes(2);
      ::_exit(1);
    } catch (const std::logic_error& e) {
      ::_exit(std::string(e.what()).find("IOLoop") != std::string::npos ? 42
                                                                        : 2);
    } catch (...) {
      ::_exit(3);
    }
  }
  std::optional<int> status = wait_for_pid(pid, kDeadline);
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 42);
}

}  // namespace
}  // namespace eddy
