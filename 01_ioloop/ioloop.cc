// IOLoop implementation: setup, handlers, callbacks from other threads,
// start/stop/close and step 3 of the loop (dispatch_events). The loop turn
// itself and the timer heap are in loop_turn.cc (README.md, "One turn of the
// loop"; lab 01 has the student write them).
#include "01_ioloop/ioloop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>

#include "01_ioloop/ioloop_internal.h"
#include "01_ioloop/log.h"

namespace eddy {
namespace {

// epoll_event.data for the waker; handler events carry (generation << 32 | fd).
constexpr uint64_t kWakerToken = ~uint64_t{0};
constexpr size_t kMaxEventsPerPoll = 1024;

thread_local IOLoop* t_current_loop = nullptr;
std::atomic<bool> g_instance_created{false};

std::system_error errno_error(const std::string& what) {
  return std::system_error(errno, std::generic_category(), what);
}

// Converts seconds to a clock duration, rounding up so that a deadline is
// never earlier than asked. Converting NaN, an infinity or a number too large
// for the clock's 64-bit nanoseconds is undefined behaviour, so NaN means 0
// and everything is clamped to +-100 years ("never" for a timeout).
IOLoop::Clock::duration seconds_to_duration(double seconds) {
  constexpr double kLimit = 100.0 * 365 * 24 * 3600;
  if (std::isnan(seconds)) seconds = 0;
  seconds = std::clamp(seconds, -kLimit, kLimit);
  return std::chrono::ceil<IOLoop::Clock::duration>(
      std::chrono::duration<double>(seconds));
}

}  // namespace

struct IOLoop::FunctionHandler final : IOHandler {
  explicit FunctionHandler(Handler function) : function(std::move(function)) {}
  void handle_events(int fd, uint32_t events) override { function(fd, events); }
  Handler function;
};

IOLoop::IOLoop() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw errno_error("IOLoop: epoll_create1 failed");
  waker_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (waker_fd_ < 0) {
    auto error = errno_error("IOLoop: eventfd failed");
    ::close(epoll_fd_);
    throw error;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakerToken;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, waker_fd_, &event) < 0) {
    auto error = errno_error("IOLoop: registering the waker failed");
    ::close(waker_fd_);
    ::close(epoll_fd_);
    throw error;
  }
  events_.resize(kMaxEventsPerPoll);
}

IOLoop::~IOLoop() {
  if (!closed_) {
    running_ = false;
    close(false);
  }
}

IOLoop& IOLoop::instance() {
  // Created once and never destroyed: callbacks may still refer to it while
  // static destructors run at exit.
  static IOLoop* loop = [] {
    auto* created = new IOLoop();
    g_instance_created = true;
    return created;
  }();
  return *loop;
}

bool IOLoop::initialized() { return g_instance_created; }

IOLoop& IOLoop::current() {
  return t_current_loop != nullptr ? *t_current_loop : instance();
}

void IOLoop::abort_wrong_thread(const char* type, const char* method) {
  std::fprintf(stderr,
               "eddy::%s%s called from a thread that is not running the "
               "loop; use add_callback() to reach the loop thread\n",
               type, method);
  std::abort();
}

// ---- Handlers -------------------------------------------------------------

void IOLoop::add_handler(int fd, Handler handler, uint32_t events) {
  auto owned = std::make_unique<FunctionHandler>(std::move(handler));
  register_handler(fd, owned.get(), true, events);
  owned.release();  // handlers_[fd] owns it now.
}

void IOLoop::add_handler(int fd, IOHandler& handler, uint32_t events) {
  register_handler(fd, &handler, false, events);
}

void IOLoop::register_handler(int fd, IOHandler* handler, bool owned,
                              uint32_t events) {
  check_thread("add_handler");
  if (closed_) throw std::logic_error("IOLoop::add_handler on a closed loop");
  if (fd < 0) {
    throw std::system_error(EBADF, std::generic_category(),
                            "IOLoop::add_handler: negative fd");
  }
  if (static_cast<size_t>(fd) >= handlers_.size()) {
    handlers_.resize(
        std::max<size_t>(static_cast<size_t>(fd) + 1, handlers_.size() * 2));
  }
  HandlerEntry& entry = handlers_[fd];
  epoll_event event{};
  event.events = events | ERROR;
  event.data.u64 =
      (uint64_t{entry.generation + 1} << 32) | static_cast<uint32_t>(fd);
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) < 0) {
    if (errno == EEXIST) {
      throw std::system_error(EEXIST, std::generic_category(),
                              "IOLoop::add_handler: fd " + std::to_string(fd) +
                                  " is already registered");
    }
    throw errno_error("IOLoop::add_handler: epoll_ctl(ADD) on fd " +
                      std::to_string(fd));
  }
  if (entry.active) {
    // epoll accepted the fd although we still had a handler for it: the old
    // fd was closed without remove_handler (the kernel then drops it from
    // the epoll set) and the number was reused. Forget the stale handler
    // rather than refuse the new, valid registration.
    log_warning("IOLoop::add_handler: fd " + std::to_string(fd) +
                " was closed without remove_handler; replacing its handler");
    release_handler(entry);
  }
  entry.generation++;
  entry.handler = handler;
  entry.owned = owned;
  entry.active = true;
}

// Forgets entry's handler, freeing it if owned: after the round when a poll
// round runs (it may be the handler running right now), else at once.
void IOLoop::release_handler(HandlerEntry& entry) {
  std::unique_ptr<FunctionHandler> owned(
      entry.owned ? static_cast<FunctionHandler*>(entry.handler) : nullptr);
  entry.handler = nullptr;
  entry.owned = false;
  entry.active = false;
  if (owned && dispatching_) removed_handlers_.push_back(std::move(owned));
}

void IOLoop::update_handler(int fd, uint32_t events) {
  check_thread("update_handler");
  if (!has_handler(fd)) {
    throw std::system_error(ENOENT, std::generic_category(),
                            "IOLoop::update_handler: fd " + std::to_string(fd) +
                                " is not registered");
  }
  epoll_event event{};
  event.events = events | ERROR;
  event.data.u64 =
      (uint64_t{handlers_[fd].generation} << 32) | static_cast<uint32_t>(fd);
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) < 0) {
    throw errno_error("IOLoop::update_handler: epoll_ctl(MOD) on fd " +
                      std::to_string(fd));
  }
}

void IOLoop::remove_handler(int fd) {
  check_thread("remove_handler");
  if (!has_handler(fd)) return;
  HandlerEntry& entry = handlers_[fd];
  // The fd may already be closed (then the kernel dropped it from the epoll
  // set itself); an error here is not worth reporting.
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  release_handler(entry);
}

bool IOLoop::has_handler(int fd) const {
  return fd >= 0 && static_cast<size_t>(fd) < handlers_.size() &&
         handlers_[fd].active;
}

// ---- Callbacks and timeouts -------------------------------------------------

// DOC: add-callback. (README.md, "Threads".)
void IOLoop::add_callback(Callback callback) {
  bool need_wake;
  {
    std::lock_guard<std::mutex> lock(callbacks_mutex_);
    callbacks_.push_back(std::move(callback));
    has_callbacks_.store(true, std::memory_order_release);
    need_wake = !wake_pending_;
    wake_pending_ = true;
  }
  // The loop thread itself looks at callbacks_ before it polls, so only other
  // threads need to interrupt epoll_wait, and only once per batch.
  if (need_wake && loop_thread_.load(std::memory_order_relaxed) !=
                       std::this_thread::get_id()) {
    wake();
  }
}

void IOLoop::wake() {
  uint64_t one = 1;
  // EAGAIN means the counter is saturated: the loop will wake anyway.
  [[maybe_unused]] ssize_t ignored = ::write(waker_fd_, &one, sizeof one);
}

void IOLoop::drain_waker() {
  uint64_t count;
  [[maybe_unused]] ssize_t ignored = ::read(waker_fd_, &count, sizeof count);
}

TimeoutHandle IOLoop::add_timeout(double deadline, Callback callback) {
  return add_timeout(Clock::time_point(seconds_to_duration(deadline)),
                     std::move(callback));
}

TimeoutHandle IOLoop::call_later(double delay, Callback callback) {
  return add_timeout(Clock::now() + seconds_to_duration(delay),
                     std::move(callback));
}

double IOLoop::time() const {
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

// ---- The loop ---------------------------------------------------------------

// Marks the loop as running on this thread and current, and undoes that when
// start() or run_until() returns, also by an exception (from run_until's
// condition, or std::bad_alloc), so the loop never stays "running" and
// current() never points at a loop that has gone.
class IOLoop::RunningScope {
 public:
  explicit RunningScope(IOLoop& loop) : loop_(loop), previous_(t_current_loop) {
    t_current_loop = &loop;
    loop.running_ = true;
    loop.iteration_time_valid_ = false;  // Not a reading from an older run.
    loop.loop_thread_ = std::this_thread::get_id();
  }
  ~RunningScope() {
    loop_.stop_requested_ = false;
    loop_.loop_thread_ = std::thread::id();
    loop_.running_ = false;
    t_current_loop = previous_;
  }
  RunningScope(const RunningScope&) = delete;
  RunningScope& operator=(const RunningScope&) = delete;

 private:
  IOLoop& loop_;
  IOLoop* previous_;
};

void IOLoop::start() {
  if (closed_) throw std::logic_error("IOLoop::start on a closed loop");
  if (running_)
    throw std::logic_error("IOLoop::start: the loop is already running");
  // stop() before start(): return at once, as Tornado.
  if (stop_requested_.exchange(false)) return;
  RunningScope scope(*this);
  while (!stop_requested_.load(std::memory_order_relaxed)) run_iteration(-1);
}

bool IOLoop::run_until(const std::function<bool()>& condition, double timeout) {
  if (closed_) throw std::logic_error("IOLoop::run_until on a closed loop");
  if (running_)
    throw std::logic_error("IOLoop::run_until: the loop is already running");
  RunningScope scope(*this);
  auto deadline = Clock::now() + seconds_to_duration(timeout);
  bool done = condition();
  while (!done && !stop_requested_.load(std::memory_order_relaxed)) {
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    run_iteration(
        static_cast<int>(std::min<int64_t>(left.count(), 1000 * 1000)));
    done = condition();
  }
  return done;
}

void IOLoop::stop() {
  stop_requested_ = true;
  if (loop_thread_.load(std::memory_order_relaxed) !=
      std::this_thread::get_id())
    wake();
}

// Step 3 of run_iteration() (loop_turn.cc).
void IOLoop::dispatch_events(int count) {
  iteration_time_valid_ = false;  // The next iteration_time() reads the clock.
  dispatching_ = true;
  for (int i = 0; i < count; ++i) {
    const epoll_event& event = events_[i];
    if (event.data.u64 == kWakerToken) {
      drain_waker();
      continue;
    }
    // DOC: dispatch-generation. (README.md, "One turn of the loop".)
    int fd = static_cast<int>(event.data.u64 & 0xffffffffu);
    uint32_t generation = static_cast<uint32_t>(event.data.u64 >> 32);
    // Skip fds removed (or removed and re-added) by an earlier handler.
    if (!has_handler(fd) || handlers_[fd].generation != generation) continue;
    // DOC: end dispatch-generation
    IOHandler* handler = handlers_[fd].handler;
    uint32_t events = event.events & (READ | WRITE | ERROR | RDHUP | PRI);
    run_guarded("I/O handler", [&] { handler->handle_events(fd, events); });
  }
  dispatching_ = false;
  removed_handlers_.clear();
}

void IOLoop::close(bool all_fds) {
  check_thread("close");
  if (running_) throw std::logic_error("IOLoop::close: the loop is running");
  if (closed_) return;
  for (size_t fd = 0; fd < handlers_.size(); ++fd) {
    if (handlers_[fd].active && all_fds) ::close(static_cast<int>(fd));
    release_handler(handlers_[fd]);
  }
  handlers_.clear();
  timeouts_.clear();
  timeout_callbacks_.clear();
  {
    std::lock_guard<std::mutex> lock(callbacks_mutex_);
    callbacks_.clear();
    has_callbacks_.store(false, std::memory_order_release);
  }
  ::close(waker_fd_);
  ::close(epoll_fd_);
  waker_fd_ = epoll_fd_ = -1;
  closed_ = true;
}

}  // namespace eddy
