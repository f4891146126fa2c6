// Internal to //01_ioloop:ioloop (a source of that library, not a public
// header): the inline helpers ioloop.cc and loop_turn.cc share. They are
// inline so that moving the loop turn into its own file (loop_turn.cc, lab
// 01) left the production loop the same instructions as before.
#ifndef EDDY_01_IOLOOP_IOLOOP_INTERNAL_H_
#define EDDY_01_IOLOOP_IOLOOP_INTERNAL_H_

#include <exception>
#include <mutex>
#include <string>

#include "01_ioloop/ioloop.h"
#include "01_ioloop/log.h"

namespace eddy {

template <typename Fn>
void IOLoop::run_guarded(const char* what, Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    log(LogChannel::kApplication, LogLevel::kError,
        std::string("Exception in ") + what + ": " + e.what());
  } catch (...) {
    log(LogChannel::kApplication, LogLevel::kError,
        std::string("Exception in ") + what + ": (not a std::exception)");
  }
}

// has_callbacks_ mirrors "callbacks_ is not empty" (README.md, "Threads"):
// most iterations of a busy server have no callback queued and take no lock.
inline bool IOLoop::callbacks_queued() const {
  return has_callbacks_.load(std::memory_order_acquire);
}

// Clearing wake_pending_ with the swap, under the lock, is what lets the next
// add_callback() from another thread wake the loop again.
inline bool IOLoop::take_callbacks() {
  if (!callbacks_queued()) return false;
  std::lock_guard<std::mutex> lock(callbacks_mutex_);
  if (callbacks_.empty()) return false;
  running_callbacks_.swap(callbacks_);
  has_callbacks_.store(false, std::memory_order_release);
  wake_pending_ = false;
  return true;
}

}  // namespace eddy

#endif  // EDDY_01_IOLOOP_IOLOOP_INTERNAL_H_
