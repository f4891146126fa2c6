#include "01_ioloop/periodic_callback.h"

#include <algorithm>
#include <stdexcept>

namespace eddy {

PeriodicCallback::PeriodicCallback(std::function<void()> callback,
                                   double callback_time, IOLoop& io_loop)
    : callback_(std::move(callback)),
      period_(std::chrono::duration_cast<IOLoop::Clock::duration>(
          std::chrono::duration<double, std::milli>(callback_time))),
      io_loop_(io_loop) {
  if (!(callback_time > 0)) {
    throw std::invalid_argument(
        "PeriodicCallback: callback_time must be positive (milliseconds)");
  }
  period_ = std::max(period_, IOLoop::Clock::duration(1));
}

PeriodicCallback::~PeriodicCallback() { stop(); }

void PeriodicCallback::start() {
  if (running_) return;
  running_ = true;
  next_deadline_ = IOLoop::Clock::now();
  schedule_next();
}

void PeriodicCallback::stop() {
  if (!running_) return;
  running_ = false;
  io_loop_.remove_timeout(timeout_);
  timeout_ = TimeoutHandle{};
}

void PeriodicCallback::run() {
  timeout_ = TimeoutHandle{};
  // Reschedule before calling, so a throwing callback keeps its schedule and a
  // callback may call stop() on its own PeriodicCallback.
  schedule_next();
  callback_();
}

void PeriodicCallback::schedule_next() {
  auto now = IOLoop::Clock::now();
  next_deadline_ += period_;
  if (next_deadline_ <= now) {
    // Fell behind: skip the missed ticks, keep the phase.
    auto missed = (now - next_deadline_) / period_ + 1;
    next_deadline_ += missed * period_;
  }
  timeout_ = io_loop_.add_timeout(next_deadline_, [this] { run(); });
}

}  // namespace eddy
