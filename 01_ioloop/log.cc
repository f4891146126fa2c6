#include "01_ioloop/log.h"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace eddy {
namespace {

LogLevel level_from_environment() {
  const char* value = std::getenv("EDDY_LOG_LEVEL");
  if (value == nullptr) return LogLevel::kInfo;
  std::string_view name(value);
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warning") return LogLevel::kWarning;
  if (name == "error") return LogLevel::kError;
  if (name == "none") return LogLevel::kNone;
  return LogLevel::kInfo;
}

LogLevel configured_level() {
  // Initialised once, thread-safely, and constant afterwards.
  static const LogLevel level = level_from_environment();
  return level;
}

char level_letter(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return 'D';
    case LogLevel::kInfo:
      return 'I';
    case LogLevel::kWarning:
      return 'W';
    case LogLevel::kError:
      return 'E';
    case LogLevel::kNone:
      break;
  }
  return '?';
}

const char* channel_name(LogChannel channel) {
  switch (channel) {
    case LogChannel::kAccess:
      return "access";
    case LogChannel::kApplication:
      return "application";
    case LogChannel::kGeneral:
      return "general";
  }
  return "general";
}

}  // namespace

bool log_enabled(LogLevel level) {
  return level != LogLevel::kNone && level >= configured_level();
}

void log(LogChannel channel, LogLevel level, std::string_view message) {
  if (!log_enabled(level)) return;
  time_t now = ::time(nullptr);
  struct tm local;
  localtime_r(&now, &local);
  char prefix[96];
  char stamp[32];
  strftime(stamp, sizeof stamp, "%y%m%d %H:%M:%S", &local);
  int n = std::snprintf(prefix, sizeof prefix, "[%c %s %s:%d] ",
                        level_letter(level), stamp, channel_name(channel),
                        static_cast<int>(::getpid()));
  std::string line;
  line.reserve(static_cast<size_t>(n) + message.size() + 1);
  line.append(prefix, static_cast<size_t>(n));
  line.append(message);
  line.push_back('\n');
  // One write per line; retry on EINTR and short writes, give up on errors.
  const char* data = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t written = ::write(STDERR_FILENO, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
}

}  // namespace eddy
