// eddy's logging: Tornado's three channels (tornado.access,
// tornado.application, tornado.general) written to stderr.
//
// Contract
// - Any thread may call `log`; each message is written with one write(2) so
//   lines from several threads or forked processes never interleave.
// - The level is read once from the environment variable EDDY_LOG_LEVEL
//   (`debug`, `info`, `warning`, `error` or `none`; default `info`) the first
//   time anything is logged, and never changes afterwards: there is no
//   mutable logging state to configure. Tests run with EDDY_LOG_LEVEL=warning
//   (see .bazelrc), so access lines stay out of their logs.
// - Line format, as Tornado's LogFormatter: `[W 261129 22:33:08 general:4242]
// text`.
#ifndef EDDY_01_IOLOOP_LOG_H_
#define EDDY_01_IOLOOP_LOG_H_

#include <string_view>

namespace eddy {

enum class LogLevel {
  kDebug = 0,
  kInfo = 1,
  kWarning = 2,
  kError = 3,
  kNone = 4
};

// Tornado's logger names: access (one line per request), application
// (exceptions in user code), general (everything else).
enum class LogChannel { kAccess, kApplication, kGeneral };

// True when a message of `level` would be written; check it before building
// an expensive message.
bool log_enabled(LogLevel level);

// Writes one line (a newline is added) when `level` is enabled.
void log(LogChannel channel, LogLevel level, std::string_view message);

inline void log_warning(std::string_view message) {
  log(LogChannel::kGeneral, LogLevel::kWarning, message);
}
inline void log_error(std::string_view message) {
  log(LogChannel::kGeneral, LogLevel::kError, message);
}

}  // namespace eddy

#endif  // EDDY_01_IOLOOP_LOG_H_
