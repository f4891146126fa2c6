// //06_process:server as a user runs it: a real binary, real forks, real
// sockets on loopback, port 0. The test process is a child subreaper, so a
// worker the server left behind would become its child and be caught.
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "02_netutil/netutil.h"
#include "06_process/test_util.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

using namespace eddy::testing;

constexpr double kDeadline = 20;

std::string tutorial_response(const std::string& uri) {
  std::string message = "You requested " + uri + "\n";
  return "HTTP/1.1 200 OK\r\nContent-Length: " +
         std::to_string(message.size()) + "\r\n\r\n" + message;
}

// Polls `condition` until it holds or `timeout` seconds pass. Used for
// process-table facts, which have no event to wait on.
template <typename Condition>
bool eventually(Condition condition, double timeout = kDeadline) {
  auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(timeout));
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    // Yield the CPU between looks at /proc (not a synchronisation sleep:
    // the condition is re-checked until the deadline).
    struct timespec pause {
      0, 5 * 1000 * 1000
    };
    ::nanosleep(&pause, nullptr);
  }
  return true;
}

std::vector<pid_t> live_children(pid_t parent) {
  std::vector<pid_t> live;
  for (pid_t pid : children_of(parent)) {
    if (process_alive(pid)) live.push_back(pid);
  }
  std::sort(live.begin(), live.end());
  return live;
}

// True once `pid` watches SIGTERM with a signalfd of its own: its
// SignalWatcher is installed, so a SIGTERM now means a graceful shutdown
// (before, it means a worker killed while starting, which is fine but not
// what the test checks). A child that has only just forked still holds the
// supervisor's signalfd, which also watches SIGCHLD: that one is not it.
bool has_signal_watcher(pid_t pid) {
  std::string proc = "/proc/" + std::to_string(pid);
  std::error_code error;
  std::filesystem::directory_iterator fds(proc + "/fd", error);
  if (error) return false;
  for (const auto& fd : fds) {
    auto target = std::filesystem::read_symlink(fd.path(), error);
    if (error || target.string() != "anon_inode:[signalfd]") continue;
    std::string info =
        read_file(proc + "/fdinfo/" + fd.path().filename().string());
    size_t at = info.find("sigmask:");
    if (at == std::string::npos) continue;
    unsigned long long mask = std::strtoull(info.c_str() + at + 8, nullptr, 16);
    auto bit = [](int signal) { return 1ULL << (signal - 1); };
    if ((mask & bit(SIGTERM)) && !(mask & bit(SIGCHLD))) return true;
  }
  return false;
}

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { become_subreaper(); }

  void TearDown() override {
    if (server_.pid > 0 && process_alive(server_.pid)) {
      ::kill(server_.pid, SIGKILL);
      wait_for_pid(server_.pid, kDeadline);
    }
    if (server_.stdout_fd >= 0) ::close(server_.stdout_fd);
    for (pid_t pid : children_of(::getpid())) {
      EXPECT_FALSE(process_alive(pid)) << "left behind: pid " << pid;
      ::kill(pid, SIGKILL);
      wait_for_pid(pid, kDeadline);
    }
  }

  // Starts the server and returns the port from its one line of output
  // (-1 if there is none, a failure unless `expect_failure`).
  int start(std::vector<std::string> flags, bool expect_failure = false) {
    std::vector<std::string> argv = {runfile("06_process/server"),
                                     "--address=127.0.0.1"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    stderr_path_ = std::string(std::getenv("TEST_TMPDIR")) + "/server-" +
                   std::to_string(++started_) + ".stderr";
    // Info level: the supervisor logs how each worker ended.
    server_ = start_program(argv, stderr_path_, {"EDDY_LOG_LEVEL=info"});
    std::string buffer;
    line_ = read_line(server_.stdout_fd, buffer, kDeadline).value_or("");
    const std::string prefix = "http://127.0.0.1:";
    size_t at = line_.find(prefix);
    if (at == std::string::npos) {
      if (expect_failure) return -1;
      ADD_FAILURE() << "no address in the first line: '" << line_
                    << "'; stderr: " << read_file(stderr_path_);
      return -1;
    }
    return std::atoi(line_.c_str() + at + prefix.size());
  }

  // Exit code of the server, -1 if it did not exit normally in time.
  int exit_code() {
    std::optional<int> status = wait_for_pid(server_.pid, kDeadline);
    server_.pid = -1;
    if (!status || !WIFEXITED(*status)) return -1;
    return WEXITSTATUS(*status);
  }

  Program server_;
  std::string line_;
  std::string stderr_path_;
  static int started_;
};

int ServerTest::started_ = 0;

TEST_F(ServerTest, WorkersServeTheTutorialResponseAndSurviveSigkill) {
  int port = start({"--port=0", "--processes=2"});
  ASSERT_GT(port, 0);
  EXPECT_NE(line_.find("with 2 worker processes"), std::string::npos) << line_;
  // Fatal: without an answer here, nothing below can pass (the server's log
  // says why).
  ASSERT_EQ(http_get(port, "/hello", kDeadline), tutorial_response("/hello"))
      << read_file(stderr_path_);

  std::vector<pid_t> workers;
  ASSERT_TRUE(eventually([&] {
    workers = live_children(server_.pid);
    return workers.size() == 2;
  })) << "two workers";

  // Kill one worker; once it is gone the service keeps answering (the
  // shared listening socket stays open in the parent and the other worker),
  // and a replacement appears.
  pid_t victim = workers[0];
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return !process_alive(victim); }));
  for (int i = 0; i < 20; ++i) {
    std::string uri = "/after-kill/" + std::to_string(i);
    ASSERT_EQ(http_get(port, uri, kDeadline), tutorial_response(uri));
  }
  std::vector<pid_t> now;
  ASSERT_TRUE(eventually([&] {
    now = live_children(server_.pid);
    return now.size() == 2 &&
           std::find(now.begin(), now.end(), victim) == now.end();
  })) << "the killed worker is replaced";
  EXPECT_NE(read_file(stderr_path_).find("restarting"), std::string::npos);

  // SIGTERM: graceful shutdown in every worker, exit 0, nothing left. The
  // workers exit 0 themselves (a SignalWatcher ran shutdown_gracefully);
  // they are not killed by the forwarded signal. The replacement must have
  // got that far first: a worker still starting dies of the signal
  // (process.cc, become_child).
  ASSERT_TRUE(eventually([&] {
    return std::all_of(now.begin(), now.end(), has_signal_watcher);
  })) << "every worker watches its signals";
  ASSERT_EQ(::kill(server_.pid, SIGTERM), 0);
  EXPECT_EQ(exit_code(), 0) << read_file(stderr_path_);
  std::string log = read_file(stderr_path_);
  for (pid_t pid : now) {
    EXPECT_NE(
        log.find("(pid " + std::to_string(pid) + ") exited with status 0"),
        std::string::npos)
        << log;
  }
  EXPECT_EQ(log.find("killed by signal 15"), std::string::npos) << log;
  for (pid_t pid : now) EXPECT_FALSE(process_alive(pid));
  EXPECT_TRUE(live_children(::getpid()).empty());
}

TEST_F(ServerTest, ReusePortWorkersEachBindTheirOwnSocket) {
  int port = start({"--port=0", "--processes=2", "--reuse_port"});
  ASSERT_GT(port, 0);
  EXPECT_NE(line_.find("SO_REUSEPORT"), std::string::npos) << line_;
  // The parent stopped listening before forking; the workers bind their
  // own sockets, so the port answers once the first worker is up.
  // (A server that has exited will never answer: stop waiting then.)
  ASSERT_TRUE(eventually([&] {
    return !process_alive(server_.pid) || !http_get(port, "/", 1).empty();
  }));
  for (int i = 0; i < 20; ++i) {
    std::string uri = "/reuse/" + std::to_string(i);
    ASSERT_EQ(http_get(port, uri, kDeadline), tutorial_response(uri))
        << read_file(stderr_path_);
  }
  ASSERT_EQ(::kill(server_.pid, SIGINT), 0);
  EXPECT_EQ(exit_code(), 0) << read_file(stderr_path_);
  EXPECT_TRUE(live_children(::getpid()).empty());
}

TEST_F(ServerTest, PortInUseFailsOnceInTheParentWithAClearMessage) {
  std::vector<Socket> taken = bind_sockets(0, "127.0.0.1");
  int port = SocketAddress::local_of(taken[0].get()).port();
  start({"--port=" + std::to_string(port), "--processes=2"},
        /*expect_failure=*/true);
  EXPECT_EQ(line_, "") << "nothing printed on stdout";
  EXPECT_EQ(exit_code(), 1);
  std::string errors = read_file(stderr_path_);
  EXPECT_NE(errors.find("Address already in use"), std::string::npos) << errors;
  EXPECT_EQ(errors.find("Starting"), std::string::npos) << "never forked";
}

TEST_F(ServerTest, BadFlagsFailWithAMessage) {
  start({"--processes=-1"}, /*expect_failure=*/true);
  EXPECT_NE(exit_code(), 0);
  EXPECT_NE(read_file(stderr_path_).find("processes"), std::string::npos);
}

}  // namespace
}  // namespace eddy
