#include "06_process/test_util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>

extern char** environ;

namespace eddy::testing {
namespace {

using Clock = std::chrono::steady_clock;

Clock::time_point deadline_after(double seconds) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(seconds));
}

// Milliseconds left before `deadline` (0 when past), for poll(2).
int ms_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits until `fd` is ready for `events` or the deadline passes.
bool poll_until(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd entry{fd, events, 0};
    int n = ::poll(&entry, 1, ms_left(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

// /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces or
// parentheses, so parse from the last ')'.
bool read_stat(pid_t pid, char& state, pid_t& parent) {
  std::string text = read_file("/proc/" + std::to_string(pid) + "/stat");
  size_t close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(text.substr(close + 1));
  return static_cast<bool>(rest >> state >> parent);
}

}  // namespace

std::optional<int> wait_for_pid(pid_t pid, double timeout) {
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0)
    throw std::system_error(errno, std::generic_category(), "pidfd_open");
  bool exited = poll_until(pidfd, POLLIN, deadline_after(timeout));
  ::close(pidfd);
  if (!exited) return std::nullopt;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  return status;
}

std::optional<std::string> read_line(int fd, std::string& buffer,
                                     double timeout) {
  Clock::time_point deadline = deadline_after(timeout);
  while (true) {
    size_t newline = buffer.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      return line;
    }
    if (!poll_until(fd, POLLIN, deadline)) return std::nullopt;
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n == 0) return std::nullopt;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return std::nullopt;
    }
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return children;
  while (dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0') continue;
    char state;
    pid_t ppid;
    if (read_stat(static_cast<pid_t>(pid), state, ppid) && ppid == parent) {
      children.push_back(static_cast<pid_t>(pid));
    }
  }
  ::closedir(proc);
  return children;
}

bool process_alive(pid_t pid) {
  char state;
  pid_t parent;
  return read_stat(pid, state, parent) && state != 'Z' && state != 'X';
}

bool wait_for_state(pid_t pid, char state, double timeout) {
  Clock::time_point deadline = deadline_after(timeout);
  for (;;) {
    char now;
    pid_t parent;
    if (read_stat(pid, now, parent) && now == state) return true;
    if (Clock::now() > deadline) return false;
    // Between looks at /proc (not a synchronisation sleep: the state is
    // re-checked until the deadline).
    timespec pause{0, 1000 * 1000};
    ::nanosleep(&pause, nullptr);
  }
}

void become_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    throw std::system_error(errno, std::generic_category(), "prctl");
  }
}

std::string http_get(int port, const std::string& path, double timeout,
                     const std::string& source_ip,
                     const std::string& extra_headers) {
  Clock::time_point deadline = deadline_after(timeout);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  std::string response;
  auto fail = [&] {
    ::close(fd);
    return std::string();
  };
  if (!source_ip.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source_ip.c_str(), &local.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      return fail();
    }
  }
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<uint16_t>(port));
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    if (errno != EINPROGRESS) return fail();
    if (!poll_until(fd, POLLOUT, deadline)) return fail();
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return fail();
  }
  std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
      extra_headers + "\r\n";
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n =
        ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!poll_until(fd, POLLOUT, deadline)) return fail();
    } else {
      return fail();
    }
  }
  while (true) {
    if (!poll_until(fd, POLLIN, deadline)) return fail();
    char chunk[4096];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return fail();
    }
    response.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  return response;
}

Program start_program(const std::vector<std::string>& argv,
                      const std::string& stderr_path,
                      const std::vector<std::string>& extra_env) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  if (!stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO,
                                     stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attributes, &empty);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  // Our environment minus the names extra_env sets (getenv takes the first).
  auto overridden = [&](const char* entry) {
    for (const std::string& extra : extra_env) {
      size_t name = extra.find('=') + 1;
      if (std::string_view(entry).substr(0, name) == extra.substr(0, name)) {
        return true;
      }
    }
    return false;
  };
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!overridden(*entry)) env.push_back(*entry);
  }
  for (const std::string& entry : extra_env)
    env.push_back(const_cast<char*>(entry.c_str()));
  env.push_back(nullptr);
  pid_t pid = -1;
  int error = ::posix_spawn(&pid, args[0], &actions, &attributes, args.data(),
                            env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(fds[1]);
  if (error != 0) {
    ::close(fds[0]);
    throw std::system_error(error, std::generic_category(),
                            "posix_spawn " + argv[0]);
  }
  return Program{pid, fds[0]};
}

std::string runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" +
         (workspace ? workspace : "eddy") + "/" + path;
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  // A /proc file of a process that exits while it is read fails with ESRCH,
  // which libstdc++'s filebuf reports by throwing: that reads as "nothing".
  try {
    return std::string((std::istreambuf_iterator<char>(file)),
                       std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure&) {
    return std::string();
  }
}

}  // namespace eddy::testing
