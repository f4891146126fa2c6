// SignalWatcher: delivers POSIX signals to an IOLoop as ordinary callbacks,
// through a signalfd (the loop-friendly form of Tornado's
// add_callback_from_signal). No code runs in a signal handler.
//
// Threads: create, use and destroy on the loop's thread. The signals are
// blocked only in the calling thread, so create the watcher on the main
// thread before starting other threads (a thread that leaves a signal
// unblocked receives it instead, and the watcher never sees it).
// Ownership: the watcher owns the signalfd and its loop handler; destroying
// it removes the handler, discards signals still pending on the fd (so
// unblocking them cannot apply their default action), closes the fd and
// restores the signal mask the calling thread had. Destroy it before the
// loop; the callback may destroy it.
// Errors: the constructor throws std::system_error if sigprocmask or
// signalfd fail, and std::invalid_argument for an empty signal list.
#ifndef EDDY_06_PROCESS_SIGNAL_WATCHER_H_
#define EDDY_06_PROCESS_SIGNAL_WATCHER_H_

#include <signal.h>

#include <functional>
#include <initializer_list>

#include "01_ioloop/ioloop.h"
#include "02_netutil/file_descriptor.h"

namespace eddy {

class SignalWatcher {
 public:
  // Runs `callback(signal_number)` on `io_loop` once per signal read from
  // the signalfd (signals of the same kind that arrive together coalesce
  // into one, as POSIX signals do).
  SignalWatcher(IOLoop& io_loop, std::initializer_list<int> signals,
                std::function<void(int signal_number)> callback);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  IOLoop& io_loop_;
  FileDescriptor fd_;
  sigset_t old_mask_{};
  std::function<void(int)> callback_;
};

}  // namespace eddy

#endif  // EDDY_06_PROCESS_SIGNAL_WATCHER_H_
