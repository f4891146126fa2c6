// Reference solution of exercise 06.3 (06_process/exercises/socket_handoff.h).
//
// spawn_with_listen_fds prepares every string before fork(); between fork
// and exec the child only calls async-signal-safe functions (fcntl, dup2,
// getpid, execvpe, _exit) and writes its pid's digits into a buffer that
// was allocated before the fork.
#include "06_process/exercises/socket_handoff.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace eddy::exercises {

namespace {

constexpr int kFirstFd = 3;  // SD_LISTEN_FDS_START
constexpr long kMaxFds = 1000;

// A strict decimal: digits only, no sign, no overflow.
std::optional<long> parse_decimal(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  long value = 0;
  for (const char* p = text; *p; ++p) {
    if (*p < '0' || *p > '9') return std::nullopt;
    if (value > (LONG_MAX - (*p - '0')) / 10) return std::nullopt;
    value = value * 10 + (*p - '0');
  }
  return value;
}

}  // namespace

std::vector<Socket> listen_fds_from_env() {
  std::optional<long> pid = parse_decimal(std::getenv("LISTEN_PID"));
  std::optional<long> count = parse_decimal(std::getenv("LISTEN_FDS"));
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  std::vector<Socket> sockets;
  if (!pid || *pid != ::getpid() || !count || *count < 1 || *count > kMaxFds)
    return sockets;
  for (int fd = kFirstFd; fd < kFirstFd + *count; ++fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags != -1) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    sockets.emplace_back(fd);
  }
  return sockets;
}

pid_t spawn_with_listen_fds(const std::vector<std::string>& argv,
                            const std::vector<int>& sockets) {
  if (argv.empty())
    throw std::invalid_argument("spawn_with_listen_fds: empty argv");
  const int n = static_cast<int>(sockets.size());

  // Everything the child needs, built before fork.
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "LISTEN_PID=", 11) == 0 ||
        std::strncmp(*e, "LISTEN_FDS=", 11) == 0 ||
        std::strncmp(*e, "LISTEN_FDNAMES=", 15) == 0)
      continue;
    env_strings.emplace_back(*e);
  }
  env_strings.push_back("LISTEN_FDS=" + std::to_string(n));
  env_strings.push_back("LISTEN_PID=" + std::string(20, '\0'));  // Room.
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  char* pid_digits = envp[envp.size() - 2] + std::strlen("LISTEN_PID=");
  std::vector<int> parked(sockets.size(), -1);

  pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid > 0) return pid;

  // Child. 1. Park every socket above the target range, so that moving one
  //    into place cannot overwrite another still waiting to move.
  for (int i = 0; i < n; ++i) {
    parked[i] = ::fcntl(sockets[i], F_DUPFD_CLOEXEC, kFirstFd + n);
    if (parked[i] < 0) ::_exit(127);
  }
  // 2. Move them into place; dup2 leaves the new descriptor inheritable.
  //    The parked copies are close-on-exec and vanish at exec.
  for (int i = 0; i < n; ++i) {
    if (::dup2(parked[i], kFirstFd + i) < 0) ::_exit(127);
  }
  // 3. LISTEN_PID: this process's pid, in digits, without allocating.
  char digits[20];
  int len = 0;
  for (long p = ::getpid(); p > 0; p /= 10)
    digits[len++] = static_cast<char>('0' + p % 10);
  for (int i = 0; i < len; ++i) pid_digits[i] = digits[len - 1 - i];
  pid_digits[len] = '\0';
  ::execvpe(args[0], args.data(), envp.data());
  ::_exit(127);
}

}  // namespace eddy::exercises
