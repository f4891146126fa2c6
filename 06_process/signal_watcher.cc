#include "06_process/signal_watcher.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace eddy {

SignalWatcher::SignalWatcher(IOLoop& io_loop,
                             std::initializer_list<int> signals,
                             std::function<void(int)> callback)
    : io_loop_(io_loop), callback_(std::move(callback)) {
  if (signals.size() == 0) {
    throw std::invalid_argument("SignalWatcher: no signals given");
  }
  sigset_t mask;
  sigemptyset(&mask);
  for (int signal_number : signals) sigaddset(&mask, signal_number);
  if (::sigprocmask(SIG_BLOCK, &mask, &old_mask_) != 0) {
    throw std::system_error(errno, std::generic_category(), "sigprocmask");
  }
  fd_.reset(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd_) {
    int error = errno;
    ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
    throw std::system_error(error, std::generic_category(), "signalfd");
  }
  io_loop_.add_handler(
      fd_.get(),
      [this](int fd, uint32_t) {
        // One signal per call: the handler is level-triggered and runs again
        // while more are pending, and the callback may destroy this watcher.
        signalfd_siginfo info;
        if (::read(fd, &info, sizeof info) ==
            static_cast<ssize_t>(sizeof info)) {
          callback_(static_cast<int>(info.ssi_signo));
        }
      },
      IOLoop::READ);
}

SignalWatcher::~SignalWatcher() {
  io_loop_.remove_handler(fd_.get());
  // Discard signals that arrived after the last callback, so unblocking
  // them below does not apply their default action (often: terminate).
  signalfd_siginfo info;
  while (::read(fd_.get(), &info, sizeof info) ==
         static_cast<ssize_t>(sizeof info)) {
  }
  fd_.reset();
  ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace eddy
