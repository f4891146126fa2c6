#include "01_ioloop/periodic_callback.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace eddy {
namespace {

// Validates callback_time before converting it: converting NaN or infinity
// to the clock's integer nanoseconds is undefined behaviour.
IOLoop::Clock::duration period_from_milliseconds(double callback_time) {
  if (!std::isfinite(callback_time) || !(callback_time > 0)) {
    throw std::invalid_argument(
        "PeriodicCallback: callback_time must be a positive, finite number of "
        "milliseconds");
  }
  constexpr double kMaxMilliseconds = 100.0 * 365 * 24 * 3600 * 1000;
  auto period = std::chrono::duration_cast<IOLoop::Clock::duration>(
      std::chrono::duration<double, std::milli>(
          std::min(callback_time, kMaxMilliseconds)));
  return std::max(period, IOLoop::Clock::duration(1));
}

}  // namespace

PeriodicCallback::PeriodicCallback(std::function<void()> callback,
                                   double callback_time, IOLoop& io_loop)
    : callback_(std::move(callback)),
      period_(period_from_milliseconds(callback_time)),
      io_loop_(io_loop) {}

PeriodicCallback::~PeriodicCallback() { stop(); }

void PeriodicCallback::start() {
  if (running_) return;
  next_deadline_ = IOLoop::Clock::now();
  schedule_next();
  running_ = true;  // Only once scheduled: a start() that throws stays stopped.
}

void PeriodicCallback::stop() {
  if (!running_) return;
  running_ = false;
  io_loop_.remove_timeout(timeout_);
  timeout_ = TimeoutHandle{};
}

void PeriodicCallback::run() {
  timeout_ = TimeoutHandle{};
  // Plan the next tick after the callback returns, as Tornado's _run does, so
  // a callback slower than its period skips the ticks it overran instead of
  // being followed at once by an overdue one. Plan it also when the callback
  // throws (the loop logs the exception), but not when the callback stopped
  // this PeriodicCallback, or stopped and started it (start() planned it).
  try {
    callback_();
  } catch (...) {
    if (running_ && !timeout_) schedule_next();
    throw;
  }
  if (running_ && !timeout_) schedule_next();
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
